/**
 * The thread of an embedded MicroPython instance (started by
 * `worker-entry.ts`, from the `embed-worker` bundle or as modules): boots one VM (the glue
 * keeps its state on `globalThis`, so one VM per thread) and answers the main
 * side's requests one at a time, as they come through the call buffer
 * (call-buffer.ts). See protocol.ts.
 *
 * @module
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { adoptSharedInterpreterModule } from '../../wasm/shared-module.js';
import { Session } from '../../runtime/session.js';
import { PythonError } from '../../runtime/errors.js';
import { keyboardInterruptPending } from '../../runtime/interrupt.js';
import { mountHostFilesystem } from '../fs/mounts.js';
import { boundMemoryFilesystem } from '../fs/memfs-quota.js';
import { netHostModules } from '../net/session-modules.js';
import { encodeValue } from './codec.js';
import type { SimpleValue, PlainArgument } from '../../runtime/interpreter.js';
import { CallBuffer, REPLY, REQUEST, waitAsync } from './call-buffer.js';
import { GUEST_LIB_DIR } from '../../runtime/guest-layout.js';
import { FRAME_FAILURE, FRAME_STRING, FRAME_WIRE, type Failure, type FsRequest, type Request, type WorkerInit } from './protocol.js';
import { errnoName, runFsRequest } from './worker-fs.js';
import { WorkerStdio } from './worker-stdio.js';
import { jsCallModule } from './worker-js-calls.js';
import { runFileInWorker } from './worker-run-file.js';

const RUN = "__import__('_mpy_embed').run";
/** How `_mpy_embed.run` starts a reply text for a value. */
const OK_PREFIX = '{"ok":';

const init = workerData as WorkerInit;
const data = init.port;
const calls = new CallBuffer(init.calls);
const stdio = new WorkerStdio(data, init.settings.stdin, init.outputCredit);
const interruptedRequest = new Int32Array(init.interruptedRequest);

/**
 * How long the worker waits for the next request blocked in `Atomics.wait`
 * (woken at once by a request) before it waits with its event loop running.
 */
const BLOCKED_IDLE_MS = 50;

/** A request's outcome: a reply frame (see protocol.ts), or a value to post (it may hold bytes). */
type Outcome = { readonly frame: string } | { readonly value: unknown; readonly transfer?: ArrayBuffer[] };

const failed = (failure: Failure): Outcome => ({ frame: `${FRAME_FAILURE}${JSON.stringify(failure)}` });

/** `_mpy_embed.run`'s operations (see runtime/lib/_mpy_embed.py). */
const RUN_EXEC = 0;
const RUN_EVAL = 1;
const RUN_GET = 2;
const RUN_CALL = 3;
const RUN_REQUEST = 4;

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
      const args = req.kwargs === '{}' ? plainArguments(req.args) : undefined;
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

function runPython(session: Session, run: number, req: Request): Outcome {
  let result: SimpleValue;
  try {
    result = session.interpreter.callFunction(run, runArguments(req));
  } catch (e) {
    if (e instanceof PythonError) return failed({ kind: 'python', type: e.type, traceback: e.traceback });
    throw e;
  }
  if (typeof result !== 'string') return { frame: `${FRAME_WIRE}${encodeValue(result ?? null)}` };
  if (result.startsWith('s')) return { frame: `${FRAME_STRING}${result.slice(1)}` };
  if (result.startsWith(OK_PREFIX)) return { frame: `${FRAME_WIRE}${result.slice(OK_PREFIX.length, -1)}` };
  const reply = JSON.parse(result) as { exit?: number; error?: [string, string] };
  if (reply.error) return failed({ kind: 'python', type: reply.error[0], traceback: reply.error[1] });
  if (reply.exit !== undefined) return failed({ kind: 'exit', code: reply.exit });
  return failed({ kind: 'host', message: `mpy: the embedded interpreter replied ${result.slice(0, 80)}` });
}

function runFs(session: Session, req: FsRequest): Outcome {
  try {
    const value = runFsRequest(session.interpreter.fs, req);
    return value instanceof Uint8Array ? { value, transfer: [value.buffer as ArrayBuffer] } : { value };
  } catch (e) {
    const code = errnoName(e);
    if (code === undefined) throw e;
    return failed({ kind: 'fs', code, action: req.action, path: req.path });
  }
}

function handle(session: Session, run: number, req: Request): Outcome {
  try {
    switch (req.op) {
      case 'runFile':
        return { value: runFileInWorker(session, stdio, req) };
      case 'fs':
        return runFs(session, req);
      case 'setStdin':
        stdio.replaceStdin(req.data);
        return { value: null };
      default:
        return runPython(session, run, req);
    }
  } catch (e) {
    return failed({ kind: 'host', message: e instanceof Error ? e.message : String(e) });
  }
}

async function boot(): Promise<Session> {
  adoptSharedInterpreterModule(init.interpreter);
  const { settings } = init;
  const session = await Session.start({
    stdio,
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
        mounts: { ...settings.mounts, [GUEST_LIB_DIR]: { host: init.runtimeLibDir, readOnly: true } },
      });
      boundMemoryFilesystem(fs, settings.fsBytes);
    },
    // The allow-lists are always given: an empty one denies every connection (or bind).
    hostModules: (interp, beforeBlock) => ({
      ...(init.jsCalls && { _mpy_jscall: jsCallModule(init.jsCalls, () => interp.waits, beforeBlock) }),
      ...netHostModules({ allow: settings.networkAllow, listen: settings.networkListen })(interp, beforeBlock),
    }),
    preload: ['_mpy_embed'],
  });
  return session;
}

/** Takes a KeyboardInterrupt that came too late for the request it was meant for (or early for none). */
function dropStaleInterrupt(session: Session, requestId: number): void {
  const target = session.interpreter.interruptTarget;
  if (!target || !keyboardInterruptPending(target) || Atomics.load(interruptedRequest, 0) === requestId) return;
  session.interpreter.dropPendingInterrupt();
}

/** The request just signalled: the call buffer's frame, or the message the main side posted before signalling. */
function takeRequest(): { id: number } & Request {
  const text = calls.read();
  if (text !== undefined) return JSON.parse(text) as { id: number } & Request;
  const posted = receiveMessageOnPort(data);
  if (posted === undefined) throw new Error('mpy: a request was signalled but not posted (internal error; please report it)');
  return posted.message as { id: number } & Request;
}

function reply(outcome: Outcome, count: number): void {
  if ('frame' in outcome) {
    if (!calls.write(outcome.frame)) data.postMessage({ kind: 'reply', frame: outcome.frame });
  } else {
    calls.writeOnPort();
    data.postMessage({ kind: 'reply', value: outcome.value }, outcome.transfer ?? []);
  }
  Atomics.store(calls.words, REPLY, count);
  Atomics.notify(calls.words, REPLY);
}

/**
 * Serves requests until the worker is ended. Between requests that come in
 * quick succession the thread waits blocked (a request wakes it with no
 * event-loop turn); after {@link BLOCKED_IDLE_MS} without one it waits with
 * its event loop running, so that whatever else the thread has to do is done.
 */
async function serve(session: Session, run: number): Promise<never> {
  let seen = 0;
  for (;;) {
    if (Atomics.wait(calls.words, REQUEST, seen, BLOCKED_IDLE_MS) === 'timed-out') {
      const idle = waitAsync(calls.words, REQUEST, seen);
      if (idle.async) await idle.value;
    }
    const count = Atomics.load(calls.words, REQUEST);
    // A wake-up with no new request (a wait can end spuriously) leaves the buffer holding this side's last reply.
    if (count === seen) continue;
    seen = count;
    const req = takeRequest();
    dropStaleInterrupt(session, req.id);
    const outcome = handle(session, run, req);
    dropStaleInterrupt(session, -1);
    stdio.flush();
    reply(outcome, seen);
  }
}

// The main side posts nothing here; listening keeps the thread's event loop
// alive while it waits for a request with the loop running.
parentPort!.on('message', () => {});
/** Boots the interpreter and reports the outcome to the main side; undefined when it failed. */
async function start(booted: () => void): Promise<{ session: Session; run: number } | undefined> {
  try {
    const session = await boot();
    const run = session.interpreter.keepFunction(RUN);
    booted();
    stdio.flush();
    parentPort!.postMessage({ kind: 'ready', interrupt: session.interpreter.interruptTarget ?? null });
    return { session, run };
  } catch (e) {
    const message = e instanceof PythonError ? e.traceback : e instanceof Error ? e.message : String(e);
    stdio.flush();
    parentPort!.postMessage({ kind: 'bootError', message });
    return undefined;
  }
}

/**
 * Boots the interpreter, then answers requests until the thread is terminated.
 * @param booted called once the interpreter has booted, before the main side hears of it
 */
export async function serveEmbeddedInstance(booted: () => void): Promise<void> {
  const started = await start(booted);
  if (started) await serve(started.session, started.run);
}
