/**
 * The one monotonic clock of mpy's own code, in milliseconds. `process.hrtime`
 * rather than `performance.now()`: the first use of `performance` in a thread
 * loads Node's perf_hooks (eight internal modules, ~5 ms at a thread's start).
 *
 * @module
 */

/** Milliseconds on a monotonic clock with an arbitrary origin (fractional). */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
