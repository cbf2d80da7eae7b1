/**
 * `timeoutMs` for an in-thread instance (`thread: 'current'`): the thread
 * running Python cannot time itself out, so a small watchdog thread
 * (watchdog-worker.ts) looks at the running call now and then and, once it
 * has run longer than the limit, raises KeyboardInterrupt in it through the
 * interpreter's shared memory (runtime/interrupt.ts), as `interrupt()` does
 * for a worker instance.
 *
 * A call costs two plain stores in shared memory: the watchdog polls while a
 * call runs, and sleeps while none does (the next call wakes it, at most once
 * per poll period).
 *
 * @module
 */
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { compiledFile } from '../../base/package-files.js';
import type { InterruptTarget } from '../../runtime/interrupt.js';

/** Word: bumped when a call starts and when it ends (odd while one runs); {@link STOPPED} ends the watchdog. */
export const SEQ = 0;
/** Word: the id of the running request (the watchdog stores it as the one interrupted). */
export const JOB = 1;
/** Word: the {@link SEQ} of the last call the watchdog interrupted. */
export const FIRED = 2;
/** Word: 1 while the watchdog sleeps until the next call. */
export const SLEEPING = 3;
/** {@link SEQ} once the watchdog is to end. */
export const STOPPED = -1;

/** What the watchdog thread is started with. */
export interface WatchdogInit {
  /** The words above. */
  readonly words: SharedArrayBuffer;
  readonly target: InterruptTarget;
  /** One Int32: the id of the request last interrupted (see embedded-vm.ts). */
  readonly interruptedRequest: SharedArrayBuffer;
  readonly timeoutMs: number;
}

/** The watchdog of one in-thread instance, as the instance's thread sees it. */
export class CallWatchdog {
  readonly #words: Int32Array;
  readonly #worker: Worker;
  #seq = 0;

  private constructor(words: Int32Array, worker: Worker) {
    this.#words = words;
    this.#worker = worker;
  }

  /**
   * Starts the watchdog thread (it keeps no event loop alive) and waits until
   * it watches, so that the limit holds from the first call.
   * @throws Error when the thread fails to start
   */
  static async start(target: InterruptTarget, interruptedRequest: SharedArrayBuffer, timeoutMs: number): Promise<CallWatchdog> {
    const words = new SharedArrayBuffer(16);
    const init: WatchdogInit = { words, target, interruptedRequest, timeoutMs };
    const worker = new Worker(pathToFileURL(compiledFile('host/embed/watchdog-worker.js')), { workerData: init, execArgv: [] });
    worker.unref();
    try {
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`the timeoutMs watchdog thread exited during start-up (code ${code})`)));
      });
    } finally {
      worker.removeAllListeners();
    }
    return new CallWatchdog(new Int32Array(words), worker);
  }

  /** A call with request id `id` starts now. */
  arm(id: number): void {
    Atomics.store(this.#words, JOB, id);
    Atomics.store(this.#words, SEQ, ++this.#seq);
    if (Atomics.load(this.#words, SLEEPING) === 1) Atomics.notify(this.#words, SEQ);
  }

  /**
   * The call ended.
   * @returns whether the watchdog interrupted it
   */
  disarm(): boolean {
    const armed = this.#seq;
    Atomics.store(this.#words, SEQ, ++this.#seq);
    return Atomics.load(this.#words, FIRED) === armed;
  }

  /** Ends the watchdog thread. */
  async stop(): Promise<void> {
    Atomics.store(this.#words, SEQ, STOPPED);
    Atomics.notify(this.#words, SEQ);
    await this.#worker.terminate();
  }
}
