/**
 * Loads the emscripten glue as a classic script compiled from a V8 code
 * cache the build writes (`wasm/build/glue-cache-main.ts`), so a thread does
 * not parse and compile the glue's 108 KB again at every start. Node 20 keeps
 * no compile cache for ES modules, so the glue module's text is wrapped in a
 * strict async function (a module's body may await) taking what a module
 * has and a script has not (its URL, `import()`); its two exports become
 * plain declarations. V8 accepts a cache only for the same V8 and the same flags:
 * the `mpy` command's interpreter thread (which runs under the command's
 * flags) uses the `cli` cache, every other thread the `default` one. Without
 * a cache V8 takes, the script compiles from its text.
 *
 * The glue as published keeps its JS-object table and its `Module` on
 * `globalThis`, where any other copy of the glue in the thread (the stock
 * package's, say) reads and calls them: that copy's finalizers would free
 * objects in this interpreter by number. The wrapper gives those names a
 * binding of its own instead ({@link GlueTable}), one per evaluation, so
 * each interpreter's glue state is its own and nothing of it is global.
 *
 * @module
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import type { Script } from 'node:vm';
import { BUILD_CODE_CACHE_ENV, type CodeCacheProfile, compileCachedScript, writeCodeCache } from '../base/cached-script.js';
import { importModule } from '../base/import-module.js';
import { isSourceCheckout } from '../base/package-files.js';
import { optimisedWasmDir } from './optimised-wasm.js';
import { INTERPRETER_PACKAGE, INTERPRETER_VERSION, locateInterpreter } from './locate.js';
import type { EmscriptenModule } from './emscripten-module.js';

/** The glue's module factory. */
type CreateModule = (moduleArg: Record<string, unknown>) => Promise<EmscriptenModule>;

/**
 * The glue's state that the published glue keeps on `globalThis`, bound in
 * one evaluation of the wrapped glue: the module its proxy code calls, and
 * the table of JS objects Python holds (see `runtime/js-proxy-table.ts`).
 */
export interface GlueTable {
  Module: EmscriptenModule | undefined;
  proxy_js_ref: unknown[];
  proxy_js_ref_next: number;
  proxy_js_ref_map: Map<unknown, number>;
  proxy_js_map: Map<number, WeakRef<object>>;
  proxy_js_existing: unknown[];
  pyProxyFinalizationRegistry: FinalizationRegistry<number> | undefined;
}

/** One evaluation of the glue: its factory and the state its code shares. */
export interface Glue {
  readonly createModule: CreateModule;
  readonly table: GlueTable;
}

/** The names of {@link GlueTable}: the glue reads them as globals; the wrapper binds them. */
const TABLE_NAMES = [
  'Module',
  'proxy_js_ref',
  'proxy_js_ref_next',
  'proxy_js_ref_map',
  'proxy_js_map',
  'proxy_js_existing',
  'pyProxyFinalizationRegistry',
] as const satisfies readonly (keyof GlueTable)[];

/** `globalThis.<a table name>`, which the glue writes for some of them. */
const GLOBAL_TABLE_NAME = new RegExp(`\\bglobalThis\\.(${TABLE_NAMES.filter((n) => n !== 'Module').join('|')})\\b`, 'g');

/** Which V8 flags a thread runs under: the `mpy` command's, or the process's own. */
export type GlueCacheProfile = CodeCacheProfile;

const EXPORT_DEFAULT = 'export default _createMicroPythonModule;';
const EXPORTED_LOADER = 'export async function loadMicroPython(';
const DYNAMIC_IMPORT = /\bimport\s*\(/g;
/**
 * The glue's set-up reads `globalThis.crypto` to fill it in where it is
 * missing; in Node 20 that getter loads Web Crypto (seven modules, ~2 ms per
 * thread) that the boot never uses. Asked as whether the property exists, the
 * same test loads nothing: Web Crypto loads when Python first wants random bytes.
 */
const CRYPTO_TEST = 'void 0===globalThis.crypto&&';
const CRYPTO_TEST_WITHOUT_LOADING = 'void 0===Object.getOwnPropertyDescriptor(globalThis,"crypto")&&';

/**
 * The glue is built with emscripten's assertions: at set-up it gives `Module`
 * a getter for each of 388 runtime symbols the build does not export, which
 * only turns a mistaken `Module.<symbol>` into an abort with advice (~3 ms of
 * every thread's start, and a `Module` of 388 more accessors). mpy reads only
 * exported symbols; without the getters a mistaken read is `undefined`.
 */
const UNEXPORTED_SYMBOL_GETTERS =
  /\[(?:"[\w$]+",?)+\]\.forEach\((?:unexportedRuntimeSymbol|function\(sym\)\{unexportedRuntimeSymbol\(sym\)\})\);/g;

const require = createRequire(import.meta.url);

/**
 * The glue's `import()`: Node's own modules it asks for at set-up (`module`,
 * `path`, `url`) come from `require`, since an `import()` starts Node's ES
 * module loader in a thread that has not needed it (see `base/bundle.ts`);
 * the glue uses only their named exports, which both forms have.
 */
const glueImport = (specifier: string): Promise<unknown> =>
  isBuiltin(specifier) ? Promise.resolve(require(specifier)) : importModule(specifier);

let profile: GlueCacheProfile = 'default';

/** Says which flags this thread runs under (the `mpy` command's interpreter thread: `cli`). */
export function setGlueCacheProfile(value: GlueCacheProfile): void {
  profile = value;
}

/** Where the build writes a profile's cache. */
export function glueCachePath(which: GlueCacheProfile): string {
  return join(optimisedWasmDir(), `glue-${INTERPRETER_VERSION}-${which}.v8cache`);
}

/**
 * The glue's text as a script evaluating to an async function of (module URL,
 * dynamic import) that runs the module's body and returns its {@link Glue},
 * or undefined when the glue has other exports or static imports than this
 * knows (its two exports become plain declarations).
 */
export function glueScriptSource(moduleText: string): string | undefined {
  const parts = moduleText.split(EXPORT_DEFAULT);
  if (parts.length !== 2) return undefined;
  const body = parts.join('').split(EXPORTED_LOADER);
  if (body.length !== 2) return undefined;
  const text = body.join('async function loadMicroPython(');
  if (/(^|[;}\n])\s*(export|import)\s+[{*\w]/.test(text)) return undefined;
  const wrapped = text
    .replace(CRYPTO_TEST, CRYPTO_TEST_WITHOUT_LOADING)
    .replace(UNEXPORTED_SYMBOL_GETTERS, '')
    .replace(GLOBAL_TABLE_NAME, '$1')
    .replaceAll('import.meta.url', '__mpyModuleUrl')
    .replace(DYNAMIC_IMPORT, '__mpyImport(');
  const accessors = TABLE_NAMES.map((name) => `get ${name}() { return ${name}; }, set ${name}(v) { ${name} = v; }`).join(',\n');
  return `(async function (__mpyModuleUrl, __mpyImport) {
"use strict";
let ${TABLE_NAMES.join(', ')};
${wrapped}
return { createModule: _createMicroPythonModule, table: {\n${accessors}\n} };
})`;
}

/** Where the build writes {@link glueScriptSource}'s text, which a thread then reads instead of rewriting the glue (~1-2 ms). */
export function glueScriptPath(): string {
  return join(optimisedWasmDir(), `glue-${INTERPRETER_VERSION}.script.js`);
}

/** The build: writes the glue as a script ({@link glueScriptPath}); false when the glue's shape is unknown. */
export function writeGlueScript(): boolean {
  const source = glueScriptSource(readFileSync(locateInterpreter().glue, 'utf8'));
  if (source !== undefined) writeFileSync(glueScriptPath(), source);
  return source !== undefined;
}

/**
 * The glue as a script: the build's copy when there is one and, in a
 * checkout, neither the glue nor this module is newer than it; else made
 * from the glue's text.
 */
function glueScriptText(gluePath: string): string | undefined {
  const path = glueScriptPath();
  try {
    const text = readFileSync(path, 'utf8');
    if (!isSourceCheckout()) return text;
    const built = statSync(path).mtimeMs;
    if (statSync(gluePath).mtimeMs <= built && statSync(fileURLToPath(import.meta.url)).mtimeMs <= built) return text;
  } catch {
    // not built: made below
  }
  return glueScriptSource(readFileSync(gluePath, 'utf8'));
}

/**
 * The glue compiled as a script (from the cache at `cachePath` when given), or
 * undefined when the glue's shape is unknown, the cache is missing or V8 rejected it.
 */
export function compileGlueScript(cachePath?: string): Script | undefined {
  const path = locateInterpreter().glue;
  const source = glueScriptText(path);
  if (source === undefined) return undefined;
  return compileCachedScript(source, path, cachePath);
}

/** Runs a compiled glue script's module body: a {@link Glue} of its own. */
export function glueFactory(script: Script): Promise<Glue> {
  const run = script.runInThisContext() as (url: string, load: (specifier: string) => Promise<unknown>) => Promise<Glue>;
  return run(pathToFileURL(locateInterpreter().glue).href, glueImport);
}

let compiled: Script | undefined;

/**
 * A fresh evaluation of the glue, compiled once per thread: from the code
 * cache of this thread's profile when V8 takes it, else from its text.
 * @throws Error when the installed glue does not have the shape mpy wraps
 */
export async function loadGlue(): Promise<Glue> {
  compiled ??= compileGlueScript(glueCachePath(profile)) ?? compileGlueScript();
  if (compiled === undefined) {
    throw new Error(
      `mpy: the interpreter's glue (${locateInterpreter().glue}) is not the ${INTERPRETER_PACKAGE} ${INTERPRETER_VERSION} mpy was built for; reinstall mpy's dependencies (npm ci)`,
    );
  }
  return glueFactory(compiled);
}

/**
 * While the build writes the caches ({@link BUILD_CODE_CACHE_ENV}): rewrites
 * this thread's glue cache with every glue function compiled so far. The
 * build's first cache (`glue-cache-main.ts`) stops where the glue asks for
 * the wasm; written again after a boot, it also holds the filesystem set-up
 * and syscalls a start runs, which each start would otherwise compile.
 * Otherwise does nothing.
 * @param loadFlags the V8 flags the glue is compiled under in this thread, when they differ from the current ones (V8 takes a cache only under the flags it was written under)
 */
export function writeGlueCache(loadFlags?: readonly string[]): void {
  if (compiled === undefined || process.env[BUILD_CODE_CACHE_ENV] !== '1') return;
  if (loadFlags !== undefined) setFlagsFromString(loadFlags.join(' '));
  writeCodeCache(compiled, glueCachePath(profile));
}
