// Twenty hostile instances at once in one host: each prints far past its
// outputLimit, writes files until ENOSPC and allocates until MemoryError.
// The host stays alive, the instances add under 1 GiB to its RSS (the test
// runner's own share is not theirs), and every instance is still usable
// afterwards. (bench/sandbox.bench.mjs prints the figures for a bare host:
// a peak of 510-620 MiB in all.)
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ensureDist } from '../helpers/dist.js';
import type * as Api from '../../dist/index.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython } = (await import('../../dist/index.js')) as typeof Api;

const INSTANCES = 20;
const GiB = 1024 * 1024 * 1024;
const BOUNDS = { heapSize: '8M', fsSize: '4M', outputLimit: '1M' } as const;
const OUTPUT_MIB = 16;

/** The hostile program (test/fixtures/security/hostile-bomb.py), told how much to print. */
const BOMB = `OUTPUT_MIB = ${OUTPUT_MIB}\n${readFileSync(new URL('../fixtures/security/hostile-bomb.py', import.meta.url), 'utf8')}`;

describe(`${INSTANCES} hostile instances at once`, () => {
  it('stay bounded, add under 1 GiB to the host RSS and remain usable', { timeout: 180_000 }, async () => {
    const base = process.memoryUsage.rss();
    let peak = base;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 20);
    try {
      const results = await Promise.all(
        Array.from({ length: INSTANCES }, async () => {
          const mp = await MicroPython.create(BOUNDS);
          try {
            await mp.exec(BOMB);
            const [fsErrno, memMiB] = (await mp.eval('(fs_errno, mem_mib)')) as [number, number];
            const stdout = mp.stdout;
            return {
              fsErrno,
              memWithinHeap: memMiB > 0 && memMiB <= 8,
              stdoutBounded:
                stdout.length < 1024 * 1024 + 200 &&
                stdout.includes(`[mpy: ${OUTPUT_MIB * 1024 * 1024 - 1024 * 1024} bytes of output cut here`),
              usable: (await mp.eval('1 + 1')) === 2,
            };
          } finally {
            await mp.dispose();
          }
        }),
      );
      for (const r of results) expect(r).toEqual({ fsErrno: 28, memWithinHeap: true, stdoutBounded: true, usable: true });
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage.rss());
    expect(peak - base).toBeLessThan(GiB);
  });

  it("in the calling thread (thread: 'current'): the same bounds hold, and the instance stays usable", { timeout: 60_000 }, async () => {
    await using mp = await MicroPython.create({ ...BOUNDS, thread: 'current' });
    await mp.exec(BOMB);
    const [fsErrno, memMiB] = (await mp.eval('(fs_errno, mem_mib)')) as [number, number];
    expect(fsErrno).toBe(28);
    expect(memMiB > 0 && memMiB <= 8).toBe(true);
    expect(mp.stdout.length).toBeLessThan(1024 * 1024 + 200);
    expect(mp.stdout).toContain(`[mpy: ${OUTPUT_MIB * 1024 * 1024 - 1024 * 1024} bytes of output cut here`);
    expect(await mp.eval('1 + 1')).toBe(2);
  });
});
