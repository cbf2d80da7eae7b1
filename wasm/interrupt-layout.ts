/**
 * Where the interpreter keeps the state `mp_sched_keyboard_interrupt()`
 * writes, as the build step found it in that function's body
 * (`wasm/build/interrupt-state.ts`) and verified. The build stores it in a
 * custom section of the optimised wasm, so it travels with the compiled
 * module to every thread that instantiates it.
 *
 * @module
 */

/** Name of the wasm custom section holding the layout as JSON. */
export const INTERRUPT_SECTION = 'mpy.interrupt';

/** The writes that schedule a KeyboardInterrupt, as absolute heap addresses. */
export interface InterruptLayout {
  /** Address of the 32-bit pending-exception slot (`mp_pending_exception`). */
  readonly pendingAddress: number;
  /** The value stored there: the address of the VM's KeyboardInterrupt instance. */
  readonly exceptionAddress: number;
  /** Address of that instance's 32-bit traceback pointer, cleared first. */
  readonly tracebackAddress: number;
  /** Address of the 16-bit scheduler state (`sched_state`). */
  readonly schedulerAddress: number;
  /** Scheduler state "idle": only from this state is it moved to pending. */
  readonly schedulerIdle: number;
  /** Scheduler state "pending": makes the VM look at the pending exception at its next branch. */
  readonly schedulerPending: number;
}

function isAddress(value: unknown, align: number): value is number {
  return Number.isInteger(value) && (value as number) > 0 && (value as number) < 2 ** 31 && (value as number) % align === 0;
}

/** Whether `value` is a well-formed layout (addresses aligned for their width). */
export function isInterruptLayout(value: unknown): value is InterruptLayout {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    isAddress(v.pendingAddress, 4) &&
    isAddress(v.exceptionAddress, 4) &&
    isAddress(v.tracebackAddress, 4) &&
    isAddress(v.schedulerAddress, 2) &&
    Number.isInteger(v.schedulerIdle) &&
    Number.isInteger(v.schedulerPending) &&
    v.schedulerIdle !== v.schedulerPending
  );
}
