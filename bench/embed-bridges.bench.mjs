// Cost of the embedding API's bridges (dist/), each against the plain call it
// builds on, measured in the same run:
//
//   - MicroPythonSync eval('1+1') (a blocking call through the bridge
//     worker) against an async mp.eval('1+1');
//   - a Python call of a registered JS function (the interpreter waits for
//     the main thread), per call, against a Python call of a Python function;
//   - runAsync awaiting an already resolved JS promise, against runAsync of
//     a plain expression (the asyncio.run around it);
//   - PyHandle.get('x') against mp.eval('p.x').
//
//   npx tsc -p . && node bench/embed-bridges.bench.mjs
//
// Honours the runner's MPY_BENCH_QUICK, BENCH_TIME_MS and MPY_BENCH_JSON.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Bench } from 'tinybench';
import { MicroPython, MicroPythonSync } from '../dist/index.js';

const QUICK = process.env.MPY_BENCH_QUICK === '1';
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? (QUICK ? 200 : 2000));
const CALLS = 100;

const bench = new Bench({ time: TIME_MS, warmupTime: Math.min(500, TIME_MS), warmupIterations: 3, iterations: 5, throws: true });
const mp = await MicroPython.create({ js: true });
await mp.registerJsModule('host', { add: (a, b) => a + b, resolved: async (v) => v });
await mp.exec('import host\nimport asyncio\ndef add(a, b):\n    return a + b\nclass P:\n    x = 1\np = P()');
const p = await mp.eval('p', { handle: true });
const sync = MicroPythonSync.create();

bench
  .add("MicroPythonSync eval('1+1')", () => {
    sync.eval('1+1');
  })
  .add("baseline: mp.eval('1+1')", async () => {
    await mp.eval('1+1');
  })
  .add(`${CALLS} Python calls of a JS function`, async () => {
    await mp.exec(`for i in range(${CALLS}):\n    host.add(i, 1)`);
  })
  .add(`baseline: ${CALLS} Python calls of a Python function`, async () => {
    await mp.exec(`for i in range(${CALLS}):\n    add(i, 1)`);
  })
  .add('runAsync awaiting a resolved JS promise', async () => {
    await mp.runAsync('await host.resolved(1)');
  })
  .add("baseline: runAsync('1')", async () => {
    await mp.runAsync('1');
  })
  .add("PyHandle.get('x')", async () => {
    await p.get('x');
  })
  .add("baseline: mp.eval('p.x')", async () => {
    await mp.eval('p.x');
  });

await bench.run();
sync.dispose();
await p.release();
await mp.dispose();

const mean = (name) => {
  const t = bench.tasks.find((x) => x.name === name);
  return t.result.latency?.mean ?? t.result.mean;
};
const fmt = (ms) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`);
const rows = bench.tasks.map((t) => ({ name: t.name, mean: fmt(mean(t.name)), samples: t.result.latency?.samplesCount }));
console.table(rows);

const jsCall = (mean(`${CALLS} Python calls of a JS function`) - mean(`baseline: ${CALLS} Python calls of a Python function`)) / CALLS;
const summary = {
  syncEvalUs: mean("MicroPythonSync eval('1+1')") * 1000,
  syncVsAsyncEval: mean("MicroPythonSync eval('1+1')") / mean("baseline: mp.eval('1+1')"),
  jsCallUs: jsCall * 1000,
  promiseAwaitExtraUs: (mean('runAsync awaiting a resolved JS promise') - mean("baseline: runAsync('1')")) * 1000,
  handleGetVsEval: mean("PyHandle.get('x')") / mean("baseline: mp.eval('p.x')"),
  loadAverage: loadavg()[0],
  timeMs: TIME_MS,
};
if (process.env.MPY_BENCH_JSON) writeFileSync(process.env.MPY_BENCH_JSON, JSON.stringify({ rows, summary }, null, 2));
console.log(
  `sync eval ${fmt(summary.syncEvalUs / 1000)} = ${summary.syncVsAsyncEval.toFixed(2)}x async eval; handle get = ${summary.handleGetVsEval.toFixed(2)}x eval`,
);
console.log(
  `a JS function called from Python: ${fmt(jsCall)} per call; awaiting a resolved JS promise adds ${fmt(summary.promiseAwaitExtraUs / 1000)}`,
);
console.log(`load average ${summary.loadAverage.toFixed(2)}`);
