// Host memory under hostile instances: N instances at once, each running an
// output bomb (stdout far past outputLimit), a filesystem bomb (writing until
// ENOSPC) and a memory bomb (allocating until MemoryError), one after the
// other in a single call. Prints the host's peak RSS (sampled every 20 ms),
// whether every instance was usable afterwards, and the time dispose() takes
// for an instance spinning on a read of a FIFO in a mount.
//
//   npx tsc -p . && node bench/sandbox.bench.mjs
//
// Runs twice: with the default bounds (heapSize 64M, fsSize 64M, outputLimit
// 16M) and with the tight ones of test/security/hostile-instances.test.ts
// (8M, 4M, 1M). MPY_BENCH_QUICK=1 makes the output bomb smaller;
// MPY_BENCH_JSON=path writes the figures as JSON.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MicroPython } from '../dist/index.js';

const QUICK = process.env.MPY_BENCH_QUICK === '1';
const INSTANCES = 20;
const OUTPUT_MIB = QUICK ? 32 : 128;
const MiB = 1024 * 1024;

/** The hostile program (test/fixtures/security/hostile-bomb.py), told how much to print. */
const BOMB = `OUTPUT_MIB = ${OUTPUT_MIB}\n${readFileSync(new URL('../test/fixtures/security/hostile-bomb.py', import.meta.url), 'utf8')}`;

async function hostile(options) {
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: INSTANCES }, async () => {
      const mp = await MicroPython.create(options);
      try {
        await mp.exec(BOMB);
        const after = await mp.eval('(fs_errno, mem_mib, 1 + 1)');
        return { ok: after[0] === 28 && after[2] === 2, stdoutChars: mp.stdout.length, memMiB: after[1] };
      } catch (e) {
        return { ok: false, error: `${e.name}: ${e.message.split('\n').at(-1)}`, usable: mp.usable };
      } finally {
        await mp.dispose();
      }
    }),
  );
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  return { peakRssMiB: Math.round(peak / MiB), seconds: +((performance.now() - started) / 1000).toFixed(1), results };
}

async function fifoDispose() {
  const dir = mkdtempSync(join(tmpdir(), 'mpy-bench-fifo-'));
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const writer = openSync(fifo, constants.O_RDWR);
  try {
    const mp = await MicroPython.create({ mounts: { '/app': dir } });
    const spinning = mp.exec("f = open('/app/fifo', 'rb')\nwhile f.read(1) is None:\n    pass").catch(() => {});
    await new Promise((r) => setTimeout(r, 200));
    const t = performance.now();
    await mp.dispose();
    await spinning;
    return +(performance.now() - t).toFixed(1);
  } finally {
    closeSync(writer);
    rmSync(dir, { recursive: true, force: true });
  }
}

const CONFIGS = {
  defaults: {},
  tight: { heapSize: '8M', fsSize: '4M', outputLimit: '1M' },
};

// Each configuration runs in a fresh process: RSS does not shrink after a peak.
const only = process.argv[2];
if (only !== undefined) {
  const options = CONFIGS[only];
  const r = await hostile(options);
  const failed = r.results.filter((x) => !x.ok);
  process.stdout.write(
    JSON.stringify({ peakRssMiB: r.peakRssMiB, seconds: r.seconds, usable: INSTANCES - failed.length, failures: failed }),
  );
} else {
  const figures = {};
  for (const [name, options] of Object.entries(CONFIGS)) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), name], { encoding: 'utf8', maxBuffer: 16 * MiB });
    const f = JSON.parse(out);
    figures[name] = f;
    console.log(
      `${INSTANCES} hostile instances (${name}: ${JSON.stringify(options)}; ${OUTPUT_MIB} MiB output each): peak host RSS ${f.peakRssMiB} MiB, ` +
        `${f.usable}/${INSTANCES} usable afterwards, ${f.seconds} s`,
    );
    for (const x of f.failures) console.log(`  failed: ${JSON.stringify(x)}`);
  }
  figures.fifoDisposeMs = await fifoDispose();
  console.log(`dispose() of an instance spinning on a FIFO read: ${figures.fifoDisposeMs} ms`);
  if (process.env.MPY_BENCH_JSON) writeFileSync(process.env.MPY_BENCH_JSON, JSON.stringify(figures, null, 2));
}
