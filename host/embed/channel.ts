/**
 * The main side of one instance's worker: starts it, sends requests one at a
 * time in the order they were made, enforces the per-call timeout, and ends
 * the worker on dispose, timeout or failure.
 *
 * @module
 */
import { Worker } from 'node:worker_threads';
import { shareInterpreterModule } from '../../wasm/shared-module.js';
import { RUNTIME_LIB_DIR } from '../../runtime/lib-dir.js';
import { MicroPythonDisposedError, MicroPythonTimeoutError } from './errors.js';
import { failureToError } from './failure.js';
import type { ResolvedOptions } from './options.js';
import type { OutputSink, RecordedOutput } from './output.js';
import type { Request, WorkerInit, WorkerMessage } from './protocol.js';
import { workerUrl } from './worker-url.js';
import { newOutputCredit, returnOutputCredit } from './output-credit.js';

/** V8 stack of each instance's thread; deep Python recursion needs more than the 4 MB default. */
const STACK_SIZE_MB = 8;
/** What Node keeps back from the thread's stack for itself. */
const STACK_RESERVE_BYTES = 256 * 1024;

/**
 * How long dispose waits for the worker to exit. A thread stuck in a host
 * call (kernel-level, e.g. a read on a hung network filesystem) cannot be
 * ended: past this, dispose resolves and the thread is abandoned.
 */
export const DISPOSE_GRACE_MS = 2000;

let liveWorkers = 0;

/** Worker threads of MicroPython instances that have not exited yet (for leak checks). */
export function liveWorkerCount(): number {
  return liveWorkers;
}

/** A request's result, with the output it wrote when recording was asked for. */
export interface JobResult {
  readonly value: unknown;
  readonly output: RecordedOutput | undefined;
}

interface Job {
  readonly id: number;
  readonly op: string;
  readonly req: Request;
  readonly record: boolean;
  resolve(result: JobResult): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

/** One instance's worker and its request queue. */
export class WorkerChannel {
  readonly #worker: Worker;
  readonly #sink: OutputSink;
  readonly #timeoutMs: number | undefined;
  readonly #exited: Promise<void>;
  readonly #credit: Int32Array;
  readonly #queue: Job[] = [];
  #current: Job | undefined;
  #nextId = 1;
  /** Why new calls fail; set once the worker is being ended. */
  #closed: MicroPythonDisposedError | undefined;

  private constructor(worker: Worker, sink: OutputSink, timeoutMs: number | undefined, exited: Promise<void>, credit: Int32Array) {
    this.#worker = worker;
    this.#credit = credit;
    this.#sink = sink;
    this.#timeoutMs = timeoutMs;
    this.#exited = exited;
    worker.on('message', (m: WorkerMessage) => this.#onMessage(m));
    worker.on('error', (e: Error) => {
      this.#shutdown(`this MicroPython instance's worker failed (${e.message}); create a new instance`, e);
    });
    worker.on('exit', (code: number) => {
      this.#shutdown(`this MicroPython instance's worker exited unexpectedly (code ${code}); create a new instance`);
    });
    worker.unref();
  }

  /**
   * Starts a worker and waits until its interpreter has booted.
   * @throws Error when the interpreter fails to start
   */
  static async open(options: ResolvedOptions, sink: OutputSink): Promise<WorkerChannel> {
    const init: WorkerInit = {
      settings: options.worker,
      interpreter: shareInterpreterModule(),
      runtimeLibDir: RUNTIME_LIB_DIR,
      v8StackBytes: STACK_SIZE_MB * 1024 * 1024 - STACK_RESERVE_BYTES,
      outputCredit: newOutputCredit(),
    };
    // No inherited execArgv: flags such as --input-type or a test runner's loaders do not apply to the worker's plain .js entry.
    const worker = new Worker(workerUrl(), { workerData: init, execArgv: [], resourceLimits: { stackSizeMb: STACK_SIZE_MB } });
    liveWorkers++;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    void exited.then(() => liveWorkers--);
    let onMessage: (m: WorkerMessage) => void = () => {};
    let onError: (e: Error) => void = () => {};
    let onExit: (code: number) => void = () => {};
    try {
      await new Promise<void>((resolve, reject) => {
        onMessage = (m) => {
          if (m.kind === 'ready') resolve();
          else if (m.kind === 'bootError') reject(new Error(`MicroPython.create: the interpreter failed to start: ${m.message}`));
          else if (m.kind === 'output') {
            sink.write(m.fd, m.bytes);
            returnOutputCredit(init.outputCredit, m.bytes.length);
          }
        };
        onError = (e) => reject(new Error(`MicroPython.create: the worker failed to start: ${e.message}`, { cause: e }));
        onExit = (code) => reject(new Error(`MicroPython.create: the worker exited during start-up (code ${code})`));
        worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      });
    } catch (e) {
      await worker.terminate();
      await exited;
      throw e;
    } finally {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    }
    return new WorkerChannel(worker, sink, options.timeoutMs, exited, init.outputCredit);
  }

  /** Whether the channel still takes requests. */
  get open(): boolean {
    return this.#closed === undefined;
  }

  /**
   * Queues a request.
   * @param op the API method, for messages (`exec`, `fs.readFile`, ...)
   * @param record collect the output the request writes into the result
   */
  send(op: string, req: Request, record = false): Promise<JobResult> {
    if (this.#closed) return Promise.reject(new MicroPythonDisposedError(this.#closed.message, { cause: this.#closed.cause }));
    return new Promise<JobResult>((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, op, req, record, resolve, reject });
      this.#pump();
    });
  }

  /**
   * Ends the worker; a pending call rejects with `MicroPythonDisposedError`.
   * Resolves once it has exited, or after {@link DISPOSE_GRACE_MS} when it
   * cannot (then with a process warning).
   */
  async close(): Promise<void> {
    this.#shutdown('this MicroPython instance was disposed');
    let timer: NodeJS.Timeout | undefined;
    const abandoned = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), DISPOSE_GRACE_MS);
    });
    const stuck = await Promise.race([this.#exited.then(() => false), abandoned]);
    clearTimeout(timer);
    if (stuck) {
      process.emitWarning(
        `mpy: a disposed MicroPython instance's worker did not end within ${DISPOSE_GRACE_MS} ms (it is blocked in a host call); it was abandoned`,
      );
    }
    this.#sink.end();
  }

  #pump(): void {
    if (this.#current || this.#closed) return;
    const job = this.#queue.shift();
    if (!job) return;
    this.#current = job;
    if (job.record) this.#sink.startRecording();
    this.#worker.ref();
    this.#worker.postMessage({ id: job.id, ...job.req });
    if (this.#timeoutMs !== undefined) {
      const ms = this.#timeoutMs;
      job.timer = setTimeout(() => {
        this.#finish(job);
        job.reject(new MicroPythonTimeoutError(job.op, ms));
        this.#shutdown(`this MicroPython instance was terminated after ${job.op} exceeded timeoutMs (${ms} ms); create a new instance`);
      }, ms);
    }
  }

  /** Detaches the current job; returns what it recorded. */
  #finish(job: Job): RecordedOutput | undefined {
    clearTimeout(job.timer);
    this.#current = undefined;
    return job.record ? this.#sink.stopRecording() : undefined;
  }

  #onMessage(m: WorkerMessage): void {
    if (m.kind === 'output') {
      this.#sink.write(m.fd, m.bytes);
      returnOutputCredit(this.#credit, m.bytes.length);
      return;
    }
    const job = this.#current;
    if (m.kind !== 'reply' || !job || m.id !== job.id) return;
    const output = this.#finish(job);
    if (m.ok) job.resolve({ value: m.value, output });
    else job.reject(failureToError(m.failure));
    if (this.#queue.length === 0) this.#worker.unref();
    this.#pump();
  }

  #shutdown(reason: string, cause?: Error): void {
    if (this.#closed) return;
    this.#closed = new MicroPythonDisposedError(reason, { cause });
    const job = this.#current;
    if (job) {
      this.#finish(job);
      job.reject(new MicroPythonDisposedError(`${job.op} did not finish: ${reason}`, { cause }));
    }
    for (const queued of this.#queue.splice(0)) {
      queued.reject(new MicroPythonDisposedError(`${queued.op} did not start: ${reason}`, { cause }));
    }
    void this.#worker.terminate();
  }
}
