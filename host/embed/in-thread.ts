/**
 * The in-thread transport (`thread: 'current'`): the interpreter boots in the
 * calling thread and each request runs there, synchronously, when it is made
 * (after those made before it). No thread hop, so no wake-ups per call; in
 * exchange nothing can terminate Python that does not stop by itself: only
 * KeyboardInterrupt reaches it, from `timeoutMs`'s watchdog thread
 * (call-watchdog.ts) or a callback running inside the call (see
 * `MicroPythonOptions.thread`).
 *
 * Each has its own interpreter and its own evaluation of the glue (see
 * `wasm/glue-script.ts`), so any number live side by side in a thread, and
 * beside other copies of the glue there.
 *
 * @module
 */
import { RUNTIME_LIB_DIR } from '../../runtime/guest-layout.js';
import { PythonError } from '../../runtime/errors.js';
import { requestKeyboardInterrupt } from '../../runtime/interrupt.js';
import { EmbeddedVm } from './embedded-vm.js';
import { MicroPythonDisposedError, MicroPythonTimeoutError } from './errors.js';
import { CallWatchdog } from './call-watchdog.js';
import { failureToError } from './failure.js';
import type { JsModuleHost } from './js-module-host.js';
import type { ResolvedOptions } from './options.js';
import type { OutputSink } from './output.js';
import type { Request } from './protocol.js';
import { readReplyFrame, type Reply } from './reply-frame.js';
import { ThreadStdio } from './thread-stdio.js';
import { type Job, RequestQueue } from './request-queue.js';
import type { JobResult, SendOptions, Transport } from './transport.js';

/** An instance's `timeoutMs` and what enforces it. */
interface Watchdog {
  readonly dog: CallWatchdog;
  readonly timeoutMs: number;
}

/** One in-thread interpreter and its request queue. */
export class InThreadChannel implements Transport {
  #vm: EmbeddedVm | undefined;
  readonly #sink: OutputSink;
  readonly #interruptedRequest: Int32Array;
  readonly #queue = new RequestQueue(
    (job) => this.#abort(job),
    () => this.#pump(),
  );
  #current: Job | undefined;
  /** Why new calls fail; set once the instance is being ended. */
  #closed: MicroPythonDisposedError | undefined;

  /** With `timeoutMs`: what interrupts a call that runs past it. */
  readonly #watchdog: Watchdog | undefined;

  private constructor(vm: EmbeddedVm, sink: OutputSink, interruptedRequest: Int32Array, watchdog: Watchdog | undefined) {
    this.#vm = vm;
    this.#watchdog = watchdog;
    this.#sink = sink;
    this.#interruptedRequest = interruptedRequest;
  }

  /**
   * Boots the interpreter in this thread.
   * @throws Error when the interpreter fails to start
   */
  static async open(options: ResolvedOptions, sink: OutputSink, jsModules?: JsModuleHost): Promise<InThreadChannel> {
    const interruptedRequest = new Int32Array(new SharedArrayBuffer(4));
    let vm: EmbeddedVm;
    try {
      vm = await EmbeddedVm.boot({
        settings: options.worker,
        stdio: new ThreadStdio(sink, options.worker.stdin),
        runtimeLibDir: RUNTIME_LIB_DIR,
        // The calling thread's stack is Node's default as far as mpy can know.
        v8StackBytes: undefined,
        interruptedRequest,
        ...(jsModules && { jsCalls: () => jsModules.inThreadCallModule() }),
      });
    } catch (e) {
      const message = e instanceof PythonError ? e.traceback : e instanceof Error ? e.message : String(e);
      throw new Error(`MicroPython.create: the interpreter failed to start: ${message}`, { cause: e });
    }
    const watchdog = options.timeoutMs === undefined ? undefined : await startWatchdog(vm, interruptedRequest, options.timeoutMs);
    return new InThreadChannel(vm, sink, interruptedRequest, watchdog);
  }

  /** {@inheritDoc Transport.open} */
  get open(): boolean {
    return this.#closed === undefined;
  }

  /** {@inheritDoc Transport.send} */
  send(op: string, req: Request, options: SendOptions = {}): Promise<JobResult> {
    if (this.#closed) return Promise.reject(new MicroPythonDisposedError(this.#closed.message));
    return this.#queue.add(op, req, options);
  }

  /** {@inheritDoc Transport.runInOrder} */
  runInOrder(op: string, action: () => void): Promise<void> {
    if (this.#closed) return Promise.reject(new MicroPythonDisposedError(this.#closed.message));
    return this.#queue.addLocal(op, action);
  }

  /**
   * Raises KeyboardInterrupt in the running request. One runs only while
   * this thread is inside it, so only an output callback or a registered JS
   * function can find one running.
   * @throws Error when this build cannot interrupt running Python
   */
  interrupt(): boolean {
    const job = this.#current;
    const target = this.#vm?.interruptTarget;
    if (this.#vm && !target) {
      throw new Error('this MicroPython build cannot interrupt running Python (its wasm memory is not shared: MPY_WASM=original)');
    }
    if (!job || !target || this.#closed) return false;
    Atomics.store(this.#interruptedRequest, 0, job.id);
    requestKeyboardInterrupt(target);
    return true;
  }

  /** {@inheritDoc Transport.close} */
  async close(): Promise<void> {
    this.#shutdown('this MicroPython instance was disposed');
    this.#sink.end();
    await this.#watchdog?.dog.stop();
  }

  /** Runs the queued jobs, in order; a job made while one runs (from a callback) waits for it. */
  #pump(): void {
    if (this.#current) return;
    for (let job = this.#queue.next(); job !== undefined && !this.#closed; job = this.#queue.next()) {
      if (job.local) RequestQueue.runLocal(job, job.local);
      else this.#run(job, job.req!);
    }
  }

  #run(job: Job, req: Request): void {
    const vm = this.#vm!;
    this.#current = job;
    if (job.record) this.#sink.startRecording();
    let reply: Reply;
    let timedOut = false;
    const watchdog = this.#watchdog;
    watchdog?.dog.arm(job.id);
    try {
      const outcome = vm.answer(job.id, req);
      reply = 'frame' in outcome ? readReplyFrame(outcome.frame) : { ok: true, value: outcome.value };
    } catch (e) {
      reply = { ok: false, failure: { kind: 'host', message: e instanceof Error ? e.message : String(e) } };
    } finally {
      timedOut = watchdog?.dog.disarm() ?? false;
      this.#current = undefined;
      job.unlisten?.();
      this.#sink.endOfCall();
    }
    const output = job.record ? this.#sink.stopRecording() : undefined;
    if (timedOut) job.reject(new MicroPythonTimeoutError(job.op, watchdog!.timeoutMs, false));
    else if (reply.ok) job.resolve({ value: reply.value, output });
    else job.reject(failureToError(reply.failure));
    // Disposed from a callback while the job ran: the interpreter goes now that it is out of it.
    if (this.#closed) this.#release();
  }

  #abort(job: Job): void {
    if (this.#current === job) {
      // Only a callback running inside the job can get here; without interrupts the job runs to its end.
      if (this.#vm?.interruptTarget) this.interrupt();
      return;
    }
    this.#queue.dropAborted(job);
  }

  #shutdown(reason: string): void {
    if (this.#closed) return;
    this.#closed = new MicroPythonDisposedError(reason);
    this.#queue.rejectAll((queued) => new MicroPythonDisposedError(`${queued.op} did not start: ${reason}`));
    if (!this.#current) this.#release();
  }

  /** Lets the interpreter go (its memory is collected with it). */
  #release(): void {
    this.#vm = undefined;
  }
}

/** The watchdog that gives an in-thread instance its `timeoutMs` (see call-watchdog.ts). */
async function startWatchdog(vm: EmbeddedVm, interruptedRequest: Int32Array, timeoutMs: number): Promise<Watchdog> {
  const target = vm.interruptTarget;
  if (!target) {
    throw new Error(
      "MicroPython.create: timeoutMs with thread: 'current' needs a build that can interrupt running Python (its wasm memory is not shared: MPY_WASM=original)",
    );
  }
  try {
    return { dog: await CallWatchdog.start(target, interruptedRequest.buffer as SharedArrayBuffer, timeoutMs), timeoutMs };
  } catch (e) {
    throw new Error(`MicroPython.create: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}
