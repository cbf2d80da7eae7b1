/**
 * Readiness changes of the network worker's sockets: every socket calls
 * {@link Readiness.changed} when something a poll could see happens (bytes,
 * end of stream, an error, a connection accepted or completed, a datagram),
 * and a waiting poll re-checks its sockets then, instead of on a timer.
 *
 * @module
 */

/** The worker's change signal (one per worker). */
export class Readiness {
  readonly #waiters = new Set<() => void>();

  /** Tells every waiting poll to look again. */
  changed(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  /**
   * Resolves with `check()`'s first non-zero answer, or 0 once `timeoutMs`
   * has passed (0: answers at once; the caller always bounds the wait).
   */
  until(check: () => number, timeoutMs: number): Promise<number> | number {
    const now = check();
    if (now !== 0 || timeoutMs <= 0) return now;
    return new Promise<number>((resolve) => {
      const wake = (): void => {
        const got = check();
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
