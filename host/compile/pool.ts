/**
 * The compile pool: piscina workers, each with its own mpy-cross, fed one
 * file per task. The wasm is compiled once here and handed to every worker.
 */
import { readFileSync } from 'node:fs';
import { Piscina } from 'piscina';
import { locateMpyCross } from './mpy-cross-files.js';
import type { CompileTask, CompileTaskResult, CompileWorkerData } from './task.js';
import { compileWorkerPath } from './worker-path.js';

/** A running pool of compile workers. */
export class CompilePool {
  readonly #pool: Piscina<CompileTask, CompileTaskResult>;

  private constructor(pool: Piscina<CompileTask, CompileTaskResult>) {
    this.#pool = pool;
  }

  /**
   * Starts `threads` workers.
   * @param threads number of worker threads, at least 1
   */
  static async open(threads: number): Promise<CompilePool> {
    const module = await WebAssembly.compile(readFileSync(locateMpyCross().wasm));
    const workerData: CompileWorkerData = { module };
    const pool = new Piscina<CompileTask, CompileTaskResult>({
      filename: compileWorkerPath(),
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 60_000,
      workerData,
    });
    return new CompilePool(pool);
  }

  /** Compiles one file on some worker. */
  run(task: CompileTask): Promise<CompileTaskResult> {
    return this.#pool.run(task);
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
