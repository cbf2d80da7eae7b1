/**
 * The main side of one instance's worker: starts it, sends requests one at a
 * time in the order they were made (through the call buffer, see
 * call-buffer.ts, or the instance's port), interrupts the running one on request
 * (`interrupt()`, an abort signal, the per-call timeout) and ends the worker
 * on dispose, failure, or an interrupt Python did not yield to in time.
 *
 * @module
 */
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { shareInterpreterModule } from '../../wasm/shared-module.js';
import { RUNTIME_LIB_DIR } from '../../runtime/guest-layout.js';
import { MicroPythonDisposedError, MicroPythonTimeoutError } from './errors.js';
import { requestKeyboardInterrupt, type InterruptTarget } from '../../runtime/interrupt.js';
import { failureToError } from './failure.js';
import type { ResolvedOptions } from './options.js';
import type { OutputSink, RecordedOutput } from './output.js';
import type { Failure, PortMessage, Request, StartMessage, WorkerInit } from './protocol.js';
import { CallBuffer, pollWhile, REPLY, REQUEST, waitAsync } from './call-buffer.js';
import { readReplyFrame } from './reply-frame.js';
import { type Job, RequestQueue } from './request-queue.js';
import { abortReason, type JobResult, type SendOptions, type Transport } from './transport.js';
import { workerUrl } from './worker-url.js';
import { newOutputCredit, returnOutputCredit } from './output-credit.js';
import type { JsCallsInit } from './js-module-host.js';

/** V8 stack of each instance's thread; deep Python recursion needs more than the 4 MB default. */
const STACK_SIZE_MB = 8;
/** What Node keeps back from the thread's stack for itself. */
const STACK_RESERVE_BYTES = 256 * 1024;
/**
 * How long this thread polls for a reply before it waits for it with its
 * event loop running: a short call (a small `eval`) is answered within tens
 * of microseconds, which waking from `Atomics.waitAsync` would double. A
 * longer call costs this thread this much CPU once.
 */
const REPLY_POLL_US = 50;

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

/** A job of the worker channel, with its time limits. */
interface WorkerJob extends Job {
  timer?: NodeJS.Timeout;
  /** Ends the worker when the interrupted job does not give control back. */
  graceTimer?: NodeJS.Timeout;
  /** Set once `timeoutMs` passed: the job rejects with a timeout whatever it returns. */
  timedOut?: boolean;
}

/** One instance's worker and its request queue. */
export class WorkerChannel implements Transport {
  readonly #worker: Worker;
  readonly #sink: OutputSink;
  readonly #timeoutMs: number | undefined;
  readonly #graceMs: number;
  readonly #interrupt: InterruptTarget | undefined;
  readonly #interruptedRequest: Int32Array;
  readonly #exited: Promise<void>;
  readonly #credit: Int32Array;
  readonly #port: MessagePort;
  readonly #calls: CallBuffer;
  /** Requests sent so far (the call buffer's REQUEST count). */
  #sent = 0;
  readonly #queue = new RequestQueue<WorkerJob>(
    (job) => this.#abort(job),
    () => this.#pump(),
  );
  #current: WorkerJob | undefined;
  /** Why new calls fail; set once the worker is being ended. */
  #closed: MicroPythonDisposedError | undefined;

  private constructor(
    worker: Worker,
    sink: OutputSink,
    options: ResolvedOptions,
    exited: Promise<void>,
    link: { port: MessagePort; calls: CallBuffer; credit: Int32Array },
    interrupt: { target: InterruptTarget | undefined; request: Int32Array },
  ) {
    this.#worker = worker;
    this.#port = link.port;
    this.#calls = link.calls;
    this.#credit = link.credit;
    this.#sink = sink;
    this.#timeoutMs = options.timeoutMs;
    this.#graceMs = options.interruptGraceMs;
    this.#interrupt = interrupt.target;
    this.#interruptedRequest = interrupt.request;
    this.#exited = exited;
    link.port.removeAllListeners('message');
    link.port.on('message', (m: PortMessage) => this.#onPortMessage(m));
    link.port.unref();
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
  static async open(options: ResolvedOptions, sink: OutputSink, jsCalls?: JsCallsInit): Promise<WorkerChannel> {
    const { port1, port2 } = new MessageChannel();
    const calls = CallBuffer.allocate();
    const init: WorkerInit = {
      settings: options.worker,
      calls: calls.shared,
      port: port2,
      interpreter: shareInterpreterModule(),
      runtimeLibDir: RUNTIME_LIB_DIR,
      v8StackBytes: STACK_SIZE_MB * 1024 * 1024 - STACK_RESERVE_BYTES,
      interruptedRequest: new SharedArrayBuffer(4),
      outputCredit: newOutputCredit(),
      ...(jsCalls && { jsCalls }),
    };
    let target: InterruptTarget | undefined;
    // No inherited execArgv: flags such as --input-type or a test runner's loaders do not apply to the worker's plain .js entry.
    const worker = new Worker(workerUrl(), {
      workerData: init,
      transferList: jsCalls ? [port2, jsCalls.port] : [port2],
      execArgv: [],
      resourceLimits: { stackSizeMb: STACK_SIZE_MB },
    });
    liveWorkers++;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    void exited.then(() => liveWorkers--);
    // Output written while booting comes before the channel exists.
    port1.on('message', (m: PortMessage) => {
      if (m.kind !== 'output') return;
      sink.write(m.fd, m.bytes);
      returnOutputCredit(init.outputCredit, m.bytes.length);
    });
    let onMessage: (m: StartMessage) => void = () => {};
    let onError: (e: Error) => void = () => {};
    let onExit: (code: number) => void = () => {};
    try {
      await new Promise<void>((resolve, reject) => {
        onMessage = (m) => {
          if (m.kind === 'ready') {
            target = m.interrupt ?? undefined;
            resolve();
          } else if (m.kind === 'bootError') reject(new Error(`MicroPython.create: the interpreter failed to start: ${m.message}`));
        };
        onError = (e) => reject(new Error(`MicroPython.create: the worker failed to start: ${e.message}`, { cause: e }));
        onExit = (code) => reject(new Error(`MicroPython.create: the worker exited during start-up (code ${code})`));
        worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      });
    } catch (e) {
      port1.close();
      await worker.terminate();
      await exited;
      throw e;
    } finally {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    }
    // Output the worker posted before it said it was ready.
    for (let m = receiveMessageOnPort(port1); m !== undefined; m = receiveMessageOnPort(port1)) {
      const out = m.message as PortMessage;
      if (out.kind === 'output') {
        sink.write(out.fd, out.bytes);
        returnOutputCredit(init.outputCredit, out.bytes.length);
      }
    }
    void exited.then(() => port1.close());
    return new WorkerChannel(
      worker,
      sink,
      options,
      exited,
      { port: port1, calls, credit: init.outputCredit },
      {
        target,
        request: new Int32Array(init.interruptedRequest),
      },
    );
  }

  /** Whether the channel still takes requests. */
  get open(): boolean {
    return this.#closed === undefined;
  }

  /** Whether running Python can be interrupted (the build's memory is shared). */
  get interruptible(): boolean {
    return this.#interrupt !== undefined;
  }

  /**
   * Queues a request.
   * @param op the API method, for messages (`exec`, `fs.readFile`, ...)
   */
  send(op: string, req: Request, options: SendOptions = {}): Promise<JobResult> {
    if (this.#closed) return Promise.reject(new MicroPythonDisposedError(this.#closed.message, { cause: this.#closed.cause }));
    return this.#queue.add(op, req, options);
  }

  /**
   * Runs `action` on this side once the requests queued before it are done,
   * before those queued after it start (a setting that applies from a point
   * in the call order). Resolves when it ran; rejects as {@link send} does.
   */
  runInOrder(op: string, action: () => void): Promise<void> {
    if (this.#closed) return Promise.reject(new MicroPythonDisposedError(this.#closed.message, { cause: this.#closed.cause }));
    return this.#queue.addLocal(op, action);
  }

  /**
   * Raises KeyboardInterrupt in the running request, if any.
   * @returns whether a request was running
   * @throws Error when this build cannot interrupt running Python
   */
  interrupt(): boolean {
    if (!this.#interrupt) {
      throw new Error(
        'this MicroPython build cannot interrupt running Python (its wasm memory is not shared: MPY_WASM=original, ' +
          'or the build step found no interrupt support; run `npm run build` and see its messages)',
      );
    }
    const job = this.#current;
    if (!job || this.#closed) return false;
    this.#interruptJob(job);
    return true;
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
    const job = this.#queue.next();
    if (!job) {
      this.#worker.unref();
      return;
    }
    if (job.local) {
      RequestQueue.runLocal(job, job.local);
      this.#pump();
      return;
    }
    this.#current = job;
    if (job.record) this.#sink.startRecording();
    this.#worker.ref();
    this.#post(job);
    if (this.#timeoutMs !== undefined) {
      const ms = this.#timeoutMs;
      job.timer = setTimeout(() => {
        job.timedOut = true;
        if (this.#interrupt) {
          this.#interruptTimedOut(job);
          return;
        }
        this.#finish(job);
        job.reject(new MicroPythonTimeoutError(job.op, ms, true));
        this.#shutdown(`this MicroPython instance was terminated after ${job.op} exceeded timeoutMs (${ms} ms); create a new instance`);
      }, ms);
    }
  }

  /** Raises KeyboardInterrupt in the running `job` (Python may catch it and go on). */
  #interruptJob(job: WorkerJob): void {
    Atomics.store(this.#interruptedRequest, 0, job.id);
    requestKeyboardInterrupt(this.#interrupt!);
  }

  /** Interrupts the timed-out `job`; ends the worker if it does not reply within the grace period. */
  #interruptTimedOut(job: WorkerJob): void {
    this.#interruptJob(job);
    job.graceTimer = setTimeout(() => {
      const reason = `${job.op} did not give control back within interruptGraceMs (${this.#graceMs} ms) of being interrupted`;
      this.#finish(job);
      job.reject(new MicroPythonTimeoutError(job.op, this.#timeoutMs!, true));
      this.#shutdown(`this MicroPython instance was terminated: ${reason}; create a new instance`);
    }, this.#graceMs);
  }

  #abort(job: WorkerJob): void {
    if (this.#current === job) {
      if (this.#interrupt) {
        this.#interruptJob(job);
        return;
      }
      this.#finish(job);
      job.reject(abortReason(job.signal!));
      this.#shutdown(
        `this MicroPython instance was terminated when ${job.op} was aborted (this build cannot interrupt running Python); create a new instance`,
      );
      return;
    }
    this.#queue.dropAborted(job);
  }

  /** Detaches the current job; returns what it recorded. */
  #finish(job: WorkerJob): RecordedOutput | undefined {
    clearTimeout(job.timer);
    clearTimeout(job.graceTimer);
    job.unlisten?.();
    this.#current = undefined;
    this.#sink.endOfCall();
    return job.record ? this.#sink.stopRecording() : undefined;
  }

  /** Sends `job`'s request: in the call buffer when it fits and carries no bytes, else on the port. */
  #post(job: WorkerJob): void {
    const message = { id: job.id, ...job.req! };
    if (carriesBytes(job.req!) || !this.#calls.write(JSON.stringify(message))) {
      this.#calls.writeOnPort();
      this.#port.postMessage(message);
    }
    const count = ++this.#sent;
    Atomics.store(this.#calls.words, REQUEST, count);
    Atomics.notify(this.#calls.words, REQUEST);
    if (pollWhile(this.#calls.words, REPLY, count - 1, REPLY_POLL_US)) queueMicrotask(() => this.#onReplySignal(job, count));
    else this.#awaitReply(job, count, count - 1);
  }

  /** Waits (without blocking this thread) until the call buffer's REPLY count moves on from `seen`. */
  #awaitReply(job: WorkerJob, count: number, seen: number): void {
    const wait = waitAsync(this.#calls.words, REPLY, seen);
    if (wait.async) void wait.value.then(() => this.#onReplySignal(job, count));
    else queueMicrotask(() => this.#onReplySignal(job, count));
  }

  #onReplySignal(job: WorkerJob, count: number): void {
    if (this.#current !== job) return;
    const answered = Atomics.load(this.#calls.words, REPLY);
    if (answered !== count) {
      this.#awaitReply(job, count, answered);
      return;
    }
    const frame = this.#calls.read();
    // Output the worker posted before replying comes first (and a reply too large for the buffer is there too).
    // A reply on the port settles the job and may start the next one, whose
    // messages stay on the port: the check comes before each take, or a
    // message taken after it would be lost.
    while (this.#current === job) {
      const m = receiveMessageOnPort(this.#port);
      if (m === undefined) break;
      this.#onPortMessage(m.message as PortMessage);
    }
    if (frame !== undefined) this.#complete(job, frame);
  }

  #onPortMessage(m: PortMessage): void {
    if (m.kind === 'output') {
      this.#sink.write(m.fd, m.bytes);
      returnOutputCredit(this.#credit, m.bytes.length);
      return;
    }
    const job = this.#current;
    if (!job) return;
    if ('frame' in m) this.#complete(job, m.frame);
    else this.#settle(job, { ok: true, value: m.value });
  }

  /** Settles `job` with a reply frame (see protocol.ts). */
  #complete(job: WorkerJob, frame: string): void {
    this.#settle(job, readReplyFrame(frame));
  }

  #settle(job: WorkerJob, reply: { ok: true; value: unknown } | { ok: false; failure: Failure }): void {
    const output = this.#finish(job);
    if (job.timedOut) job.reject(new MicroPythonTimeoutError(job.op, this.#timeoutMs!, false));
    else if (reply.ok) job.resolve({ value: reply.value, output });
    else job.reject(failureToError(reply.failure));
    if (this.#queue.size === 0) this.#worker.unref();
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
    this.#queue.rejectAll((queued) => new MicroPythonDisposedError(`${queued.op} did not start: ${reason}`, { cause }));
    void this.#worker.terminate();
    // Releases a reply wait still pending.
    Atomics.notify(this.#calls.words, REPLY);
  }
}

/** Whether a request holds bytes (which the call buffer's JSON text would not keep). */
function carriesBytes(req: Request): boolean {
  return ('data' in req && req.data instanceof Uint8Array) || ('stdin' in req && req.stdin !== undefined);
}
