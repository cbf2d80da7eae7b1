/**
 * Readiness changes of the network worker's sockets: every socket calls
 * {@link Readiness.changed} when something a poll could see happens (bytes,
 * end of stream, an error, a connection accepted or completed, a datagram),
 * and a waiting poll re-checks its sockets then, instead of on a timer.
 *
 * @module
 */

/** What {@link Readiness.until} resolves with when {@link Readiness.interrupt} ends the wait. */
export const INTERRUPTED = -1;

/** The worker's change signal (one per worker). */
export class Readiness {
  readonly #waiters = new Set<(interrupted: boolean) => void>();

  /** Tells every waiting poll to look again. */
  changed(): void {
    for (const wake of [...this.#waiters]) wake(false);
  }

  /** Ends every wait at once with {@link INTERRUPTED} (for a KeyboardInterrupt waiting to be raised). */
  interrupt(): void {
    for (const wake of [...this.#waiters]) wake(true);
  }

  /**
   * Resolves with `check()`'s first non-zero answer (a count of ready
   * things, so positive), 0 once `timeoutMs` has passed (0: answers at
   * once; the caller always bounds the wait), or {@link INTERRUPTED}.
   */
  until(check: () => number, timeoutMs: number): Promise<number> | number {
    const now = check();
    if (now !== 0 || timeoutMs <= 0) return now;
    return new Promise<number>((resolve) => {
      const wake = (interrupted: boolean): void => {
        const got = interrupted ? INTERRUPTED : check();
        if (got === 0) return;
        finish(got);
      };
      const finish = (got: number): void => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve(got);
      };
      const timer = setTimeout(() => finish(0), timeoutMs);
      this.#waiters.add(wake);
    });
  }
}
