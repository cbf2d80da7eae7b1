/**
 * The compile pool: piscina workers, each with its own mpy-cross, fed
 * batches of files. The wasm is compiled once (by the caller or here) and handed to every worker.
 * Each worker holds two batches at a time, so that it compiles the next one
 * while the last .mpy writes of the previous one complete.
 */
import { Piscina } from 'piscina';
import { compileMpyCrossModule } from './optimised-mpy-cross.js';
import type { CompileBatchResult, CompileTask, CompileWorkerData } from './task.js';
import { compileWorkerPath } from './worker-path.js';

/** A running pool of compile workers. */
export class CompilePool {
  readonly #pool: Piscina<readonly CompileTask[], CompileBatchResult>;

  private constructor(pool: Piscina<readonly CompileTask[], CompileBatchResult>) {
    this.#pool = pool;
  }

  /** Batches each worker holds at a time. */
  static readonly TASKS_PER_WORKER = 2;

  /**
   * Starts `threads` workers (they come up in the background; tasks wait for them).
   * @param threads number of worker threads, at least 1
   * @param module the compiled mpy-cross wasm, shared by every worker. Default: compiled here
   */
  static async open(threads: number, module?: WebAssembly.Module): Promise<CompilePool> {
    module ??= await compileMpyCrossModule();
    const workerData: CompileWorkerData = { module };
    const pool = new Piscina<readonly CompileTask[], CompileBatchResult>({
      filename: compileWorkerPath(),
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 60_000,
      concurrentTasksPerWorker: CompilePool.TASKS_PER_WORKER,
      workerData,
    });
    return new CompilePool(pool);
  }

  /** Compiles a batch of files, in order, on some worker. */
  run(batch: readonly CompileTask[]): Promise<CompileBatchResult> {
    return this.#pool.run(batch);
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
