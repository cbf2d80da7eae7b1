/**
 * The build step that writes mpy's bundles and their V8 code caches
 * (`node dist/wasm/build/bundle-main.js`, part of `npm run build`; see
 * `base/bundle.ts`): bundles each entry's module graph from `dist/` with
 * esbuild into one classic script, then runs each bundle once in a child
 * process, under the flags its thread runs with, and has it write its cache
 * once it has done its work (so the functions a start runs are in the cache).
 *
 * Each module's `import.meta.url` becomes its own URL computed from the
 * `dist/` URL the loader passes, and `base/import-module.ts` becomes the
 * loader's `import()`; dynamic imports of relative paths are bundled (and run
 * when first imported, as before).
 *
 * It also writes the starters: each thread's entry module bundled the same
 * way into a CommonJS file that finds `dist/` from its own place, so that a
 * thread starts without Node's ES module loader (no code cache: they are a
 * few KB).
 *
 * It never fails the build: on any problem it removes the bundles, says why
 * on stderr and exits 0, and every thread imports its modules as before.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin, transform } from 'esbuild';
import {
  BUNDLE_DIR,
  type BundleName,
  bundleCachePath,
  bundleInputsPath,
  bundlePath,
  type StarterName,
  starterPath,
} from '../../base/bundle.js';
import { BUILD_CODE_CACHE_ENV } from '../../base/cached-script.js';
import { compiledFile, PACKAGE_ROOT } from '../../base/package-files.js';

const DIST = join(PACKAGE_ROOT, 'dist');

/** Each bundle's entry module, below `dist/`. */
const ENTRIES: Readonly<Record<BundleName, string>> = {
  'cli-main': 'host/cli/run-command.js',
  'program-worker': 'host/cli/program-worker.js',
  'embed-worker': 'host/embed/worker.js',
  'compile-command': 'host/cli/commands/compile.js',
  'install-command': 'host/cli/commands/install.js',
  'index-command': 'host/cli/commands/index-build.js',
  'serve-command': 'host/cli/commands/serve.js',
};

/** Each starter's entry module, below `dist/`. */
const STARTERS: Readonly<Record<StarterName, string>> = {
  command: 'host/cli/command-start.js',
  'program-worker-entry': 'host/cli/program-worker-entry.js',
  'embed-worker-entry': 'host/embed/worker-entry.js',
};

/** What `import.meta.url` becomes while bundling: a string literal naming the module, replaced afterwards. */
const URL_MARK = '__mpy_module_url__:';

/** Rewrites `import.meta.url` (only as an expression, never inside strings) and stands the loader's `import()` in for import-module.js. */
const bundlePlugin: Plugin = {
  name: 'mpy-bundle',
  setup(b) {
    b.onResolve({ filter: /[/\\]base[/\\]import-module\.js$/ }, () => ({ path: 'import-module', namespace: 'mpy-bundle' }));
    b.onLoad({ filter: /.*/, namespace: 'mpy-bundle' }, () => ({ contents: 'export const importModule = __mpyImport;', loader: 'js' }));
    b.onLoad({ filter: /\.m?js$/ }, async (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta')) return undefined;
      const below = relative(DIST, args.path);
      if (below.startsWith('..')) throw new Error(`${args.path} uses import.meta and is not below dist/`);
      const url = `${URL_MARK}${below.split(sep).join('/')}`;
      const { code } = await transform(text, { define: { 'import.meta.url': JSON.stringify(url) }, format: 'esm', loader: 'js' });
      return { contents: code, loader: 'js' };
    });
  },
};

/** One entry's graph as CommonJS, with `import.meta.url` in terms of `__mpyDistUrl`, and its modules below `dist/`. */
async function bundleCode(entry: string): Promise<{ code: string; inputs: string[] }> {
  const result = await build({
    entryPoints: [join(DIST, entry)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    metafile: true,
    absWorkingDir: PACKAGE_ROOT,
    // required from node_modules when first used (its worker file is found beside its own modules)
    external: ['piscina'],
    logLevel: 'error',
    // any other use of import.meta would be left empty: fail instead
    logOverride: { 'empty-import-meta': 'error' },
    plugins: [bundlePlugin],
  });
  const marked = new RegExp(`"${URL_MARK}([^"]+)"`, 'g');
  const code = result.outputFiles[0]!.text.replace(marked, (_, below: string) => `new URL(${JSON.stringify(below)}, __mpyDistUrl).href`);
  if (code.includes(URL_MARK)) throw new Error(`a module URL of ${entry} was not rewritten`);
  const inputs = Object.keys(result.metafile.inputs)
    .map((p) => relative(DIST, join(PACKAGE_ROOT, p)))
    .filter((p) => !p.startsWith('..'))
    .map((p) => p.split(sep).join('/'));
  return { code, inputs };
}

/** One entry's graph as the function expression `base/bundle.ts` runs, and its modules below `dist/`. */
async function bundleSource(entry: string): Promise<{ source: string; inputs: string[] }> {
  const { code, inputs } = await bundleCode(entry);
  return { source: `(function (exports, require, module, __mpyDistUrl, __mpyImport) {\n"use strict";\n${code}\n})\n`, inputs };
}

/** A starter: one entry's graph as a CommonJS file in `BUNDLE_DIR`, which finds `dist/` from its own place. */
async function starterSource(entry: string): Promise<{ source: string; inputs: string[] }> {
  const { code, inputs } = await bundleCode(entry);
  const prelude = [
    '"use strict";',
    'const __mpyDistUrl = require("node:url").pathToFileURL(require("node:path").join(__dirname, "..")).href + "/";',
    'const __mpyImport = (specifier) => import(specifier);',
  ].join('\n');
  return { source: `${prelude}\n${code}`, inputs };
}

/** Runs a node child with the cache-writing switch on. */
function runWritingCaches(args: string[]): void {
  execFileSync(process.execPath, args, {
    cwd: PACKAGE_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, [BUILD_CODE_CACHE_ENV]: '1', MPY_NO_BUNDLE: '' },
  });
}

/** `mpy compile` of a small tree in the command's thread, with floats kept and rewritten, and a copied file. */
function compileOnce(): void {
  const dir = mkdtempSync(join(tmpdir(), 'mpy-bundle-compile-'));
  try {
    const src = join(dir, 'src');
    mkdirSync(src);
    writeFileSync(join(src, 'plain.py'), 'import sys\n\n\nclass K:\n    def f(self, x):\n        return [x, "s", b"b", (1, 2)]\n');
    writeFileSync(join(src, 'floats.py'), 'a = 0.5\nb = 0.9999999999999999\nc = 2j\n');
    writeFileSync(join(src, 'data.txt'), 'copied\n');
    runWritingCaches([compiledFile('host/cli/main.js'), 'compile', src, '-o', join(dir, 'out'), '-j', '1']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  mkdirSync(BUNDLE_DIR, { recursive: true });
  for (const [name, entry] of Object.entries(ENTRIES) as [BundleName, string][]) {
    const { source, inputs } = await bundleSource(entry);
    writeFileSync(bundleInputsPath(name), JSON.stringify(inputs));
    writeFileSync(bundlePath(name), source);
  }
  for (const [name, entry] of Object.entries(STARTERS) as [StarterName, string][]) {
    const { source, inputs } = await starterSource(entry);
    writeFileSync(bundleInputsPath(name), JSON.stringify(inputs));
    writeFileSync(starterPath(name), source);
  }
  // The command's two threads (the main one under the process's own V8 flags, the interpreter's under the command's), then an embedded instance's thread.
  runWritingCaches([compiledFile('host/cli/bin.cjs'), '-c', 'pass']);
  const embed = `const { MicroPython } = await import(${JSON.stringify(pathToFileURL(compiledFile('index.js')).href)});
    const mp = await MicroPython.create(); await mp.eval('1 + 1'); await mp.dispose();`;
  runWritingCaches(['--input-type=module', '-e', embed]);
  compileOnce();
  // Their module graphs' top levels and option parsing (a real install needs an index).
  for (const command of ['install', 'index', 'serve']) runWritingCaches([compiledFile('host/cli/main.js'), command, '--help']);
  const caches = [
    bundleCachePath('cli-main', 'default'),
    bundleCachePath('program-worker', 'cli'),
    bundleCachePath('embed-worker', 'default'),
    bundleCachePath('compile-command', 'default'),
    bundleCachePath('install-command', 'default'),
    bundleCachePath('index-command', 'default'),
    bundleCachePath('serve-command', 'default'),
  ];
  const missing = caches.filter((p) => !existsSync(p));
  if (missing.length > 0) throw new Error(`no cache written: ${missing.join(', ')}`);
  process.stderr.write(`mpy build: wrote the bundles and their code caches (${BUNDLE_DIR})\n`);
} catch (e) {
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  process.stderr.write(`mpy build: no bundles (${(e as Error).message}); every thread imports its modules\n`);
}
process.exit(0);
