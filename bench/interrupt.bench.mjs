#!/usr/bin/env node
// Interrupt support (issue 11): what it costs and how fast it reacts.
//
//   - `mpy -c pass` and printing 200,000 lines (piped), as whole processes:
//     mpy (interpreter in a worker, shared wasm memory) against the
//     reference, mpy as it was before (interpreter on the main thread,
//     unshared memory; bench/interrupt/main-thread-mpy.mjs), interleaved;
//   - pystone's Proc0 in process on the shared vs the unshared memory
//     (MPY_PYSTONE: a pystone source defining Proc0(loops), e.g. MicroPython's
//     tests/perf_bench/misc_pystone.py or pystone_lowmem.py; third-party code,
//     read where it is installed, never kept here; skipped when absent);
//   - time from SIGINT to the KeyboardInterrupt handler running (it writes to
//     stderr), median, for a CPU loop and for time.sleep.
//
// `node bench/interrupt.bench.mjs` (MPY_BENCH_QUICK=1: fewer rounds). Writes
// JSON to MPY_BENCH_JSON when set. Needs a built dist/.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { timeProcesses } from './lib/processes.mjs';
import { MPY_CLI, requireBuilt } from './lib/paths.mjs';

const quick = process.env.MPY_BENCH_QUICK === '1';
const REFERENCE = fileURLToPath(new URL('./interrupt/main-thread-mpy.mjs', import.meta.url));
const PYSTONE_DEFAULT = '/tmp/micropython/tests/perf_bench/misc_pystone.py';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (ms) => `${ms.toFixed(1)} ms`;

function processPair(label, args, rounds) {
  const r = timeProcesses(
    {
      mpy: { argv: [process.execPath, MPY_CLI, ...args] },
      reference: { argv: [process.execPath, REFERENCE, ...args] },
    },
    rounds,
  );
  for (const [name, o] of Object.entries(r)) {
    if (o.status !== 0) throw new Error(`${label}: ${name} exited with ${o.status}: ${o.stderr}`);
  }
  if (r.mpy.stdoutBytes !== r.reference.stdoutBytes) throw new Error(`${label}: the two wrote different output`);
  return { label, mpyMs: r.mpy.medianMs, referenceMs: r.reference.medianMs, rounds };
}

function pystoneRun(shared, source, loops, rounds) {
  const worker = new Worker(new URL('./interrupt/pystone-worker.mjs', import.meta.url), { workerData: { shared, source, loops, rounds } });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`pystone worker exited with ${code}`)));
  }).finally(() => worker.terminate());
}

async function pystone(rounds) {
  const path = process.env.MPY_PYSTONE ?? PYSTONE_DEFAULT;
  if (!existsSync(path)) return { label: 'pystone', skipped: `no pystone source at ${path} (set MPY_PYSTONE)` };
  const source = readFileSync(path, 'utf8');
  const loops = quick ? 2000 : 10000;
  const shared = [];
  const unshared = [];
  for (let i = 0; i < rounds; i++) {
    // Each worker's first run warms V8's tiers up; the median of the rest counts.
    shared.push(median((await pystoneRun(true, source, loops, 4)).slice(1)));
    unshared.push(median((await pystoneRun(false, source, loops, 4)).slice(1)));
  }
  return { label: `pystone Proc0(${loops}) in process`, mpyMs: median(shared), referenceMs: median(unshared), rounds, source: path };
}

/** One run: ms from kill(SIGINT) to the handler's line on stderr. */
function sigintLatency(program) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MPY_CLI, '-c', program], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    let sentAt;
    let handledAt;
    child.stderr.on('data', (d) => {
      err += d;
      if (sentAt === undefined && err.includes('ready\n')) {
        sentAt = process.hrtime.bigint();
        child.kill('SIGINT');
      }
      if (handledAt === undefined && err.includes('handled\n')) handledAt = process.hrtime.bigint();
    });
    child.on('error', reject);
    child.on('close', (status) => {
      if (status !== 0 || handledAt === undefined) reject(new Error(`SIGINT run failed (${status}): ${err}`));
      else resolve(Number(handledAt - sentAt) / 1e6);
    });
  });
}

async function latency(label, body, runs) {
  const program = `import sys, time\ntry:\n    sys.stderr.write("ready\\n")\n    ${body}\nexcept KeyboardInterrupt:\n    sys.stderr.write("handled\\n")`;
  const times = [];
  for (let i = 0; i < runs; i++) times.push(await sigintLatency(program));
  return { label, medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), runs };
}

await requireBuilt();
const rounds = quick ? 5 : 15;
const costs = [
  processPair('mpy -c pass', ['-c', 'pass'], rounds),
  processPair('print 200,000 lines (piped)', ['-c', 'for i in range(200000):\n    print(i)'], rounds),
  await pystone(quick ? 2 : 5),
];
const reactions = [
  await latency('SIGINT → handler, CPU loop', 'while True:\n        pass', quick ? 5 : 21),
  await latency('SIGINT → handler, time.sleep(10)', 'time.sleep(10)', quick ? 5 : 21),
];

const lines = ['| figure | with interrupt support | reference (main thread, unshared memory) | ratio |', '|---|---|---|---|'];
for (const c of costs) {
  if (c.skipped) lines.push(`| ${c.label} | skipped: ${c.skipped} | | |`);
  else
    lines.push(
      `| ${c.label} (median of ${c.rounds}) | ${fmt(c.mpyMs)} | ${fmt(c.referenceMs)} | ${(c.mpyMs / c.referenceMs).toFixed(3)} |`,
    );
}
lines.push('', '| reaction | median | min | max |', '|---|---|---|---|');
for (const r of reactions) lines.push(`| ${r.label} (${r.runs} runs) | ${fmt(r.medianMs)} | ${fmt(r.minMs)} | ${fmt(r.maxMs)} |`);
process.stdout.write(`${lines.join('\n')}\n`);
if (process.env.MPY_BENCH_JSON) writeFileSync(process.env.MPY_BENCH_JSON, JSON.stringify({ costs, reactions }, null, 2));
