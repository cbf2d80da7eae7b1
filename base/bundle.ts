/**
 * mpy's bundled entries: the build (`wasm/build/bundle-main.ts`) bundles the
 * module graph a thread starts with into one classic script per entry and
 * writes V8's code cache of it, so a thread compiles one script from the
 * cache instead of loading and linking dozens of ES modules (Node 20 caches
 * no ES module). A bundle is a function expression of (exports, require,
 * module, the URL of `dist/`, `import()`); its modules' `import.meta.url` is
 * their own file's URL below `dist/`, computed from the one given, so the
 * bundle finds everything from wherever the package is installed. Anything
 * unexpected (no bundle, a module in `dist/` newer than the bundle, as after
 * `tsc` in a checkout, no cache, a cache V8 rejects) returns undefined and
 * the caller imports the ES modules as before; so does `MPY_NO_BUNDLE=1`.
 *
 * Each thread starts from a starter: its entry module (`host/cli/command-start.ts`
 * for the command's main thread, the two worker entries) bundled by the build
 * into one CommonJS file with this loader inside, so that a thread that runs
 * its bundle never starts Node's ES module loader (which reads files through
 * `fs/promises` and loads a dozen modules of its own in every thread).
 *
 * @module
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Script } from 'node:vm';
import { BUILD_CODE_CACHE_ENV, type CodeCacheProfile, compileCachedScript, traceLoad, writeCodeCache } from './cached-script.js';
import { isSourceCheckout, PACKAGE_ROOT } from './package-files.js';

/** The bundled entries, by name (their entry modules are in `wasm/build/bundle-main.ts`). */
export const BUNDLE_NAMES = [
  'cli-main',
  'program-worker',
  'embed-worker',
  'compile-command',
  'install-command',
  'index-command',
  'serve-command',
] as const;

/** A bundled entry's name. */
export type BundleName = (typeof BUNDLE_NAMES)[number];

/** The starters, by name (their entry modules are in `wasm/build/bundle-main.ts`). */
export const STARTER_NAMES = ['command', 'program-worker-entry', 'embed-worker-entry'] as const;

/** A starter's name. */
export type StarterName = (typeof STARTER_NAMES)[number];

/** The directory of the bundles and their caches. */
export const BUNDLE_DIR: string = join(PACKAGE_ROOT, 'dist', 'bundle');

/** A bundle's script. */
export function bundlePath(name: BundleName): string {
  return join(BUNDLE_DIR, `${name}.js`);
}

function isStarter(name: BundleName | StarterName): name is StarterName {
  return (STARTER_NAMES as readonly string[]).includes(name);
}

/** A starter's CommonJS file. */
export function starterPath(name: StarterName): string {
  return join(BUNDLE_DIR, `${name}.cjs`);
}

/** The list of a bundle's or starter's modules below `dist/` (a JSON array of paths), which it is checked against. */
export function bundleInputsPath(name: BundleName | StarterName): string {
  return join(BUNDLE_DIR, `${name}.inputs.json`);
}

/**
 * Whether a bundle (or starter) exists and, in a checkout (where `tsc` rewrites `dist/`),
 * none of its modules in `dist/` is newer than it (one `stat` each). An
 * installed package holds no sources, and its `dist/` changes only with the
 * bundles (an install does not keep the files' times).
 */
export function bundleIsCurrent(name: BundleName | StarterName): boolean {
  try {
    const built = statSync(isStarter(name) ? starterPath(name) : bundlePath(name)).mtimeMs;
    if (!isSourceCheckout()) return true;
    const inputs = JSON.parse(readFileSync(bundleInputsPath(name), 'utf8')) as string[];
    return inputs.every((below) => statSync(join(PACKAGE_ROOT, 'dist', below)).mtimeMs <= built);
  } catch {
    return false;
  }
}

/**
 * The file a thread starts from: its starter when that is current (and
 * `MPY_NO_BUNDLE` is not set), else its ES module entry (`esmEntry`, an absolute path).
 */
export function threadEntry(starter: StarterName, esmEntry: string): string {
  return process.env.MPY_NO_BUNDLE !== '1' && bundleIsCurrent(starter) ? starterPath(starter) : esmEntry;
}

/** A bundle's code cache for a profile. */
export function bundleCachePath(name: BundleName, profile: CodeCacheProfile): string {
  return join(BUNDLE_DIR, `${name}-${profile}.v8cache`);
}

type BundleFunction = (
  exports: object,
  require: NodeJS.Require,
  module: { exports: object },
  distUrl: string,
  importModule: (specifier: string) => Promise<unknown>,
) => void;

const loaded = new Map<BundleName, { readonly script: Script; readonly profile: CodeCacheProfile }>();

/**
 * Runs a bundle compiled from its cache for this thread's profile.
 * @returns the entry module's exports, or undefined when there is no usable bundle (the caller imports the modules)
 */
export function loadBundle<T>(name: BundleName, profile: CodeCacheProfile): T | undefined {
  if (process.env.MPY_NO_BUNDLE === '1') return undefined;
  const building = process.env[BUILD_CODE_CACHE_ENV] === '1';
  const path = bundlePath(name);
  if (!bundleIsCurrent(name)) {
    traceLoad(path, 'missing or older than its modules: importing the modules');
    return undefined;
  }
  let script: Script | undefined;
  try {
    script = compileCachedScript(readFileSync(path, 'utf8'), path, building ? undefined : bundleCachePath(name, profile));
  } catch {
    return undefined;
  }
  if (script === undefined) return undefined;
  const module = { exports: {} };
  const run = script.runInThisContext() as BundleFunction;
  run(module.exports, createRequire(path), module, `${pathToFileURL(join(PACKAGE_ROOT, 'dist')).href}/`, (s) => import(s));
  loaded.set(name, { script, profile });
  return module.exports as T;
}

/**
 * While the build writes the caches ({@link BUILD_CODE_CACHE_ENV}): writes the
 * cache of a bundle this thread ran, with every function it has compiled so
 * far. Otherwise does nothing.
 */
export function writeBundleCache(name: BundleName): void {
  const bundle = loaded.get(name);
  if (bundle === undefined || process.env[BUILD_CODE_CACHE_ENV] !== '1') return;
  writeCodeCache(bundle.script, bundleCachePath(name, bundle.profile));
}
