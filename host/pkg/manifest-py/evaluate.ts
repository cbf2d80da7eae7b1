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

/** Time limit for one manifest. */
const MANIFEST_TIMEOUT_MS = 10_000;

/** Runs manifests one at a time in one sandboxed MicroPython instance. */
export class ManifestEvaluator implements AsyncDisposable {
  #mp: Promise<MicroPython> | undefined;

  /** Runs `source` (read from `file`) with `options` as its `options` object. */
  async evaluate(file: string, source: string, options: Record<string, unknown>): Promise<ManifestCall[]> {
    this.#mp ??= MicroPython.create({ timeoutMs: MANIFEST_TIMEOUT_MS, heapSize: '16M', stdout: 'ignore', stderr: 'ignore' });
    const mp = await this.#mp;
    if (!mp.usable)
      throw new ManifestError(`${file}: the manifest evaluator stopped (a manifest ran longer than ${MANIFEST_TIMEOUT_MS / 1000} s)`);
    try {
      return (await mp.call('_mpy_manifest.evaluate', source, options as never, file)) as unknown as ManifestCall[];
    } catch (err) {
      if (err instanceof PythonError) {
        const line = /File "[^"]*", line (\d+)/.exec(
          err.traceback
            .split('\n')
            .reverse()
            .find((l) => l.includes(`"${file}"`)) ?? '',
        )?.[1];
        throw new ManifestError(`${file}${line ? `:${line}` : ''}: ${err.type}: ${err.pythonMessage}`);
      }
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
