/**
 * `MicroPython`: an isolated MicroPython instance for Node test harnesses and
 * other embedders, each in its own worker thread (or, with `thread:
 * 'current'`, in the calling thread).
 *
 * @module
 */
import { encodeValue, type PyInput, type PyValue } from './codec.js';
import { WorkerChannel } from './channel.js';
import { InThreadChannel } from './in-thread.js';
import type { Transport } from './transport.js';
import { MicroPythonFs } from './fs-helpers.js';
import { MicroPythonGlobals } from './globals.js';
import { checkMount, isOutputOption, OUTPUT_OPTION_TEXT, validateOptions, type MicroPythonOptions, type OutputOption } from './options.js';
import { OutputSink } from './output.js';
import { PythonModule } from './python-module.js';
import { asyncSource, asyncTraceback } from './async-source.js';
import { PythonError } from '../../runtime/errors.js';
import { unwrapHandleReply, type HandleSend, type PyHandle } from './py-handle.js';
import type { Request } from './protocol.js';
import { JsModuleHost } from './js-module-host.js';
import { runFileRequest, type RunFileOptions } from './run-options.js';

/** What `runFile` resolves to. */
export interface RunResult {
  /** 0, the SystemExit status (0-255, as the Unix port computes it), 1 after an uncaught exception, 2 if the file cannot be opened. */
  readonly exitCode: number;
  /**
   * What the run wrote to stdout, as UTF-8 text (invalid sequences become
   * U+FFFD), when the `stdout` option is `'capture'`; else `''` (the output
   * went where the option says). Bounded by `outputLimit` like the capture.
   */
  readonly stdout: string;
  /** What the run wrote to stderr, tracebacks included, under the same rules with the `stderr` option. */
  readonly stderr: string;
}

/** Per-call options of the running methods. */
export interface CallOptions {
  /**
   * Aborting it does what {@link MicroPython.interrupt} does to this call
   * while it runs (KeyboardInterrupt: the call rejects with `PythonError`);
   * a call still queued, or given an aborted signal, rejects with the
   * signal's reason without running.
   */
  readonly signal?: AbortSignal;
}

/** Options of the methods that return a value (`eval`, `get`, `callKw`). */
export interface ValueOptions extends CallOptions {
  /**
   * `true`: a value the codec cannot copy (a class instance, a function ...)
   * comes back as a {@link PyHandle} instead of failing with TypeError;
   * plain values still come back as plain values. Default: `false`.
   */
  readonly handle?: boolean;
}

/** {@link ValueOptions} asking for a handle. */
export type HandleOptions = ValueOptions & { readonly handle: true };

const DOTTED_NAME = /^[\p{L}_][\p{L}\p{N}_]*(\.[\p{L}_][\p{L}\p{N}_]*)*$/u;

function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string' || !DOTTED_NAME.test(name)) {
    throw new TypeError(`${what}: ${JSON.stringify(name)} is not a dotted Python name like 'pkg.module.func'`);
  }
  return name;
}

function checkCode(code: unknown, what: string): string {
  if (typeof code !== 'string') throw new TypeError(`${what}: the code must be a string`);
  return code;
}

/**
 * An isolated MicroPython VM in its own worker thread (or in the calling
 * thread: see `MicroPythonOptions.thread`). Calls run one at a
 * time in the order they are made. Python errors reject with `PythonError`,
 * `SystemExit` with `ExitError`; after `timeoutMs` the call is interrupted
 * and rejects with `MicroPythonTimeoutError` (see its `terminated`). Dispose it with
 * `await mp.dispose()` or `await using mp = ...`; an idle instance does not
 * keep the process alive.
 */
export class MicroPython implements AsyncDisposable {
  readonly #channel: Transport;
  readonly #sink: OutputSink;
  /** Present when the instance was created with `js: true`. */
  readonly #jsModules: JsModuleHost | undefined;
  #disposed: Promise<void> | undefined;
  /** File helpers over this instance's filesystem. */
  readonly fs: MicroPythonFs;
  /** The global variables of `__main__`: `get`, `set`, `has`, `delete`. */
  readonly globals: MicroPythonGlobals;

  private constructor(channel: Transport, sink: OutputSink, jsModules?: JsModuleHost) {
    this.#channel = channel;
    this.#sink = sink;
    this.#jsModules = jsModules;
    this.fs = new MicroPythonFs((req) => this.#send(`fs.${req.action}`, req));
    this.globals = new MicroPythonGlobals((op, req) => this.#send(op, req), this);
  }

  /**
   * Starts an instance: a worker thread (none with `thread: 'current'`), the interpreter, the mounts.
   * @throws TypeError for a wrong or contradictory option, saying what to change
   * @throws Error when the interpreter fails to start
   */
  static async create(options?: MicroPythonOptions): Promise<MicroPython> {
    const resolved = validateOptions(options);
    const sink = new OutputSink(resolved.stdout, resolved.stderr, resolved.outputLimit, resolved.lineBuffered);
    const jsModules = resolved.worker.jsBridge ? new JsModuleHost() : undefined;
    try {
      const channel =
        resolved.thread === 'current'
          ? await InThreadChannel.open(resolved, sink, jsModules)
          : await WorkerChannel.open(resolved, sink, jsModules?.workerSide);
      return new MicroPython(channel, sink, jsModules);
    } catch (e) {
      jsModules?.close();
      throw e;
    }
  }

  /** Runs statements in `__main__` (the filename in tracebacks is `<string>`). */
  async exec(code: string, options?: CallOptions): Promise<void> {
    await this.#send('exec', { op: 'exec', code: checkCode(code, 'exec') }, options);
  }

  /**
   * Evaluates one expression in `__main__` and converts its value to JS (see
   * the value table in the docs). `T` is not checked: it only types the result.
   * @throws PythonError TypeError when the value has no JS counterpart (unless `handle: true`)
   */
  eval<T extends PyValue = PyValue>(expression: string, options?: ValueOptions & { readonly handle?: false }): Promise<T>;
  /** Evaluates an expression; a value the codec cannot copy comes back as a {@link PyHandle}. */
  eval(expression: string, options: HandleOptions | ValueOptions): Promise<PyValue | PyHandle>;
  async eval(expression: string, options?: ValueOptions): Promise<PyValue | PyHandle> {
    const req = { op: 'eval', code: checkCode(expression, 'eval'), handle: options?.handle === true } as const;
    return this.#value(await this.#send('eval', req, options), options);
  }

  /**
   * Calls a Python callable with JS arguments converted to Python.
   * `target` is a dotted name: its head is looked up in `__main__`, then in
   * the built-ins, else imported as a module; the rest are attributes or
   * submodules (`'json.dumps'`, `'pkg.mod.Class.method'`, `'len'`).
   * @throws TypeError for an argument with no Python counterpart (before anything runs)
   */
  call<T extends PyValue = PyValue>(target: string, ...args: PyInput[]): Promise<T> {
    return this.callKw<T>(target, args, {});
  }

  /** Like {@link call}, with keyword arguments (and per-call options, which `call` cannot take). */
  callKw<T extends PyValue = PyValue>(
    target: string,
    args: readonly PyInput[],
    kwargs: Readonly<Record<string, PyInput>>,
    options?: ValueOptions & { readonly handle?: false },
  ): Promise<T>;
  /** Like {@link call}; a result the codec cannot copy comes back as a {@link PyHandle}. */
  callKw(
    target: string,
    args: readonly PyInput[],
    kwargs: Readonly<Record<string, PyInput>>,
    options: HandleOptions | ValueOptions,
  ): Promise<PyValue | PyHandle>;
  async callKw(
    target: string,
    args: readonly PyInput[],
    kwargs: Readonly<Record<string, PyInput>>,
    options?: ValueOptions,
  ): Promise<PyValue | PyHandle> {
    const name = checkName(target, 'call');
    const req = {
      op: 'call',
      target: name,
      args: encodeValue(args, 'args', this),
      kwargs: encodeValue(kwargs, 'kwargs', this),
      handle: options?.handle === true,
    } as const;
    return this.#value(await this.#send(`call ${name}`, req, options), options);
  }

  /** The value of a dotted name (resolved as in {@link call}), converted to JS. */
  get<T extends PyValue = PyValue>(target: string, options?: ValueOptions & { readonly handle?: false }): Promise<T>;
  /** The value of a dotted name; one the codec cannot copy comes back as a {@link PyHandle}. */
  get(target: string, options: HandleOptions | ValueOptions): Promise<PyValue | PyHandle>;
  async get(target: string, options?: ValueOptions): Promise<PyValue | PyHandle> {
    const name = checkName(target, 'get');
    return this.#value(await this.#send(`get ${name}`, { op: 'get', target: name, handle: options?.handle === true }, options), options);
  }

  /**
   * Imports a module, as `import name` in `__main__` does (binding its top
   * package there), and returns a handle to call into it.
   */
  async import(name: string, options?: CallOptions): Promise<PythonModule> {
    const checked = checkName(name, 'import');
    await this.#send(`import ${checked}`, { op: 'import', target: checked }, options);
    return new PythonModule(this, checked);
  }

  /**
   * Runs Python that may `await` at top level (`await asyncio.sleep(0.1)`,
   * `async with`, `async for`, promises of registered JS modules) to
   * completion with asyncio (`asyncio.run`), in `__main__`: top-level
   * assignments, `def`s and imports stay there as with {@link exec}. Resolves
   * to the value of the last statement when it is an expression (converted
   * as by {@link eval}, `handle: true` included), else `null`.
   */
  runAsync<T extends PyValue = PyValue>(code: string, options?: ValueOptions & { readonly handle?: false }): Promise<T>;
  /** Like {@link runAsync}; a value the codec cannot copy comes back as a {@link PyHandle}. */
  runAsync(code: string, options: HandleOptions | ValueOptions): Promise<PyValue | PyHandle>;
  async runAsync(code: string, options?: ValueOptions): Promise<PyValue | PyHandle> {
    const req = { op: 'runAsync', ...asyncSource(checkCode(code, 'runAsync')), handle: options?.handle === true } as const;
    try {
      return this.#value(await this.#send('runAsync', req, options), options);
    } catch (e) {
      throw e instanceof PythonError ? new PythonError(e.type, asyncTraceback(e.traceback)) : e;
    }
  }

  /**
   * Makes `import name` give Python a module of JS functions and values, for
   * trusted code: only on an instance created with `js: true`. The object's
   * own enumerable functions stay on this thread and are called from Python
   * (the interpreter waits for them) with arguments and results copied as in
   * {@link call}; its other own enumerable members are copied once, now.
   * A function returning a promise gives Python a coroutine to `await`
   * (in {@link runAsync}); a JS exception or rejection raises
   * `_mpy_jsmodule.JsError` in Python. Registering a name again replaces the module.
   * @throws TypeError without `js: true`, for a name that is not a Python identifier, or a member the codec cannot copy
   */
  async registerJsModule(name: string, module: object, options?: CallOptions): Promise<void> {
    if (!this.#jsModules) {
      throw new TypeError(
        'registerJsModule: this instance was created without { js: true }; JS modules are for trusted code only: MicroPython.create({ js: true })',
      );
    }
    if (typeof name !== 'string' || !/^[\p{L}_][\p{L}\p{N}_]*$/u.test(name)) {
      throw new TypeError(`registerJsModule: ${JSON.stringify(name)} is not a Python module name (one identifier)`);
    }
    const shape = this.#jsModules.register(name, module);
    await this.#send(`registerJsModule ${name}`, { op: 'jsModule', name, ...shape }, options);
  }

  /**
   * Runs a file as `__main__`, the way the `micropython` command does: never
   * rejects for Python errors; the outcome is the exit status, and the
   * traceback of an uncaught exception is in `stderr`. `options` may give
   * the run its own `argv`, `env` and `stdin` (the instance's come back after it).
   * @throws TypeError for a wrong path or option (before anything runs)
   */
  async runFile(path: string, options?: RunFileOptions): Promise<RunResult> {
    const req = runFileRequest(path, options);
    const { value, output } = await this.#channel.send('runFile', req, { record: true, signal: options?.signal });
    return { exitCode: value as number, stdout: output?.stdout ?? '', stderr: output?.stderr ?? '' };
  }

  /**
   * Shows a host directory to Python at `guest` from this point in the call
   * order on, checked and confined exactly as the `mounts` option's
   * (`..` and symlinks cannot leave it; `readOnly` makes every change fail
   * with `OSError(EROFS)`). The guest path may be missing (it is made) or an
   * existing directory (its contents are hidden while mounted).
   * @throws TypeError for a guest path that cannot be mounted or a host directory that does not exist (before anything runs)
   * @throws MicroPythonFsError `ENOTDIR` when a file is at `guest`, `EBUSY` when it is already a mountpoint
   */
  async mount(guest: string, host: string, options: { readOnly?: boolean } = {}): Promise<void> {
    if (typeof options !== 'object' || options === null) throw new TypeError('mount: options must be an object like { readOnly: true }');
    const checked = checkMount(guest, { host, readOnly: options.readOnly }, (message) => {
      throw new TypeError(message);
    });
    await this.#send(`mount ${guest}`, { op: 'fs', action: 'mount', path: guest, ...checked });
  }

  /**
   * Captured stdout (with `stdout: 'capture'`, the default) since creation or
   * {@link clearOutput}; past `outputLimit`, its first and last halves with a
   * note of how many bytes were cut between them.
   */
  get stdout(): string {
    return this.#sink.captured('stdout');
  }

  /** Captured stderr (with `stderr: 'capture'`, the default) since creation or {@link clearOutput}. */
  get stderr(): string {
    return this.#sink.captured('stderr');
  }

  /** Forgets captured output. */
  clearOutput(): void {
    this.#sink.clear();
  }

  /**
   * Sends `sys.stdout` where `sink` says (as the `stdout` option), from this
   * point in the call order: calls made before keep the old routing, calls
   * made after get the new one. No argument means the default, `'capture'`.
   * Output captured so far stays readable.
   * @throws TypeError for anything but an {@link OutputOption}
   */
  async setStdout(sink: OutputOption = 'capture'): Promise<void> {
    await this.#setOutput('stdout', sink);
  }

  /** Like {@link setStdout}, for `sys.stderr`. */
  async setStderr(sink: OutputOption = 'capture'): Promise<void> {
    await this.#setOutput('stderr', sink);
  }

  /**
   * Makes `data` what `sys.stdin` and `input()` read from this point in the
   * call order on, then end of file (in place of what is left of the
   * previous input). No argument means empty.
   * @throws TypeError for anything but a string or a Uint8Array
   */
  async setStdin(data: string | Uint8Array = ''): Promise<void> {
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) throw new TypeError('setStdin: data must be a string or a Uint8Array');
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data.slice();
    await this.#send('setStdin', { op: 'setStdin', data: bytes });
  }

  /**
   * Raises `KeyboardInterrupt` in the running call, if any, wherever it is:
   * a CPU loop, `time.sleep`, a blocking socket read. The call rejects with
   * `PythonError` (`.type === 'KeyboardInterrupt'`) unless Python catches it;
   * the instance stays usable. Calls queued behind it run as usual. Python
   * may catch it and go on, as with Ctrl-C; only `timeoutMs` ends a call that
   * will not stop. With `thread: 'current'` a call runs only while this
   * thread is inside it, so only an output callback or a registered JS
   * function can find one running.
   * @returns whether a call was running
   * @throws Error when this build cannot interrupt running Python (`MPY_WASM=original`)
   */
  interrupt(): boolean {
    return this.#channel.interrupt();
  }

  /** Whether the instance still takes calls (false after dispose, a worker failure, or an interrupt that had to terminate it). */
  get usable(): boolean {
    return this.#channel.open;
  }

  /**
   * Ends the instance and its worker (an in-thread one lets its interpreter
   * be collected and frees the thread for another). A call still running, or queued,
   * rejects with `MicroPythonDisposedError`. Idempotent; resolves once the
   * worker has exited.
   */
  dispose(): Promise<void> {
    this.#disposed ??= this.#channel.close().finally(() => this.#jsModules?.close());
    return this.#disposed;
  }

  /** Same as {@link dispose}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  async #setOutput(name: 'stdout' | 'stderr', sink: unknown): Promise<void> {
    const method = name === 'stdout' ? 'setStdout' : 'setStderr';
    if (!isOutputOption(sink)) throw new TypeError(`${method}: the sink must be ${OUTPUT_OPTION_TEXT}`);
    await this.#channel.runInOrder(method, () => this.#sink.setMode(name, sink));
  }

  async #send(op: string, req: Request, options?: CallOptions): Promise<unknown> {
    return (await this.#channel.send(op, req, { signal: options?.signal })).value;
  }

  readonly #sendHandle: HandleSend = (op, req, signal) => this.#send(op, req, { signal });

  #value(reply: unknown, options: ValueOptions | undefined): PyValue | PyHandle {
    return options?.handle === true ? unwrapHandleReply(reply, this, this.#sendHandle) : (reply as PyValue);
  }
}
