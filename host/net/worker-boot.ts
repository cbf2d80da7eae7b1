/**
 * The first code the network worker thread runs: it loads the worker's
 * service module (./worker.ts) and stands guard, so that the interpreter,
 * blocked in `Atomics.wait`, hears of a worker that could not start or that
 * stopped instead of waiting out its time limit. It cannot hear it through
 * the Worker's `error` and `exit` events: those reach the interpreter
 * thread's event loop, which does not run while it waits.
 *
 * When the service fails to load (a missing or broken file) or the thread
 * ends (`process.exit`, an unhandled failure), it answers the call the
 * interpreter waits for (`Asked`) with −EIO and the reason as reply text,
 * and sets `Gone` (./protocol.ts). It is evaluated as a script
 * (`new Worker(source, { eval: true })`), not loaded from a file, so that it
 * runs even when the package's files do not; it therefore takes everything
 * it needs from `workerData` ({@link BootData}).
 *
 * @module
 */
import type { Slot, WorkerInit } from './protocol.js';

/** The layout constants the boot code needs, sent in `workerData` (it can import nothing). */
interface BootLayout {
  readonly headerBytes: number;
  readonly slots: typeof Slot;
  readonly stateWaiting: number;
  readonly stateDone: number;
  /** −EIO, the result of a failed call. */
  readonly failure: number;
}

/** `workerData` of the network worker. */
export interface BootData extends WorkerInit {
  readonly layout: BootLayout;
  /** This worker's number, as the bridge writes it into `Owner` while the worker is current. */
  readonly owner: number;
}

/**
 * The source the worker thread is started with (see the module doc). A
 * string, not a function's `toString()`: a transform of this module (a test
 * runner's, a bundler's) would rewrite the function's `import()` into
 * something that does not exist inside the worker.
 */
export const WORKER_BOOT_SOURCE = `
'use strict';
const { workerData } = require('node:worker_threads');
const { shared, wake, entry, layout, owner } = workerData;
const { slots } = layout;
const header = new Int32Array(shared, 0, layout.headerBytes / 4);
const data = new Uint8Array(shared, layout.headerBytes);
let done = false;
function fail(why) {
  if (done || Atomics.load(header, slots.Owner) !== owner) return;
  done = true;
  Atomics.store(header, slots.Gone, 1);
  if (Atomics.load(header, slots.State) !== layout.stateWaiting) return;
  const text = new TextEncoder().encode(why).subarray(0, data.length);
  data.set(text);
  header[slots.Result] = layout.failure;
  header[slots.Length] = text.length;
  header[slots.Seq] = Atomics.load(header, slots.Asked);
  Atomics.store(header, slots.State, layout.stateDone);
  Atomics.notify(header, slots.State);
  if (wake !== undefined) {
    const word = new Int32Array(wake);
    Atomics.add(word, 0, 1);
    Atomics.notify(word, 0);
  }
}
process.on('exit', (status) => fail('the network worker stopped (exit status ' + status + '); its sockets are closed'));
import(entry).catch((e) => {
  fail('the network worker could not start: ' + (e instanceof Error ? e.message : String(e)));
  process.exit(1);
});
`;
