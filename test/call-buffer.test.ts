/**
 * The embedding call buffer's polling (host/embed/call-buffer.ts): a short
 * wait for the other thread's signal that does not go to sleep. The calls it
 * saves are measured in bench/embed.bench.mjs; here, what it answers.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { pollWhile } from '../host/embed/call-buffer.js';

describe('pollWhile', () => {
  it('returns true at once when the word has already moved on', () => {
    const words = new Int32Array(new SharedArrayBuffer(8));
    Atomics.store(words, 1, 5);
    expect(pollWhile(words, 1, 4, 1_000_000)).toBe(true);
  });

  it('gives up and returns false when the word stays put for the budget', () => {
    const words = new Int32Array(new SharedArrayBuffer(8));
    expect(pollWhile(words, 0, 0, 200)).toBe(false);
    expect(Atomics.load(words, 0)).toBe(0);
  });

  it('sees a store made by another thread while it polls', async () => {
    const words = new Int32Array(new SharedArrayBuffer(8));
    // The thread waits for word 0 (set below, just before this thread polls), then stores word 1.
    const worker = new Worker(
      `const w = new Int32Array(require('node:worker_threads').workerData);
       Atomics.wait(w, 0, 0);
       Atomics.store(w, 1, 7);`,
      { eval: true, workerData: words.buffer },
    );
    await new Promise((resolve) => worker.once('online', resolve));
    Atomics.store(words, 0, 1);
    Atomics.notify(words, 0);
    // A budget far beyond any wake-up: the store ends the poll, not the budget.
    expect(pollWhile(words, 1, 0, 30_000_000)).toBe(true);
    expect(Atomics.load(words, 1)).toBe(7);
    await worker.terminate();
  });
});
