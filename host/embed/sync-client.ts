/**
 * `MicroPythonSync`: a blocking front to a MicroPython instance, for scripts
 * that cannot await. Each call blocks the calling thread (`Atomics.wait`)
 * until a bridge worker, which runs an ordinary async `MicroPython`, has the
 * answer.
 *
 * @module
 */
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { compiledFile } from '../../base/package-files.js';
import type { PyInput, PyValue } from './codec.js';
import { encodeValue } from './codec.js';
import type { RunResult } from './client.js';
import { runFileRequest, type RunFileOptions } from './run-options.js';
import { MicroPythonDisposedError, MicroPythonTimeoutError } from './errors.js';
import type { MicroPythonOptions } from './options.js';
import { validateOptions } from './options.js';
import { ExitError, PythonError } from '../../runtime/errors.js';
import type { SyncBridgeInit, SyncCall, SyncError, SyncReply } from './sync-protocol.js';

/** The options `MicroPythonSync.create` takes: those of `MicroPython.create`, with no callbacks. */
export type MicroPythonSyncOptions = Omit<MicroPythonOptions, 'stdout' | 'stderr' | 'thread'> & {
  /**
   * Only `'worker'` (the default): Python runs in the bridge's thread, never
   * in the caller's, which is blocked while Python runs.
   */
  readonly thread?: 'worker';
  /** `'capture'` (default), `'inherit'` or `'ignore'`: a callback cannot run while the thread is blocked. */
  readonly stdout?: 'capture' | 'inherit' | 'ignore';
  /** As `stdout`. */
  readonly stderr?: 'capture' | 'inherit' | 'ignore';
};

function rebuild(error: SyncError): Error {
  switch (error.kind) {
    case 'PythonError':
      return new PythonError(error.type, error.traceback);
    case 'ExitError':
      return new ExitError(error.exitCode);
    case 'TimeoutError':
      return new MicroPythonTimeoutError(error.operation, error.timeoutMs, error.terminated);
    case 'DisposedError':
      return new MicroPythonDisposedError(error.message);
    case 'TypeError':
      return new TypeError(error.message);
    case 'Error':
      return new Error(error.message);
  }
}

/**
 * How long `create` waits for the bridge to report the interpreter started
 * (or failed to): a bridge that could not even load would never answer.
 */
const START_LIMIT_MS = 60_000;

/** Waits, blocking this thread, for the bridge's next reply; `undefined` if `ms` passed first. */
function awaitReply(port: MessagePort, signal: Int32Array, ms = Infinity): SyncReply | undefined {
  if (Atomics.wait(signal, 0, 0, ms) === 'timed-out') return undefined;
  Atomics.store(signal, 0, 0);
  const received = receiveMessageOnPort(port);
  if (received === undefined) throw new Error('mpy: MicroPythonSync: woken without a reply (internal error; please report it)');
  return received.message as SyncReply;
}

/**
 * A MicroPython instance whose methods **block the calling thread** until
 * Python is done: nothing else runs on that thread meanwhile (no timers, no
 * I/O callbacks, no promise jobs). Use it only where awaiting is impossible,
 * and give it a `timeoutMs`: without one, a Python loop that never ends blocks
 * the thread for ever. Behind it is an ordinary {@link MicroPython} in a
 * bridge worker, so options, values and errors are those of the async API.
 */
export class MicroPythonSync implements Disposable {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #signal: Int32Array;
  #disposed = false;

  private constructor(worker: Worker, port: MessagePort, signal: Int32Array) {
    this.#worker = worker;
    this.#port = port;
    this.#signal = signal;
  }

  /**
   * Starts an instance, blocking until its interpreter has booted.
   * @throws TypeError for a wrong option (a callback for `stdout`/`stderr` included)
   * @throws Error when the interpreter fails to start
   */
  static create(options: MicroPythonSyncOptions = {}): MicroPythonSync {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (typeof options[stream] === 'function') {
        throw new TypeError(
          `MicroPythonSync.create: ${stream} cannot be a callback (it could not run while the thread is blocked); use 'capture', 'inherit' or 'ignore'`,
        );
      }
    }
    if (options.thread !== undefined && options.thread !== 'worker') {
      throw new TypeError(
        `MicroPythonSync.create: thread: ${JSON.stringify(options.thread)} is not available (the calling thread is blocked while Python runs, so Python cannot run in it); leave thread out, or use MicroPython.create({ thread: 'current' }) to run Python in this thread`,
      );
    }
    validateOptions(options);
    const signal = new SharedArrayBuffer(4);
    const { port1, port2 } = new MessageChannel();
    const init: SyncBridgeInit = { options, signal, port: port2 };
    const worker = new Worker(pathToFileURL(compiledFile('host/embed/sync-bridge.js')), {
      workerData: init,
      transferList: [port2],
      execArgv: [],
    });
    worker.unref();
    port1.unref();
    const instance = new MicroPythonSync(worker, port1, new Int32Array(signal));
    const reply = awaitReply(port1, instance.#signal, START_LIMIT_MS);
    if (reply === undefined) {
      void worker.terminate();
      throw new Error(
        `MicroPythonSync.create: the bridge worker did not start within ${START_LIMIT_MS / 1000} s; check that mpy is built (npm run build)`,
      );
    }
    if (!reply.ok) {
      void worker.terminate();
      throw rebuild(reply.error);
    }
    return instance;
  }

  /** Runs statements in `__main__`; see `MicroPython.exec`. */
  exec(code: string): void {
    this.#call('exec', code);
  }

  /** Evaluates an expression in `__main__`; see `MicroPython.eval`. */
  eval<T extends PyValue = PyValue>(expression: string): T {
    return this.#call('eval', expression) as T;
  }

  /** Calls a Python callable by dotted name; see `MicroPython.call`. */
  call<T extends PyValue = PyValue>(target: string, ...args: PyInput[]): T {
    return this.callKw<T>(target, args, {});
  }

  /** Calls with keyword arguments; see `MicroPython.callKw`. */
  callKw<T extends PyValue = PyValue>(target: string, args: readonly PyInput[], kwargs: Readonly<Record<string, PyInput>>): T {
    // Checked here, so that a value with no Python counterpart is the caller's TypeError with its own stack.
    encodeValue(args, 'args');
    encodeValue(kwargs, 'kwargs');
    return this.#call('callKw', target, args, kwargs) as T;
  }

  /** The value of a dotted name; see `MicroPython.get`. */
  get<T extends PyValue = PyValue>(target: string): T {
    return this.#call('get', target) as T;
  }

  /** Runs a file as `__main__`, with this run's own `argv`, `env` and `stdin` when given; see `MicroPython.runFile`. */
  runFile(path: string, options?: Omit<RunFileOptions, 'signal'>): RunResult {
    if (options !== undefined && 'signal' in options)
      throw new TypeError('runFile: MicroPythonSync takes no signal (the thread is blocked; use timeoutMs)');
    runFileRequest(path, options);
    return this.#call('runFile', path, options) as RunResult;
  }

  /** Captured stdout; see `MicroPython.stdout`. */
  get stdout(): string {
    return this.#call('stdout') as string;
  }

  /** Captured stderr; see `MicroPython.stderr`. */
  get stderr(): string {
    return this.#call('stderr') as string;
  }

  /** Forgets captured output. */
  clearOutput(): void {
    this.#call('clearOutput');
  }

  /** Whether the instance still takes calls. */
  get usable(): boolean {
    return !this.#disposed;
  }

  /** Ends the instance (blocking until its interpreter's worker has exited). Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    try {
      this.#call('dispose');
    } finally {
      this.#disposed = true;
      this.#port.close();
      void this.#worker.terminate();
    }
  }

  /** Same as {@link dispose}, for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  #call(method: SyncCall['method'], ...args: unknown[]): unknown {
    if (this.#disposed) throw new MicroPythonDisposedError(`MicroPythonSync.${method}: this instance was disposed`);
    const call: SyncCall = { method, args };
    this.#port.postMessage(call);
    const reply = awaitReply(this.#port, this.#signal)!;
    if (!reply.ok) throw rebuild(reply.error);
    return reply.value;
  }
}
