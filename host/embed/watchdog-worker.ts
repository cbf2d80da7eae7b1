/**
 * The watchdog thread of an in-thread instance with `timeoutMs` (see
 * call-watchdog.ts): while a call runs it looks every poll period whether the
 * same call has run past the limit, and if so raises KeyboardInterrupt in the
 * interpreter, once per call. While no call runs it sleeps on the sequence word.
 *
 * @module
 */
import { monotonicMs } from '../../base/clock.js';
import { parentPort, workerData } from 'node:worker_threads';
import { requestKeyboardInterrupt } from '../../runtime/interrupt.js';
import { FIRED, JOB, SEQ, SLEEPING, STOPPED, type WatchdogInit } from './call-watchdog.js';

const MAX_POLL_MS = 50;

const init = workerData as WatchdogInit;
const words = new Int32Array(init.words);
const interrupted = new Int32Array(init.interruptedRequest);
/** Late by at most a tenth of the limit (and 50 ms). */
const pollMs = Math.max(1, Math.min(MAX_POLL_MS, init.timeoutMs / 10));
/** A word nothing notifies: the poll's timed wait. */
const tick = new Int32Array(new SharedArrayBuffer(4));

let seen = 0;
let since = 0;
parentPort!.postMessage('watching');
for (let seq = Atomics.load(words, SEQ); seq !== STOPPED; seq = Atomics.load(words, SEQ)) {
  if ((seq & 1) === 0) {
    // No call runs: sleep until the next one starts (its arm() sees SLEEPING and notifies).
    Atomics.store(words, SLEEPING, 1);
    Atomics.wait(words, SEQ, seq);
    Atomics.store(words, SLEEPING, 0);
    continue;
  }
  const now = monotonicMs();
  if (seq !== seen) {
    seen = seq;
    since = now;
  } else if (now - since >= init.timeoutMs && Atomics.load(words, FIRED) !== seq) {
    Atomics.store(interrupted, 0, Atomics.load(words, JOB));
    Atomics.store(words, FIRED, seq);
    requestKeyboardInterrupt(init.target);
  }
  Atomics.wait(tick, 0, 0, pollMs);
}
