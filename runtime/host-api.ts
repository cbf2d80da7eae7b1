import { createRequire } from 'node:module';
import type { HostWaits } from './interrupt.js';

// node:crypto costs ~4 ms to load; only os.urandom needs it.
const require = createRequire(import.meta.url);

/** Options of {@link createHostApi}. */
export interface HostApiOptions {
  /** The environment `os.getenv` sees; `os.putenv` and `os.unsetenv` change it. */
  readonly env: Map<string, string>;
  /** Heap bytes a call may write for Python (see Interpreter.writableHeap). */
  readonly writableHeap: (address: number, length: number) => Uint8Array;
  /** Called before the interpreter blocks (sleep), e.g. to flush buffered output. */
  readonly beforeBlock: () => void;
  /** Receives the program's exit status from the runner. */
  readonly onStatus: (status: number) => void;
  /** The interpreter's interruptible waits (sleep ends early on KeyboardInterrupt). */
  readonly waits: HostWaits;
}

const TICKS_PERIOD_MASK = BigInt((1 << 30) - 1);

/**
 * The `_mpy_host` module: what the boot and runner Python code (runtime/lib)
 * needs from JS. Every function returns a value and never throws: a JS
 * exception would unwind through the VM.
 */
export function createHostApi(options: HostApiOptions): Record<string, (...args: never[]) => unknown> {
  const { env, writableHeap, beforeBlock, onStatus, waits } = options;
  // process.hrtime rather than `performance`, whose first use loads perf_hooks (~5 ms at start-up).
  const origin = process.hrtime.bigint();
  return {
    getenv: (key: string): string | null => env.get(String(key)) ?? null,
    putenv: (key: string, value: string): void => {
      env.set(String(key), String(value));
    },
    unsetenv: (key: string): void => {
      env.delete(String(key));
    },
    urandom: (address: number, length: number): void => {
      (require('node:crypto') as typeof import('node:crypto')).randomFillSync(writableHeap(address, length));
    },
    /** Returns 0 once `ms` have passed, or the milliseconds left when an exception became pending (the caller loops, so the VM raises it). */
    sleep_ms: (ms: number): number => {
      beforeBlock();
      return ms > 0 ? waits.sleep(ms) : 0;
    },
    ticks_us: (): number => Number(((process.hrtime.bigint() - origin) / 1000n) & TICKS_PERIOD_MASK),
    set_status: (status: number): void => onStatus(status),
  };
}
