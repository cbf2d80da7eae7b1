/**
 * Flow control of an instance's output: the worker counts the bytes it has
 * posted and the main side has not taken yet in a shared counter, and waits
 * while more than {@link MAX_IN_FLIGHT_BYTES} are in flight. Without it, a
 * program printing faster than the main thread takes messages would pile its
 * output up in the message queue, outside every bound.
 *
 * @module
 */

/** Output bytes posted but not yet taken by the main side, at most (plus one batch). */
const MAX_IN_FLIGHT_BYTES = 1024 * 1024;
/** Recheck interval while waiting, so a lost wake-up costs little. */
const WAIT_SLICE_MS = 50;

/** The shared counter of one instance (made on the main side, sent in `workerData`). */
export function newOutputCredit(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

/** Worker side: counts `bytes` as posted, first waiting while the main side is too far behind. */
export function awaitOutputCredit(credit: Int32Array, bytes: number): void {
  for (let inFlight = Atomics.load(credit, 0); inFlight > MAX_IN_FLIGHT_BYTES; inFlight = Atomics.load(credit, 0)) {
    Atomics.wait(credit, 0, inFlight, WAIT_SLICE_MS);
  }
  Atomics.add(credit, 0, bytes);
}

/** Main side: `bytes` of output were taken; wakes a waiting worker. */
export function returnOutputCredit(credit: Int32Array, bytes: number): void {
  Atomics.sub(credit, 0, bytes);
  Atomics.notify(credit, 0);
}
