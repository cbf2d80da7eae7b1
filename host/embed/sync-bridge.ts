/**
 * Worker entry behind `MicroPythonSync`: creates an async `MicroPython` and
 * runs the blocked thread's calls on it one at a time, answering each on the
 * port and waking the caller through the shared signal.
 *
 * @module
 */
import { workerData } from 'node:worker_threads';
import { MicroPython } from './client.js';
import { MicroPythonDisposedError, MicroPythonTimeoutError } from './errors.js';
import { ExitError, PythonError } from '../../runtime/errors.js';
import type { SyncBridgeInit, SyncCall, SyncError, SyncReply } from './sync-protocol.js';

const init = workerData as SyncBridgeInit;
const port = init.port;
const signal = new Int32Array(init.signal);

function describe(e: unknown): SyncError {
  if (e instanceof PythonError) return { kind: 'PythonError', type: e.type, traceback: e.traceback };
  if (e instanceof ExitError) return { kind: 'ExitError', exitCode: e.exitCode };
  if (e instanceof MicroPythonTimeoutError)
    return { kind: 'TimeoutError', operation: e.operation, timeoutMs: e.timeoutMs, terminated: e.terminated };
  if (e instanceof MicroPythonDisposedError) return { kind: 'DisposedError', message: e.message };
  if (e instanceof TypeError) return { kind: 'TypeError', message: e.message };
  return { kind: 'Error', message: e instanceof Error ? e.message : String(e) };
}

function answer(reply: SyncReply): void {
  port.postMessage(reply);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}

async function run(mp: MicroPython, call: SyncCall): Promise<unknown> {
  const a = call.args as [never, never, never];
  switch (call.method) {
    case 'exec':
      return mp.exec(a[0]);
    case 'eval':
      return mp.eval(a[0]);
    case 'callKw':
      return mp.callKw(a[0], a[1], a[2]);
    case 'get':
      return mp.get(a[0]);
    case 'runFile':
      return mp.runFile(a[0], a[1]);
    case 'stdout':
      return mp.stdout;
    case 'stderr':
      return mp.stderr;
    case 'clearOutput':
      return mp.clearOutput();
    case 'dispose':
      return mp.dispose();
  }
}

let mp: MicroPython;
try {
  mp = await MicroPython.create(init.options);
  answer({ ok: true, value: null });
} catch (e) {
  answer({ ok: false, error: describe(e) });
  process.exit(0);
}
// One call at a time: the caller is blocked until it has its answer.
port.on('message', (call: SyncCall) => {
  run(mp, call).then(
    (value) => answer({ ok: true, value }),
    (e: unknown) => answer({ ok: false, error: describe(e) }),
  );
});
