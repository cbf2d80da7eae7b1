/**
 * Bounded concurrency for async work: the one limiter used for index
 * requests, downloads, catalog scans and test discovery.
 *
 * @module
 */

/** A counting semaphore: runs at most N async jobs at a time, the rest queued in order. */
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

/**
 * Maps `items` through `fn` with at most `n` calls in flight; results keep
 * the items' order. Rejects with the first rejection.
 */
export function mapLimited<T, R>(items: readonly T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const limiter = new Limiter(n);
  return Promise.all(items.map((item) => limiter.run(() => fn(item))));
}
