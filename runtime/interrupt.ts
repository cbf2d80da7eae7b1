/**
 * Interrupting a running interpreter from another thread.
 *
 * The interpreter's wasm memory is shared (see `wasm/build/shared-memory.ts`),
 * so any thread holding an {@link InterruptTarget} can make the same writes
 * `mp_sched_keyboard_interrupt()` makes (see wasm/interrupt-layout.ts): the VM
 * raises `KeyboardInterrupt` at its next branch, whatever it is running.
 * Host code the interpreter waits in (sleep, socket reads, stdin) waits on the
 * target's wake word too, and returns early once an exception is pending.
 *
 * @module
 */
import { monotonicMs } from '../base/clock.js';
import type { InterruptLayout } from '../wasm/interrupt-layout.js';

/** What another thread needs to interrupt one interpreter. Structured-cloneable: post it. */
export interface InterruptTarget {
  /** The interpreter's (shared) wasm memory. */
  readonly memory: SharedArrayBuffer;
  /** One Int32 word, bumped and notified on every interrupt: host waits wake on it. */
  readonly wake: SharedArrayBuffer;
  /** Where the interrupt state lives in `memory`. */
  readonly layout: InterruptLayout;
}

/** Bumps a wake word and wakes every thread waiting on it. */
export function ringWake(wake: Int32Array): void {
  Atomics.add(wake, 0, 1);
  Atomics.notify(wake, 0);
}

/**
 * Schedules a KeyboardInterrupt in the interpreter `target` names, from any
 * thread, and wakes it if it waits in the host. Writes exactly what
 * `mp_sched_keyboard_interrupt()` writes, in the same order.
 */
export function requestKeyboardInterrupt(target: InterruptTarget): void {
  const { memory, layout } = target;
  const words = new Int32Array(memory, 0, 1 + (Math.max(layout.pendingAddress, layout.tracebackAddress) >> 2));
  // The traceback first: once the exception is pending, a VM check may raise it and add to its traceback.
  Atomics.store(words, layout.tracebackAddress >> 2, 0);
  Atomics.store(words, layout.pendingAddress >> 2, layout.exceptionAddress);
  const halves = new Int16Array(memory, 0, 1 + (layout.schedulerAddress >> 1));
  Atomics.compareExchange(halves, layout.schedulerAddress >> 1, layout.schedulerIdle, layout.schedulerPending);
  ringWake(new Int32Array(target.wake));
}

/** Whether a KeyboardInterrupt is scheduled and the VM has not taken it yet. */
export function keyboardInterruptPending(target: InterruptTarget): boolean {
  const words = new Int32Array(target.memory, 0, 1 + (target.layout.pendingAddress >> 2));
  return Atomics.load(words, target.layout.pendingAddress >> 2) === target.layout.exceptionAddress;
}

/**
 * The interpreter thread's side: blocking waits that end early when an
 * exception is pending. Without a layout (a build whose memory is not shared)
 * nothing can interrupt, and the waits run their full time.
 */
export class HostWaits {
  readonly #wake: Int32Array;
  readonly #pending: (() => boolean) | undefined;

  /**
   * @param wake the wake word's buffer (the target's `wake`)
   * @param memory the interpreter's shared memory, when it can be interrupted
   * @param layout its interrupt layout
   */
  constructor(wake: SharedArrayBuffer, memory?: SharedArrayBuffer, layout?: InterruptLayout) {
    this.#wake = new Int32Array(wake);
    if (memory !== undefined && layout !== undefined) {
      const words = new Int32Array(memory, 0, 1 + (layout.pendingAddress >> 2));
      const at = layout.pendingAddress >> 2;
      this.#pending = () => Atomics.load(words, at) !== 0;
    }
  }

  /** The wake word: other threads that answer this one (the network worker, stdin) may ring it. */
  get wake(): Int32Array {
    return this.#wake;
  }

  /** Whether an exception is waiting for the VM's next check. */
  pending(): boolean {
    return this.#pending?.() ?? false;
  }

  /** The wake word's current value, to pass to {@link waitFrom} after checking a condition. */
  snapshot(): number {
    return Atomics.load(this.#wake, 0);
  }

  /** Blocks until the wake word moves on from `seen` or `ms` pass (Infinity: no limit). */
  waitFrom(seen: number, ms: number): void {
    Atomics.wait(this.#wake, 0, seen, ms);
  }

  /**
   * Sleeps `ms` milliseconds unless an exception becomes pending.
   * @returns 0 when the time passed, else the milliseconds left (interrupted)
   */
  sleep(ms: number): number {
    const end = monotonicMs() + ms;
    for (;;) {
      const seen = this.snapshot();
      const left = end - monotonicMs();
      if (left <= 0) return 0;
      if (this.pending()) return left;
      this.waitFrom(seen, left);
    }
  }
}
