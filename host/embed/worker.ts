/**
 * Worker entry of an embedded MicroPython instance: boots one VM (the glue
 * keeps its state on `globalThis`, so one VM per thread) and answers the main
 * side's requests one at a time. See protocol.ts.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { adoptSharedInterpreterModule } from '../../wasm/shared-module.js';
import { Session } from '../../runtime/session.js';
import { PythonError } from '../../runtime/errors.js';
import { keyboardInterruptPending } from '../../runtime/interrupt.js';
import { mountHostFilesystem } from '../fs/mounts.js';
import { boundMemoryFilesystem } from '../fs/memfs-quota.js';
import { netHostModules } from '../net/session-modules.js';
import { decodeParsed } from './codec.js';
import { GUEST_LIB_DIR } from '../../runtime/guest-layout.js';
import type { Failure, FsRequest, Request, WorkerInit } from './protocol.js';
import { errnoName, runFsRequest } from './worker-fs.js';
import { WorkerStdio } from './worker-stdio.js';
import { jsCallModule } from './worker-js-calls.js';
import { runFileInWorker } from './worker-run-file.js';

const DISPATCH = "__import__('_mpy_embed').dispatch()";

const init = workerData as WorkerInit;
const port = parentPort!;
const stdio = new WorkerStdio(port, init.settings.stdin, init.outputCredit);
const interruptedRequest = new Int32Array(init.interruptedRequest);

let pendingRequest = '';
let replyText: string | undefined;
const embedHost = {
  request: (): string => pendingRequest,
  reply: (text: string): void => {
    replyText = String(text);
  },
};

type Outcome = { ok: true; value: unknown; transfer?: ArrayBuffer[] } | { ok: false; failure: Failure };

function runPython(session: Session, req: Request): Outcome {
  pendingRequest = JSON.stringify(req);
  replyText = undefined;
  try {
    session.interpreter.exec(DISPATCH);
  } catch (e) {
    if (e instanceof PythonError) return { ok: false, failure: { kind: 'python', type: e.type, traceback: e.traceback } };
    throw e;
  } finally {
    pendingRequest = '';
  }
  if (replyText === undefined) return { ok: false, failure: { kind: 'host', message: 'mpy: the embedded interpreter did not reply' } };
  const reply = JSON.parse(replyText) as { ok?: unknown; exit?: number; error?: [string, string] };
  if (reply.error) return { ok: false, failure: { kind: 'python', type: reply.error[0], traceback: reply.error[1] } };
  if (reply.exit !== undefined) return { ok: false, failure: { kind: 'exit', code: reply.exit } };
  return { ok: true, value: decodeParsed(reply.ok) };
}

function runFs(session: Session, req: FsRequest): Outcome {
  try {
    const value = runFsRequest(session.interpreter.fs, req);
    return value instanceof Uint8Array ? { ok: true, value, transfer: [value.buffer as ArrayBuffer] } : { ok: true, value };
  } catch (e) {
    const code = errnoName(e);
    if (code === undefined) throw e;
    return { ok: false, failure: { kind: 'fs', code, action: req.action, path: req.path } };
  }
}

function handle(session: Session, req: Request): Outcome {
  try {
    switch (req.op) {
      case 'runFile':
        return { ok: true, value: runFileInWorker(session, stdio, req) };
      case 'fs':
        return runFs(session, req);
      case 'setStdin':
        stdio.replaceStdin(req.data);
        return { ok: true, value: null };
      default:
        return runPython(session, req);
    }
  } catch (e) {
    return { ok: false, failure: { kind: 'host', message: e instanceof Error ? e.message : String(e) } };
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
      _mpy_embed_host: embedHost,
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

try {
  const session = await boot();
  port.on('message', (msg: { id: number } & Request) => {
    dropStaleInterrupt(session, msg.id);
    const outcome = handle(session, msg);
    dropStaleInterrupt(session, -1);
    stdio.flush();
    if (outcome.ok) port.postMessage({ kind: 'reply', id: msg.id, ok: true, value: outcome.value }, outcome.transfer ?? []);
    else port.postMessage({ kind: 'reply', id: msg.id, ok: false, failure: outcome.failure });
  });
  port.postMessage({ kind: 'ready', interrupt: session.interpreter.interruptTarget ?? null });
} catch (e) {
  const message = e instanceof PythonError ? e.traceback : e instanceof Error ? e.message : String(e);
  port.postMessage({ kind: 'bootError', message });
}
