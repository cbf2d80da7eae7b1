/**
 * Loads the emscripten glue as a classic script compiled from a V8 code
 * cache the build writes (`wasm/build/glue-cache-main.ts`), so a thread does
 * not parse and compile the glue's 108 KB again at every start. Node 20 keeps
 * no compile cache for ES modules, so the glue module's text is wrapped in a
 * strict async function (a module's body may await) taking what a module
 * has and a script has not (its URL, `import()`); its two exports become
 * plain declarations. V8 accepts a cache only for the same V8 and the same flags:
 * the `mpy` command's interpreter thread (which runs under the command's
 * flags) uses the `cli` cache, every other thread the `default` one. Any
 * problem (no cache, a rejected cache, a glue whose shape this does not know)
 * falls back to importing the module as before.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Script } from 'node:vm';
import { type CodeCacheProfile, compileCachedScript } from '../base/cached-script.js';
import { importModule } from '../base/import-module.js';
import { optimisedWasmDir } from './optimised-wasm.js';
import { INTERPRETER_PACKAGE, INTERPRETER_VERSION, locateInterpreter } from './locate.js';
import type { EmscriptenModule } from './emscripten-module.js';

/** The glue's module factory. */
export type CreateModule = (moduleArg: Record<string, unknown>) => Promise<EmscriptenModule>;

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
 * dynamic import) that runs the module's body and returns the factory, or
 * undefined when the glue has other exports or static imports than this
 * knows (its two exports become plain declarations).
 */
function glueScriptSource(moduleText: string): string | undefined {
  const parts = moduleText.split(EXPORT_DEFAULT);
  if (parts.length !== 2) return undefined;
  const body = parts.join('').split(EXPORTED_LOADER);
  if (body.length !== 2) return undefined;
  const text = body.join('async function loadMicroPython(');
  if (/(^|[;}\n])\s*(export|import)\s+[{*\w]/.test(text)) return undefined;
  const wrapped = text
    .replace(CRYPTO_TEST, CRYPTO_TEST_WITHOUT_LOADING)
    .replaceAll('import.meta.url', '__mpyModuleUrl')
    .replace(DYNAMIC_IMPORT, '__mpyImport(');
  return `(async function (__mpyModuleUrl, __mpyImport) {\n"use strict";\n${wrapped}\nreturn _createMicroPythonModule;\n})`;
}

/**
 * The glue compiled as a script (from the cache at `cachePath` when given), or
 * undefined when the glue's shape is unknown, the cache is missing or V8 rejected it.
 */
export function compileGlueScript(cachePath?: string): Script | undefined {
  const path = locateInterpreter().glue;
  const source = glueScriptSource(readFileSync(path, 'utf8'));
  if (source === undefined) return undefined;
  return compileCachedScript(source, path, cachePath);
}

/** Runs a compiled glue script's module body: the factory. */
export function glueFactory(script: Script): Promise<CreateModule> {
  const run = script.runInThisContext() as (url: string, load: (specifier: string) => Promise<unknown>) => Promise<CreateModule>;
  return run(pathToFileURL(locateInterpreter().glue).href, glueImport);
}

/** The glue's factory: from the code cache of this thread's profile when V8 takes it, else imported as a module. */
export async function loadGlue(): Promise<CreateModule> {
  try {
    const script = compileGlueScript(glueCachePath(profile));
    if (script !== undefined) return await glueFactory(script);
  } catch {
    // no cache, or it does not load: import the module
  }
  return ((await importModule(INTERPRETER_PACKAGE)) as { default: CreateModule }).default;
}
