/**
 * A piscina pool of unpack workers. Workers are compiled JavaScript: the
 * worker is resolved next to this module (dist/host/install/ in a build);
 * when this module runs from its TypeScript source (vitest), the compiled
 * worker in dist/ is used, so `npx tsc -p .` must have run (the test helper
 * `ensureDist` does it). Loading .ts in worker threads would need a loader
 * hook in every worker; building once is simpler and tests what ships.
 */
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { compiledFile } from '../../base/package-files.js';
import { ArchiveError } from '../archive/errors.js';
import type { UnpackReply, UnpackTask, UnpackedFile } from './unpack-worker.js';
import type { DistMetadata } from '../archive/metadata.js';

/** An unpacked package: files to install are views into `tar`. */
export interface Unpacked {
  tar: Uint8Array;
  files: UnpackedFile[];
  metadata: DistMetadata;
}

/** Options of {@link UnpackPool}. */
export interface UnpackPoolOptions {
  /** Worker threads at most. Default: available parallelism, at most 4. */
  maxThreads?: number;
}

/** Where the compiled worker is. */
function workerFile(): string {
  return compiledFile('host/install/unpack-worker.js');
}

/** Unpacks packages on worker threads. Close it when done. */
export class UnpackPool {
  #pool: Piscina<UnpackTask, UnpackReply>;

  /** @throws Error when the compiled worker is missing (build with `npm run build`) */
  constructor(options: UnpackPoolOptions = {}) {
    const file = workerFile();
    const maxThreads = options.maxThreads ?? Math.min(4, availableParallelism());
    // One worker starts now: a worker's start and first (cold) unpack take ~100-180 ms
    // here, which then overlaps the index lookups and downloads before the first unpack.
    this.#pool = new Piscina({ filename: pathToFileURL(file).href, maxThreads, minThreads: 1, idleTimeout: 1000 });
  }

  /**
   * Unpacks one archive. The bytes are transferred to the worker when they own
   * their whole buffer (they are unusable afterwards), else copied.
   * @throws ArchiveError as `readDistribution` would
   */
  async unpack(gz: Uint8Array, archive: string, limits?: UnpackTask['limits']): Promise<Unpacked> {
    const own = gz.byteOffset === 0 && gz.byteLength === gz.buffer.byteLength && gz.buffer instanceof ArrayBuffer;
    const task: UnpackTask = { gz, archive, limits };
    const reply = await this.#pool.run(task, own ? { transferList: [gz.buffer as ArrayBuffer] } : {});
    if (!reply.ok) {
      throw new ArchiveError(reply.code, reply.archive, reply.detail, reply.member);
    }
    return { tar: reply.tar, files: reply.files, metadata: reply.metadata };
  }

  /** Ends the worker threads. */
  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
