/**
 * Running `manifest.py` files safely. A manifest is Python, so it is run by
 * MicroPython itself, in an embedded instance with no host directory, no
 * network and no environment, under a heap bound and a time limit: the only
 * thing it can do is call the manifest functions, which
 * `runtime/lib/_mpy_manifest.py` records as plain data. The host then
 * resolves paths and reads files itself (see tree.ts), inside the tree.
 *
 * @module
 */
import { MicroPython } from '../../embed/client.js';
import { PythonError } from '../../../runtime/errors.js';

/** What a manifest's `metadata(...)` said. */
export interface ManifestMetadata {
  readonly version: string | null;
  readonly description: string | null;
  readonly license: string | null;
  readonly author: string | null;
}

/** One recorded call of a manifest, in the order the manifest made it. */
export type ManifestCall =
  | readonly ['metadata', ManifestMetadata]
  | readonly ['require', name: string, library: string | null, options: Record<string, unknown>]
  | readonly ['include', paths: readonly string[], options: Record<string, unknown>]
  | readonly ['module', path: string, basePath: string, opt: number | null]
  | readonly ['package', path: string, files: readonly string[] | null, basePath: string, opt: number | null]
  | readonly ['add_library', name: string, path: string];

/** A manifest that could not be run; the message names the file and line. */
export class ManifestError extends Error {
  override name = 'ManifestError';
}

/** Prefix of the RuntimeError `_mpy_manifest.evaluate` raises for a failed manifest. */
const FAILED = 'manifest failed:\n';

/** Time limit for one manifest. */
const MANIFEST_TIMEOUT_MS = 10_000;

/** Runs manifests one at a time in one sandboxed MicroPython instance. */
export class ManifestEvaluator implements AsyncDisposable {
  #mp: Promise<MicroPython> | undefined;

  /** Runs `source` (read from `file`) with `options` as its `options` object. */
  async evaluate(file: string, source: string, options: Record<string, unknown>): Promise<ManifestCall[]> {
    // A manifest that ran past the time limit ended its instance: start another for the next one.
    if (this.#mp && !(await this.#mp).usable) this.#mp = undefined;
    this.#mp ??= MicroPython.create({ timeoutMs: MANIFEST_TIMEOUT_MS, heapSize: '16M', stdout: 'ignore', stderr: 'ignore' });
    const mp = await this.#mp;
    try {
      return (await mp.call('_mpy_manifest.evaluate', source, options as never, file)) as unknown as ManifestCall[];
    } catch (err) {
      if (err instanceof PythonError) {
        // The manifest's own failure arrives as text (`_mpy_manifest` prints it while imports are refused).
        const at = err.traceback.indexOf(`RuntimeError: ${FAILED}`);
        const own = err.type === 'RuntimeError' && at >= 0;
        const lines = (own ? err.traceback.slice(at + `RuntimeError: ${FAILED}`.length) : err.traceback).trimEnd().split('\n').reverse();
        const line = /File "[^"]*", line (\d+)/.exec(lines.find((l) => l.includes(`"${file}"`)) ?? '')?.[1];
        throw new ManifestError(`${file}${line ? `:${line}` : ''}: ${own ? lines[0] : `${err.type}: ${err.pythonMessage}`}`);
      }
      if (!mp.usable)
        throw new ManifestError(`${file}: did not finish within ${MANIFEST_TIMEOUT_MS / 1000} s; a manifest must only describe files`);
      throw new ManifestError(`${file}: ${(err as Error).message}`);
    }
  }

  /** Ends the instance. */
  async close(): Promise<void> {
    const mp = this.#mp;
    this.#mp = undefined;
    if (mp) await (await mp).dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
