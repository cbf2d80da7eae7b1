/**
 * One embedded interpreter and its request handling, the same whichever
 * thread it runs in: the worker entry (worker.ts) and the in-thread transport
 * (in-thread.ts) both boot it from the validated settings and hand it each
 * request in turn; it answers with an {@link Outcome}.
 *
 * @module
 */
import { Session } from '../../runtime/session.js';
import { PythonError } from '../../runtime/errors.js';
import { keyboardInterruptPending, type InterruptTarget } from '../../runtime/interrupt.js';
import type { Interpreter, PlainArgument, SimpleValue } from '../../runtime/interpreter.js';
import { compiledBootModulesDir, GUEST_BOOT_DIR, GUEST_LIB_DIR } from '../../runtime/guest-layout.js';
import { mountHostFilesystem } from '../fs/mounts.js';
import { boundMemoryFilesystem } from '../fs/memfs-quota.js';
import { netHostModules } from '../net/session-modules.js';
import { encodeValue } from './codec.js';
import type { EmbedStdio } from './embed-stdio.js';
import type { WorkerSettings } from './options.js';
import { FRAME_FAILURE, FRAME_STRING, FRAME_WIRE, type Failure, type FsRequest, type Request } from './protocol.js';
import { errnoName, runFsRequest } from './worker-fs.js';
import { runFileInWorker } from './worker-run-file.js';

const RUN = "__import__('_mpy_embed').run";
/** How `_mpy_embed.run` starts a reply text for a value. */
const OK_PREFIX = '{"ok":';

/** A request's outcome: a reply frame (see protocol.ts), or a value as it is (it may hold bytes; `transfer` lists buffers it owns). */
export type Outcome = { readonly frame: string } | { readonly value: unknown; readonly transfer?: ArrayBuffer[] };

/** The host module `_mpy_jscall` of an instance with registered JS modules (worker-js-calls.ts), built once the interpreter exists. */
type JsCallModuleFactory = (interpreter: Interpreter, beforeBlock: () => void) => Record<string, (...args: never[]) => unknown>;

/** What an embedded interpreter boots from. */
export interface EmbeddedVmInit {
  /** The validated options. */
  readonly settings: WorkerSettings;
  readonly stdio: EmbedStdio;
  /** mpy's runtime/lib directory on the host (mounted read-only at `/usr/lib/micropython`). */
  readonly runtimeLibDir: string;
  /** The V8 stack size of the thread, in bytes (for the recursion limit); undefined: Node's default. */
  readonly v8StackBytes: number | undefined;
  /** One Int32: the id of the request the main side last interrupted (a late interrupt for an earlier one is dropped). */
  readonly interruptedRequest: Int32Array;
  /** With `js: true`: `_mpy_jscall`. */
  readonly jsCalls?: JsCallModuleFactory;
}

const failed = (failure: Failure): Outcome => ({ frame: `${FRAME_FAILURE}${JSON.stringify(failure)}` });

/** `_mpy_embed.run`'s operations (see runtime/lib/_mpy_embed.py). */
const RUN_EXEC = 0;
const RUN_EVAL = 1;
const RUN_GET = 2;
const RUN_CALL = 3;
const RUN_REQUEST = 4;
/** How the codec encodes a call's kwargs when there are none (an empty plain object is tagged). */
const NO_KWARGS = encodeValue({}, 'kwargs');

/** What `_mpy_embed.run` is called with for a request. */
function runArguments(req: Request): PlainArgument[] {
  switch (req.op) {
    case 'exec':
      return [RUN_EXEC, false, req.code];
    case 'eval':
      return [RUN_EVAL, req.handle === true, req.code];
    case 'get':
      return [RUN_GET, req.handle === true, req.target];
    case 'call': {
      const args = req.kwargs === NO_KWARGS ? plainArguments(req.args) : undefined;
      if (args) return [RUN_CALL, req.handle === true, req.target, ...args];
      break;
    }
  }
  return [RUN_REQUEST, false, JSON.stringify(req)];
}

/** The arguments of a call when each can be passed to Python as it is (see Interpreter.callFunction), else undefined. */
function plainArguments(text: string): PlainArgument[] | undefined {
  const args = JSON.parse(text) as unknown[];
  for (const a of args) {
    if (a !== null && typeof a === 'object') return undefined;
    if (typeof a === 'number' && Number.isInteger(a) && a !== (a | 0)) return undefined;
  }
  return args as PlainArgument[];
}

/** A booted embedded interpreter that answers requests one at a time. */
export class EmbeddedVm {
  readonly #session: Session;
  readonly #stdio: EmbedStdio;
  readonly #run: number;
  readonly #interruptedRequest: Int32Array;

  private constructor(session: Session, init: EmbeddedVmInit, run: number) {
    this.#session = session;
    this.#stdio = init.stdio;
    this.#run = run;
    this.#interruptedRequest = init.interruptedRequest;
  }

  /**
   * Boots the interpreter: mounts (the settings' and mpy's own modules), the
   * memory filesystem's bound, the network allow-lists, `_mpy_embed`.
   * @throws PythonError when the boot script fails; Error when the wasm cannot start
   */
  static async boot(init: EmbeddedVmInit): Promise<EmbeddedVm> {
    const { settings, jsCalls } = init;
    const compiledBoot = compiledBootModulesDir();
    const session = await Session.start({
      stdio: init.stdio,
      argv: settings.argv,
      path: settings.path,
      env: new Map(Object.entries(settings.env)),
      cwd: settings.cwd,
      heapBytes: settings.heapBytes,
      heapLimitBytes: settings.heapLimitBytes,
      v8StackBytes: init.v8StackBytes,
      jsBridge: settings.jsBridge,
      prepareFilesystem: (fs) => {
        mountHostFilesystem(fs, {
          kind: 'sandbox',
          mounts: {
            ...settings.mounts,
            [GUEST_LIB_DIR]: { host: init.runtimeLibDir, readOnly: true },
            ...(compiledBoot && { [GUEST_BOOT_DIR]: { host: compiledBoot, readOnly: true } }),
          },
        });
        boundMemoryFilesystem(fs, settings.fsBytes);
      },
      // The allow-lists are always given: an empty one denies every connection (or bind).
      hostModules: (interp, beforeBlock) => ({
        ...(jsCalls && { _mpy_jscall: jsCalls(interp, beforeBlock) }),
        ...netHostModules({ allow: settings.networkAllow, listen: settings.networkListen })(interp, beforeBlock),
      }),
      preload: ['_mpy_embed'],
      ...(compiledBoot && { bootModulesDir: GUEST_BOOT_DIR }),
      bootImage: 'embed',
    });
    const run = session.interpreter.keepFunction(RUN);
    init.stdio.flush();
    return new EmbeddedVm(session, init, run);
  }

  /** What another thread needs to raise KeyboardInterrupt while Python runs; undefined when the build cannot. */
  get interruptTarget(): InterruptTarget | undefined {
    return this.#session.interpreter.interruptTarget;
  }

  /**
   * Does request `id` and flushes its output. Never throws: a host-side
   * fault is a failure of kind `host`.
   */
  answer(id: number, req: Request): Outcome {
    this.#dropStaleInterrupt(id);
    const outcome = this.#handle(req);
    this.#dropStaleInterrupt(-1);
    this.#stdio.flush();
    return outcome;
  }

  #handle(req: Request): Outcome {
    try {
      switch (req.op) {
        case 'runFile':
          return { value: runFileInWorker(this.#session, this.#stdio, req) };
        case 'fs':
          return this.#runFs(req);
        case 'setStdin':
          this.#stdio.replaceStdin(req.data);
          return { value: null };
        default:
          return this.#runPython(req);
      }
    } catch (e) {
      return failed({ kind: 'host', message: e instanceof Error ? e.message : String(e) });
    }
  }

  #runPython(req: Request): Outcome {
    let result: SimpleValue;
    try {
      result = this.#session.interpreter.callFunction(this.#run, runArguments(req));
    } catch (e) {
      if (e instanceof PythonError) return failed({ kind: 'python', type: e.type, traceback: e.traceback });
      throw e;
    }
    if (typeof result !== 'string') return { frame: `${FRAME_WIRE}${encodeValue(result ?? null)}` };
    if (result.startsWith('s')) return { frame: `${FRAME_STRING}${result.slice(1)}` };
    if (result.startsWith(OK_PREFIX)) return { frame: `${FRAME_WIRE}${result.slice(OK_PREFIX.length, -1)}` };
    // Python can rewrite `_mpy_embed`, so the reply is checked like any untrusted input.
    const reply = JSON.parse(result) as { exit?: unknown; error?: unknown } | null;
    const error = reply?.error;
    if (Array.isArray(error) && error.length === 2 && error.every((part) => typeof part === 'string')) {
      return failed({ kind: 'python', type: error[0] as string, traceback: error[1] as string });
    }
    const code = reply?.exit;
    if (error === undefined && Number.isInteger(code) && (code as number) >= 0 && (code as number) <= 255) {
      return failed({ kind: 'exit', code: code as number });
    }
    return failed({ kind: 'host', message: `mpy: the embedded interpreter replied ${JSON.stringify(result.slice(0, 80))}` });
  }

  #runFs(req: FsRequest): Outcome {
    try {
      const value = runFsRequest(this.#session.interpreter.fs, req);
      return value instanceof Uint8Array ? { value, transfer: [value.buffer as ArrayBuffer] } : { value };
    } catch (e) {
      const code = errnoName(e);
      if (code === undefined) throw e;
      return failed({ kind: 'fs', code, action: req.action, path: req.path });
    }
  }

  /** Takes a KeyboardInterrupt that came too late for the request it was meant for (or early for none). */
  #dropStaleInterrupt(requestId: number): void {
    const interpreter = this.#session.interpreter;
    const target = interpreter.interruptTarget;
    if (!target || !keyboardInterruptPending(target) || Atomics.load(this.#interruptedRequest, 0) === requestId) return;
    interpreter.dropPendingInterrupt();
  }
}
