/** A counting semaphore: at most N async jobs at once, the rest queued in order. */

/** Runs at most `n` jobs at a time. */
export class Limiter {
  #free: number;
  #waiting: Array<() => void> = [];

  /** @param n jobs at once (at least 1) */
  constructor(n: number) {
    this.#free = Math.max(1, n);
  }

  /** Runs `fn` when a place is free; resolves or rejects as it does. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#free === 0) await new Promise<void>((ok) => this.#waiting.push(ok));
    else this.#free--;
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}
