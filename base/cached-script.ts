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
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Script } from 'node:vm';

/**
 * Which V8 flags a thread runs under: the `mpy` command's (`wasm/cli-v8-flags.ts`,
 * set before its code loads), or the process's own.
 */
export type CodeCacheProfile = 'cli' | 'default';

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
      return undefined;
    }
  }
  const script = new Script(source, { filename, cachedData });
  return cachedData !== undefined && script.cachedDataRejected === true ? undefined : script;
}

/** Writes V8's cache of `script` (with every function compiled so far) to `path`, atomically. */
export function writeCodeCache(script: Script, path: string): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, script.createCachedData());
  renameSync(tmp, path);
}
