// Throughput of `mpy compile` (dist/) on a generated corpus: one worker
// against the full pool, measured in the same run. Each round runs the whole
// command path (plan, pool start-up, mpy-cross in every worker, writing the
// .mpy files) once with -j 1 and once with -j CPUS, alternating, and the
// median of ROUNDS is reported as files/s and as a ratio (also the median of
// the per-round ratios, which drifts less on a shared machine; the load
// average is printed with the figures).
//
//   npx tsc -p . && node bench/compile.bench.mjs [MODULES] [ROUNDS]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { compileTree } from '../dist/host/compile/compile-tree.js';

const MODULES = Number(process.argv[2] ?? 400);
const ROUNDS = Number(process.argv[3] ?? 5);
const CPUS = availableParallelism();

// A deterministic corpus: packages of modules with classes, functions,
// comprehensions, strings and float constants (a few of which need the exact
// rewrite), about 70 lines each.
function module(i) {
  const lines = [`"""Generated module ${i}."""`, 'import math', `from . import helpers${i % 4} as h`, ''];
  for (let c = 0; c < 3; c++) {
    lines.push(
      `class Shape${c}_${i}:`,
      `    SCALE = ${(i * 0.37 + c).toFixed(3)}`,
      '    def __init__(self, w, h):',
      '        self.w = w',
      '        self.h = h',
      '    def area(self):',
      '        return self.w * self.h * self.SCALE',
      '    def describe(self):',
      `        return "shape-${c}: %s x %s" % (self.w, self.h)`,
      '',
    );
  }
  for (let f = 0; f < 6; f++) {
    lines.push(
      `def fn${f}(xs, k=${f}):`,
      `    ys = [x * ${f + 1}.5 + k for x in xs if x % ${f + 2}]`,
      `    d = {str(x): x ** 2 for x in ys[:${f + 3}]}`,
      '    try:',
      '        return sum(ys) / len(ys), d',
      '    except ZeroDivisionError:',
      `        return ${i % 3 === 0 ? '0.9999999999999999' : '0.0'}, d`,
      '',
    );
  }
  lines.push(`TABLE = [${Array.from({ length: 12 }, (_, n) => `${((i + 1) * (n + 3) * 0.013).toFixed(5)}`).join(', ')}]`, '');
  return lines.join('\n');
}

function writeCorpus(root) {
  for (let i = 0; i < MODULES; i++) {
    const pkg = join(root, `pkg${i % 10}`);
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, `mod${i}.py`), module(i));
  }
  for (let p = 0; p < 10; p++) {
    writeFileSync(join(root, `pkg${p}`, '__init__.py'), `NAME = "pkg${p}"\n`);
    for (let h = 0; h < 4; h++)
      writeFileSync(join(root, `pkg${p}`, `helpers${h}.py`), `def clamp(x, lo=0.0, hi=1.0):\n    return max(lo, min(hi, x))\n`);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

// How much parallel work this machine gives us right now: N threads spinning
// for MS each, work done relative to one thread. On a shared machine this is
// the ceiling for the pool/one-worker ratio; it is measured before each round.
async function spinCeiling(threads, ms = 300) {
  const code = `const t = Date.now(); let x = 0; while (Date.now() - t < ${ms}) x++; require('node:worker_threads').parentPort.postMessage(x);`;
  const spin = (n) =>
    Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise((res) => {
            const w = new Worker(code, { eval: true });
            w.once('message', (m) => {
              res(m);
              void w.terminate();
            });
          }),
      ),
    ).then((xs) => xs.reduce((a, b) => a + b, 0));
  const one = await spin(1);
  return (await spin(threads)) / one;
}

const dir = mkdtempSync(join(tmpdir(), 'mpy-compile-bench-'));
try {
  const src = join(dir, 'src');
  writeCorpus(src);
  const files = MODULES + 50;
  const rates = { one: [], pool: [] };
  const cpuPerFile = { one: [], pool: [] };
  const cpuShare = { one: [], pool: [] };
  // Warm-up: disk cache, module loading.
  await compileTree({ sources: [src], outDir: join(dir, 'warm'), jobs: CPUS });
  const ceilings = [];
  for (let r = 0; r < ROUNDS; r++) {
    ceilings.push(await spinCeiling(CPUS));
    for (const [key, jobs] of [
      ['one', 1],
      ['pool', CPUS],
    ]) {
      const out = join(dir, `out-${key}-${r}`);
      const cpu0 = process.cpuUsage(); // all threads of the process
      const s = await compileTree({ sources: [src], outDir: out, jobs });
      const cpu = process.cpuUsage(cpu0);
      if (s.failed.length || s.compiled !== files)
        throw new Error(`round ${r} -j ${jobs}: ${s.failed.length} failed, ${s.compiled} compiled`);
      rates[key].push(files / s.seconds);
      cpuPerFile[key].push((cpu.user + cpu.system) / 1000 / files);
      cpuShare[key].push((cpu.user + cpu.system) / 1e6 / s.seconds);
      rmSync(out, { recursive: true, force: true });
    }
  }
  const ceiling = median(ceilings);
  const one = median(rates.one);
  const pool = median(rates.pool);
  const paired = median(rates.pool.map((p, i) => p / rates.one[i]));
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const load = loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  console.log(
    `mpy compile: ${files} files, ${ROUNDS} rounds (median), ${CPUS} CPUs (${cpu}), Node ${process.version}, load average ${load}`,
  );
  const line = (label, key, rate) =>
    `  ${label.padEnd(8)}${rate.toFixed(0).padStart(6)} files/s  ${median(cpuPerFile[key]).toFixed(2)} CPU ms/file  ` +
    `${median(cpuShare[key]).toFixed(2)} CPUs busy   (rounds: ${rates[key].map((x) => x.toFixed(0)).join(', ')})`;
  console.log(line('-j 1', 'one', one));
  console.log(line(`-j ${CPUS}`, 'pool', pool));
  console.log(`  pool / one worker: ${(pool / one).toFixed(2)}x (median of per-round ratios: ${paired.toFixed(2)}x)`);
  console.log(`  ceiling: ${CPUS} spinning threads did ${ceiling.toFixed(2)}x the work of one (median over the rounds)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
