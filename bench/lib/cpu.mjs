// CPU-bound Python: mpy's own workload (bench/cpu/mpy_cpu_bench.py) and,
// when installed, pystone_lowmem. In process, each on mpy, on mpy without the
// in-run garbage collection (the cost of spilling pointers), on mpy's host with
// the original wasm, and on the package's stock loader (tinybench in a worker
// per variant); as whole processes, mpy's CLI against the native Unix port
// and CPython running the same script.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timeOnVariants } from './in-process.mjs';
import { timeProcesses } from './processes.mjs';
import { skipped } from './report.mjs';
import { MPY_CLI } from './paths.mjs';

const CPU_DIR = fileURLToPath(new URL('../cpu/', import.meta.url));

const rate = (n) => `${Math.round(n).toLocaleString('en-US')}`;

function inProcessRows(prefix, label, unit, perCall, times) {
  const r = (v) => perCall / (times[v].ms / 1000);
  const checks = new Set(Object.values(times).map((t) => t.check));
  const note = checks.size === 1 ? `same result on every variant (${[...checks][0]})` : `RESULTS DIFFER: ${[...checks].join(' / ')}`;
  const row = (id, baseline, baselineName, target) => ({
    id: `${prefix}.${id}`,
    benchmark: `${label}, in process`,
    status: checks.size === 1 ? 'ok' : 'failed',
    mpy: `${rate(r('mpy'))} ${unit}`,
    baseline: `${rate(r(baseline))} ${unit}`,
    baselineName,
    ratio: r('mpy') / r(baseline),
    ratioMeaning: 'faster',
    target,
    note,
    data: times,
  });
  return [
    row('vs-stock', 'stock', 'stock loadMicroPython', '≥1.8x, aim 3x'),
    row('vs-original-wasm', 'mpy-original', 'mpy host, original wasm'),
    row('vs-no-inrun-gc', 'mpy-no-inrun-gc', 'mpy without in-run collection (no pointer spilling)', '≥0.9x'),
  ];
}

function nativeRows(prefix, label, unit, commands, parse, tools, rounds) {
  const want = {};
  if (tools.native) want.native = { name: 'native micropython', argv: [tools.native, ...commands.args], env: commands.env };
  if (tools.cpython && commands.cpython) want.cpython = { name: 'CPython', argv: [tools.cpython, ...commands.args], env: commands.env };
  const missing = {
    native: skipped(`${prefix}.vs-native`, `${label}, process`, 'MPY_NATIVE does not name a working micropython binary'),
    cpython: skipped(`${prefix}.vs-cpython`, `${label}, process`, commands.cpython ? 'python3 not found' : 'not runnable on CPython'),
  };
  if (Object.keys(want).length === 0) return Object.values(missing);
  const procs = { mpy: { argv: [process.execPath, MPY_CLI, ...commands.args], env: commands.env, cwd: commands.cwd } };
  for (const [k, v] of Object.entries(want)) procs[k] = { argv: v.argv, env: v.env, cwd: commands.cwd };
  // Each process reports its own best rate; the runner keeps the best over rounds.
  const best = Object.fromEntries(Object.keys(procs).map((k) => [k, 0]));
  let failure;
  for (let i = 0; i < rounds; i++) {
    const t = timeProcesses(procs, 1, { warmup: false });
    for (const [k, res] of Object.entries(t)) {
      if (res.status !== 0) failure = `${k}: ${res.stderr}`;
      else best[k] = Math.max(best[k], parse(res.stdoutTail));
    }
  }
  return ['native', 'cpython'].map((k) => {
    if (!want[k]) return missing[k];
    return {
      id: `${prefix}.vs-${k}`,
      benchmark: `${label}, process (same script)`,
      status: failure ? 'failed' : 'ok',
      mpy: `${rate(best.mpy)} ${unit}`,
      baseline: `${rate(best[k])} ${unit}`,
      baselineName: want[k].name,
      ratio: best.mpy / best[k],
      ratioMeaning: 'faster',
      note: failure ?? 'best of each process’s own timed runs',
      data: best,
    };
  });
}

/**
 * The CPU rows (pystone_lowmem's: in process, and {@link pystoneVsNative}).
 * @param {{sizes: import('./sizes.mjs').Sizes, tools: {native?: string, cpython?: string, pystone?: {path: string, source: string}},
 *   noInRunGcWasm: string}} options
 */
export async function cpuRows({ sizes, tools, noInRunGcWasm }) {
  const loops = sizes.cpuLoops;
  const source = readFileSync(join(CPU_DIR, 'mpy_cpu_bench.py'), 'utf8');
  const cpu = await timeOnVariants({
    modules: { mpy_cpu_bench: source },
    setup: 'import mpy_cpu_bench',
    call: `mpy_cpu_bench.run(${loops})`,
    check: `print(mpy_cpu_bench.run(${loops}))`,
    noInRunGcWasm,
    ...sizes.tinybench,
  });
  const rows = inProcessRows('cpu', `CPU work (mpy_cpu_bench, ${loops} loops)`, 'loops/s', loops, cpu);
  // Whole processes run longer, so that mpy's JIT warm-up is amortised as it would be in a real program.
  const processLoops = loops * 5;
  const repeat = sizes.processRepeat;
  rows.push(
    ...nativeRows(
      'cpu',
      `CPU work (mpy_cpu_bench, ${processLoops} loops)`,
      'loops/s',
      { args: ['main.py', String(processLoops), String(repeat)], cwd: CPU_DIR, cpython: true },
      (stdout) => {
        const j = JSON.parse(stdout.trim().split('\n').pop());
        return j.loops / (Math.max(j.best_ms, 0.001) / 1000);
      },
      tools,
      sizes.processRounds,
    ),
  );

  const pyLoops = sizes.pystoneLoops;
  const pyLabel = `pystone_lowmem (${pyLoops} loops)`;
  if (!tools.pystone) {
    rows.push(...['vs-stock', 'vs-original-wasm', 'vs-no-inrun-gc'].map((id) => skipped(`pystone.${id}`, pyLabel, NO_PYSTONE)));
    rows.push(pystoneVsNative({ sizes, tools }));
    return rows;
  }
  const py = await timeOnVariants({
    modules: { pystone_lowmem: tools.pystone.source },
    setup: 'import pystone_lowmem',
    call: `pystone_lowmem.pystones(${pyLoops})`,
    check: `print(pystone_lowmem.pystones(${pyLoops})[1] > 0)`,
    noInRunGcWasm,
    ...sizes.tinybench,
  });
  rows.push(...inProcessRows('pystone', `${pyLabel}`, 'pystones/s', pyLoops, py));
  rows.push(pystoneVsNative({ sizes, tools }));
  return rows;
}

const NO_PYSTONE =
  'pystone_lowmem not found (mpy -m upip install micropython-pystone_lowmem, or a MicroPython checkout in MPY_MICROPYTHON_DIR)';

/**
 * pystone_lowmem as whole processes, mpy's CLI against the native Unix port
 * (the row `npm run bench -- --quick` keeps of the CPU work).
 * @param {{sizes: import('./sizes.mjs').Sizes, tools: {native?: string, pystone?: {path: string, source: string}}}} options
 */
export function pystoneVsNative({ sizes, tools }) {
  const pyLoops = sizes.pystoneLoops;
  const pyLabel = `pystone_lowmem (${pyLoops} loops)`;
  if (!tools.pystone) return skipped('pystone.vs-native', pyLabel, NO_PYSTONE);
  const repeat = sizes.processRepeat;
  const env = { MICROPYPATH: dirname(tools.pystone.path) };
  const code = `import pystone_lowmem as p\nprint(max(p.pystones(${pyLoops})[1] for _ in range(${repeat})))`;
  const [native] = nativeRows(
    'pystone',
    pyLabel,
    'pystones/s',
    { args: ['-c', code], env, cwd: CPU_DIR, cpython: false },
    (s) => Number(s.trim()),
    tools,
    sizes.processRounds,
  );
  return native;
}
