/**
 * The compile pool: plain worker threads (no pool library: it would cost
 * more to load than it saves), each with its own mpy-cross, fed batches of
 * files. The wasm is compiled once (by the caller or here) and handed to
 * every worker. A batch goes to the worker with the fewest batches in hand;
 * each worker answers its batches in order.
 */
import { Worker } from 'node:worker_threads';
import { compileMpyCrossModule } from './optimised-mpy-cross.js';
import type { CompileBatchResult, CompileTask, CompileWorkerData, CompileWorkerReply } from './task.js';
import { compileWorkerPath } from './worker-path.js';

interface Pending {
  readonly resolve: (r: CompileBatchResult) => void;
  readonly reject: (e: Error) => void;
}

/** One worker thread and the batches it holds, in the order it answers them. */
class CompileWorker {
  readonly #worker: Worker;
  readonly pending: Pending[] = [];
  #dead: Error | undefined;

  constructor(workerData: CompileWorkerData) {
    this.#worker = new Worker(compileWorkerPath(), { workerData, stdout: false, stderr: false });
    this.#worker.on('message', (reply: CompileWorkerReply) => {
      const p = this.pending.shift();
      if (!p) return;
      if ('error' in reply) p.reject(new Error(`compile worker: ${reply.error}`));
      else p.resolve(reply.result);
    });
    const fail = (err: Error): void => {
      this.#dead ??= err;
      for (const p of this.pending.splice(0)) p.reject(err);
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`compile worker exited with status ${code}`)));
  }

  run(batch: readonly CompileTask[]): Promise<CompileBatchResult> {
    if (this.#dead) return Promise.reject(this.#dead);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.#worker.postMessage(batch);
    });
  }

  async close(): Promise<void> {
    this.#dead ??= new Error('compile pool closed');
    await this.#worker.terminate();
  }
}

/** A running pool of compile workers. */
export class CompilePool {
  readonly #workers: CompileWorker[];

  private constructor(workers: CompileWorker[]) {
    this.#workers = workers;
  }

  /** Batches each worker should hold at a time: it compiles the next while the answer to the last travels. */
  static readonly TASKS_PER_WORKER = 2;

  /**
   * Starts `threads` workers (they come up in the background; batches wait for them).
   * @param threads number of worker threads, at least 1
   * @param module the compiled mpy-cross wasm, shared by every worker. Default: compiled here
   */
  static async open(threads: number, module?: WebAssembly.Module): Promise<CompilePool> {
    module ??= await compileMpyCrossModule();
    const workerData: CompileWorkerData = { module };
    return new CompilePool(Array.from({ length: threads }, () => new CompileWorker(workerData)));
  }

  /** Compiles a batch of files, in order, on the worker with the fewest batches in hand (an empty batch: answers once that worker is up). */
  run(batch: readonly CompileTask[]): Promise<CompileBatchResult> {
    let best = this.#workers[0]!;
    for (const w of this.#workers) if (w.pending.length < best.pending.length) best = w;
    return best.run(batch);
  }

  /** Stops every worker; batches not answered yet are rejected. */
  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.close()));
  }
}
