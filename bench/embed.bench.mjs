// Cost of the embedding API (dist/), against baselines measured in the same
// run, as ratios:
//
//   - create + dispose one MicroPython instance (a worker thread, the
//     interpreter, boot, mounts), against starting and ending an empty
//     worker thread, and against the package's stock loadMicroPython booting
//     a VM in this thread (no worker, no isolation);
//   - create + dispose 8 instances in parallel, per instance;
//   - create + dispose with the worker importing its ES modules
//     (MPY_NO_BUNDLE=1) instead of running its bundle from the code cache
//     (base/bundle.ts), and with the worker booting instead of starting from
//     the boot image (MPY_NO_BOOT_IMAGE=1, runtime/boot-image.ts), against
//     create + dispose as shipped;
//   - per-call overhead: mp.eval('1+1') and mp.call('f', 2, 3) (a round
//     trip to the worker through shared memory, the tagged encoding) against
//     a bare runPython('1+1') / runPython('f(2, 3)') on the stock
//     loadMicroPython in this process; and mp.eval of a new expression each
//     time (no compiled code to reuse) against runPython of the same;
//   - the same calls, and create + dispose, of an in-thread instance
//     (thread: 'current': no worker, no thread hop), against the same
//     baselines, and eval with timeoutMs set (its watchdog thread). They run first, before the stock package boots here: two
//     glues in one thread share their globalThis state.
//
//   npx tsc -p . && node bench/embed.bench.mjs
//
// Honours the runner's MPY_BENCH_QUICK, BENCH_TIME_MS and MPY_BENCH_JSON.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Bench } from 'tinybench';
import { loadMicroPython } from '@micropython/micropython-webassembly-pyscript';
import { MicroPython } from '../dist/index.js';
import { requireBuilt } from './lib/paths.mjs';

await requireBuilt();

const QUICK = process.env.MPY_BENCH_QUICK === '1';
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? (QUICK ? 200 : 2000));
const PARALLEL = 8;

// --quick keeps the sample counts small: a create + dispose of 8 instances takes seconds on a loaded machine.
const options = {
  time: TIME_MS,
  warmupTime: Math.min(500, TIME_MS),
  warmupIterations: QUICK ? 1 : 3,
  iterations: QUICK ? 2 : 5,
  throws: true,
};
const bench = new Bench(options);
// Booting the stock glue replaces its globalThis state: it runs last, on its own.
const bootBench = new Bench(options);

// -- create / dispose
const emptyWorker = 'data:text/javascript,';
bench
  .add('create + dispose, 1 instance', async () => {
    const mp = await MicroPython.create();
    await mp.dispose();
  })
  .add(`create + dispose, ${PARALLEL} in parallel (whole batch)`, async () => {
    const all = await Promise.all(Array.from({ length: PARALLEL }, () => MicroPython.create()));
    await Promise.all(all.map((mp) => mp.dispose()));
  })
  .add('create + dispose, 1 instance, its modules imported (MPY_NO_BUNDLE=1)', async () => {
    process.env.MPY_NO_BUNDLE = '1'; // the worker takes a copy of the environment when it starts
    const created = MicroPython.create();
    delete process.env.MPY_NO_BUNDLE;
    const mp = await created;
    await mp.dispose();
  })
  .add('create + dispose, 1 instance, booted without the boot image (MPY_NO_BOOT_IMAGE=1)', async () => {
    process.env.MPY_NO_BOOT_IMAGE = '1';
    const created = MicroPython.create();
    delete process.env.MPY_NO_BOOT_IMAGE;
    const mp = await created;
    await mp.dispose();
  })
  .add('baseline: empty worker thread start + terminate', async () => {
    const w = new Worker(new URL(emptyWorker), { execArgv: [] });
    await new Promise((resolve) => w.once('online', resolve));
    await w.terminate();
  });

// -- an empty round trip through shared memory with both sides asleep while
// they wait (the worker blocked in Atomics.wait, this thread in
// Atomics.waitAsync), no Python, no encoding: what each call paid before the
// instances polled for a short while first (host/embed/call-buffer.ts).
const echoWords = new Int32Array(new SharedArrayBuffer(8));
const echo = new Worker(
  `const w = new Int32Array(require('node:worker_threads').workerData);
   for (let seen = 0;;) { Atomics.wait(w, 0, seen); seen = Atomics.load(w, 0); if (seen < 0) break; Atomics.store(w, 1, seen); Atomics.notify(w, 1); }`,
  { eval: true, workerData: echoWords.buffer, execArgv: [] },
);
let echoCount = 0;
bench.add('baseline: empty worker round trip through shared memory, sleeping waits', async () => {
  const n = ++echoCount;
  Atomics.store(echoWords, 0, n);
  Atomics.notify(echoWords, 0);
  const wait = Atomics.waitAsync(echoWords, 1, n - 1);
  if (wait.async) await wait.value;
});

// -- the in-thread mode, measured before the stock glue ever boots in this thread
const inThreadBench = new Bench(options);
let fresh = 0;
inThreadBench.add('in-thread create + dispose, 1 instance', async () => {
  const it = await MicroPython.create({ thread: 'current' });
  await it.dispose();
});
await inThreadBench.run();
const inThread = await MicroPython.create({ thread: 'current' });
await inThread.exec('def f(a, b):\n    return a + b');
const inThreadCalls = new Bench(options);
inThreadCalls
  .add("in-thread mp.eval('1+1')", async () => {
    await inThread.eval('1+1');
  })
  .add("in-thread mp.call('f', 2, 3)", async () => {
    await inThread.call('f', 2, 3);
  })
  .add('in-thread mp.eval of a new expression each call', async () => {
    await inThread.eval(`${fresh++}+1`);
  });
await inThreadCalls.run();
await inThread.dispose();
// With timeoutMs, a watchdog thread watches each call (two stores in shared memory per call).
const watched = await MicroPython.create({ thread: 'current', timeoutMs: 60_000 });
const watchedCalls = new Bench(options);
watchedCalls.add("in-thread mp.eval('1+1'), timeoutMs set (watchdog thread)", async () => {
  await watched.eval('1+1');
});
await watchedCalls.run();
await watched.dispose();

// -- per call
const mp = await MicroPython.create();
await mp.exec('def f(a, b):\n    return a + b');
const stock = await loadMicroPython({ stdout: () => {}, stderr: () => {} });
stock.runPython('def f(a, b):\n    return a + b');
bench
  .add("mp.eval('1+1')", async () => {
    await mp.eval('1+1');
  })
  .add("mp.call('f', 2, 3)", async () => {
    await mp.call('f', 2, 3);
  })
  .add("baseline: stock runPython('1+1')", () => {
    stock.runPython('1+1');
  })
  .add('mp.eval of a new expression each call', async () => {
    await mp.eval(`${fresh++}+1`);
  })
  .add('baseline: stock runPython of a new expression each call', () => {
    stock.runPython(`${fresh++}+1`);
  })
  .add("baseline: stock runPython('f(2, 3)')", () => {
    stock.runPython('f(2, 3)');
  });
bootBench.add('baseline: stock loadMicroPython boot (same thread)', async () => {
  await loadMicroPython({ stdout: () => {}, stderr: () => {} });
});

await bench.run();
await mp.dispose();
Atomics.store(echoWords, 0, -1);
Atomics.notify(echoWords, 0);
await echo.terminate();
await bootBench.run();
const tasks = [...inThreadBench.tasks, ...inThreadCalls.tasks, ...watchedCalls.tasks, ...bench.tasks, ...bootBench.tasks];

// Medians per iteration: on a shared machine a few descheduled iterations move a mean far.
const mean = (name) => {
  const t = tasks.find((x) => x.name === name);
  return t.result.latency?.p50 ?? t.result.latency?.mean ?? t.result.mean;
};
const fmt = (ms) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`);
const rows = tasks.map((t) => ({ name: t.name, median: fmt(mean(t.name)), samples: t.result.latency?.samplesCount }));
console.table(rows);

const create = mean('create + dispose, 1 instance');
const batch = mean(`create + dispose, ${PARALLEL} in parallel (whole batch)`);
const summary = {
  createDisposeMs: create,
  createDisposeParallelPerInstanceMs: batch / PARALLEL,
  createVsEmptyWorker: create / mean('baseline: empty worker thread start + terminate'),
  createVsStockBoot: create / mean('baseline: stock loadMicroPython boot (same thread)'),
  createModulesVsBundle: mean('create + dispose, 1 instance, its modules imported (MPY_NO_BUNDLE=1)') / create,
  createBootedVsImage: mean('create + dispose, 1 instance, booted without the boot image (MPY_NO_BOOT_IMAGE=1)') / create,
  evalUs: mean("mp.eval('1+1')") * 1000,
  stockRunPythonUs: mean("baseline: stock runPython('1+1')") * 1000,
  evalVsRunPython: mean("mp.eval('1+1')") / mean("baseline: stock runPython('1+1')"),
  callVsRunPython: mean("mp.call('f', 2, 3)") / mean("baseline: stock runPython('f(2, 3)')"),
  echoRoundTripUs: mean('baseline: empty worker round trip through shared memory, sleeping waits') * 1000,
  evalVsEchoPlusRunPython:
    mean("mp.eval('1+1')") /
    (mean('baseline: empty worker round trip through shared memory, sleeping waits') + mean("baseline: stock runPython('1+1')")),
  evalNewVsRunPython: mean('mp.eval of a new expression each call') / mean('baseline: stock runPython of a new expression each call'),
  inThreadEvalUs: mean("in-thread mp.eval('1+1')") * 1000,
  inThreadEvalVsRunPython: mean("in-thread mp.eval('1+1')") / mean("baseline: stock runPython('1+1')"),
  inThreadCallVsRunPython: mean("in-thread mp.call('f', 2, 3)") / mean("baseline: stock runPython('f(2, 3)')"),
  inThreadEvalNewVsRunPython:
    mean('in-thread mp.eval of a new expression each call') / mean('baseline: stock runPython of a new expression each call'),
  inThreadTimeoutEvalVsRunPython:
    mean("in-thread mp.eval('1+1'), timeoutMs set (watchdog thread)") / mean("baseline: stock runPython('1+1')"),
  inThreadCreateDisposeMs: mean('in-thread create + dispose, 1 instance'),
  inThreadCreateVsEmptyWorker: mean('in-thread create + dispose, 1 instance') / mean('baseline: empty worker thread start + terminate'),
  inThreadCreateVsStockBoot: mean('in-thread create + dispose, 1 instance') / mean('baseline: stock loadMicroPython boot (same thread)'),
  loadAverage: loadavg()[0],
  timeMs: TIME_MS,
};
if (process.env.MPY_BENCH_JSON) writeFileSync(process.env.MPY_BENCH_JSON, JSON.stringify({ rows, summary }, null, 2));
console.log(
  `create+dispose ${fmt(create)} (${summary.createVsEmptyWorker.toFixed(1)}x an empty worker, ` +
    `${summary.createVsStockBoot.toFixed(1)}x a stock in-thread boot); ${PARALLEL} in parallel: ${fmt(summary.createDisposeParallelPerInstanceMs)} each; ` +
    `without the bundle (modules imported) ${summary.createModulesVsBundle.toFixed(2)}x; ` +
    `booted without the boot image ${summary.createBootedVsImage.toFixed(2)}x`,
);
console.log(
  `eval ${fmt(mean("mp.eval('1+1')"))} = ${summary.evalVsRunPython.toFixed(1)}x stock runPython; ` +
    `call ${fmt(mean("mp.call('f', 2, 3)"))} = ${summary.callVsRunPython.toFixed(1)}x; ` +
    `a new expression each call ${fmt(mean('mp.eval of a new expression each call'))} = ${summary.evalNewVsRunPython.toFixed(1)}x`,
);
console.log(
  `an empty worker round trip through shared memory with sleeping waits ${fmt(summary.echoRoundTripUs / 1000)}; ` +
    `eval = ${summary.evalVsEchoPlusRunPython.toFixed(1)}x (that round trip + stock runPython)`,
);
console.log(
  `in-thread (thread: 'current'): eval ${fmt(summary.inThreadEvalUs / 1000)} = ${summary.inThreadEvalVsRunPython.toFixed(2)}x stock runPython; ` +
    `with timeoutMs ${summary.inThreadTimeoutEvalVsRunPython.toFixed(2)}x; ` +
    `call = ${summary.inThreadCallVsRunPython.toFixed(2)}x; a new expression each call = ${summary.inThreadEvalNewVsRunPython.toFixed(2)}x; ` +
    `create+dispose ${fmt(summary.inThreadCreateDisposeMs)} = ${summary.inThreadCreateVsEmptyWorker.toFixed(2)}x an empty worker, ` +
    `${summary.inThreadCreateVsStockBoot.toFixed(2)}x a stock in-thread boot`,
);
console.log(`load average ${summary.loadAverage.toFixed(2)}`);
