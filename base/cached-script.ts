/**
 * The one loader of JavaScript compiled from a V8 code cache the build wrote:
 * Node 20 keeps no compile cache for ES modules, so the build turns the code a
 * thread starts with into a classic script (the emscripten glue, see
 * `wasm/glue-script.ts`; mpy's own bundled entries, see `bundle.ts`) and
 * writes V8's cache of it once compiled and run. V8 takes a cache only from
 * the same V8 under the same flags, so there is one cache per flag profile.
 *
 * @module
 */
import { readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { Script } from 'node:vm';

/**
 * Which V8 flags a thread runs under: the `mpy` command's (`wasm/cli-v8-flags.ts`,
 * set before its code loads), or the process's own.
 */
export type CodeCacheProfile = 'cli' | 'default';

/**
 * Set by the build while it runs each thread once to write its caches: a
 * bundle is then compiled without a cache and `writeBundleCache` writes one;
 * the glue's cache is written again after a boot (`writeGlueCache`).
 */
export const BUILD_CODE_CACHE_ENV = 'MPY_BUILD_CODE_CACHE';

/**
 * `MPY_DEBUG=load`: one line on stderr per script compiled here, saying
 * whether V8 took its code cache (a cache made under other V8 flags is
 * rejected, and the thread then falls back to slower loading).
 */
const traceLoads = (process.env.MPY_DEBUG ?? '').split(',').some((t) => t.trim() === 'load');

/** Writes a `MPY_DEBUG=load` line about the script at `filename` (nothing when that topic is off). */
export function traceLoad(filename: string, what: string): void {
  if (traceLoads) writeSync(2, `mpy load: ${basename(filename)}: ${what}\n`);
}

/**
 * Compiles `source` as a script, from the cache at `cachePath` when given.
 * @returns the script, or undefined when the cache is missing or V8 rejected it
 */
export function compileCachedScript(source: string, filename: string, cachePath?: string): Script | undefined {
  let cachedData: Buffer | undefined;
  if (cachePath !== undefined) {
    try {
      cachedData = readFileSync(cachePath);
    } catch {
      traceLoad(filename, 'no code cache');
      return undefined;
    }
  }
  const script = new Script(source, { filename, cachedData });
  const rejected = cachedData !== undefined && script.cachedDataRejected === true;
  traceLoad(filename, cachedData === undefined ? 'compiled without a cache' : rejected ? 'code cache REJECTED' : 'from its code cache');
  return rejected ? undefined : script;
}

/** Writes V8's cache of `script` (with every function compiled so far) to `path`, atomically. */
export function writeCodeCache(script: Script, path: string): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, script.createCachedData());
  renameSync(tmp, path);
}
