/**
 * The thread of an embedded MicroPython instance (started by
 * `worker-entry.ts`, from the `embed-worker` bundle or as modules): boots one
 * VM (see embedded-vm.ts) and answers the main side's requests one at a time, as they
 * come through the call buffer (call-buffer.ts). See protocol.ts.
 *
 * @module
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { writeGlueCache } from '../../wasm/glue-script.js';
import { adoptSharedInterpreterModule } from '../../wasm/shared-module.js';
import { PythonError } from '../../runtime/errors.js';
import { CallBuffer, pollWhile, REPLY, REQUEST, waitAsync } from './call-buffer.js';
import type { Request, WorkerInit } from './protocol.js';
import { WorkerStdio } from './worker-stdio.js';
import { jsCallModule } from './worker-js-calls.js';
import { EmbeddedVm, type Outcome } from './embedded-vm.js';

const init = workerData as WorkerInit;
const data = init.port;
const calls = new CallBuffer(init.calls);
const stdio = new WorkerStdio(data, init.settings.stdin, init.outputCredit);

/**
 * How long the worker waits for the next request blocked in `Atomics.wait`
 * (woken at once by a request) before it waits with its event loop running.
 */
const BLOCKED_IDLE_MS = 50;
/**
 * How long the worker polls for the next request before it goes to sleep in
 * `Atomics.wait`: a caller awaiting calls in a loop sends the next one within
 * a few microseconds of the reply, which the worker then sees without being
 * woken.
 */
const NEXT_REQUEST_POLL_US = 50;

function boot(): Promise<EmbeddedVm> {
  adoptSharedInterpreterModule(init.interpreter);
  const { jsCalls } = init;
  return EmbeddedVm.boot({
    settings: init.settings,
    stdio,
    runtimeLibDir: init.runtimeLibDir,
    v8StackBytes: init.v8StackBytes,
    interruptedRequest: new Int32Array(init.interruptedRequest),
    ...(jsCalls && { jsCalls: (interp, beforeBlock) => jsCallModule(jsCalls, () => interp.waits, beforeBlock) }),
  });
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
 * Serves requests until the worker is ended. After each reply the thread
 * polls for the next request ({@link NEXT_REQUEST_POLL_US}), then waits
 * blocked (a request wakes it with no event-loop turn); after
 * {@link BLOCKED_IDLE_MS} without one it waits with its event loop running,
 * so that whatever else the thread has to do is done.
 */
async function serve(vm: EmbeddedVm): Promise<never> {
  let seen = 0;
  for (;;) {
    const polled = pollWhile(calls.words, REQUEST, seen, NEXT_REQUEST_POLL_US);
    if (!polled && Atomics.wait(calls.words, REQUEST, seen, BLOCKED_IDLE_MS) === 'timed-out') {
      const idle = waitAsync(calls.words, REQUEST, seen);
      if (idle.async) await idle.value;
    }
    const count = Atomics.load(calls.words, REQUEST);
    // A wake-up with no new request (a wait can end spuriously) leaves the buffer holding this side's last reply.
    if (count === seen) continue;
    seen = count;
    const req = takeRequest();
    reply(vm.answer(req.id, req), seen);
  }
}

// The main side posts nothing here; listening keeps the thread's event loop
// alive while it waits for a request with the loop running.
parentPort!.on('message', () => {});
/** Boots the interpreter and reports the outcome to the main side; undefined when it failed. */
async function start(booted: () => void): Promise<EmbeddedVm | undefined> {
  try {
    const vm = await boot();
    writeGlueCache();
    booted();
    parentPort!.postMessage({ kind: 'ready', interrupt: vm.interruptTarget ?? null });
    return vm;
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
  if (started) await serve(started);
}
