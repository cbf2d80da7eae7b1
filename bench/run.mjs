#!/usr/bin/env node
// `npm run bench [-- --quick | --smoke] [-- --out DIR]`: mpy against its baselines,
// measured in the same run, as ratios.
//
//   - CPU-bound Python in process (tinybench): mpy's own workload and, when
//     installed, pystone_lowmem, on mpy vs the package's stock
//     loadMicroPython vs mpy's host on the original wasm vs mpy without the
//     in-run garbage collection;
//   - memory: a garbage-making loop's peak RSS and time, mpy vs mpy without
//     the in-run collection (and the native port);
//   - as whole processes: the same script on mpy's CLI vs the native
//     MicroPython Unix port (MPY_NATIVE=/path/to/micropython) and CPython;
//   - `mpy -c pass` vs `node -e 0`; printing 200,000 lines vs node;
//   - every other bench/*.bench.mjs, run as is (see lib/external.mjs).
//
// Prints a markdown table on stdout and writes JSON to bench/results/
// (gitignored). --quick: CI-sized runs; --smoke: the smallest runs that
// produce every row (to check the runner, figures meaningless; other
// benchmarks run as with --quick); --skip-external: list the other benchmarks
// as skipped; --no-inrun-gc-wasm FILE: compare against this wasm instead of
// building the one without the in-run collection (~30 s of binaryen); --out
// DIR: where the JSON goes. Needs a built dist/ (npm ci does it).
import { fileURLToPath } from 'node:url';
import { cpuRows } from './lib/cpu.mjs';
import { memoryRows } from './lib/memory.mjs';
import { buildNoInRunGcWasm } from './lib/no-inrun-gc-wasm.mjs';
import { printRows, startupRows } from './lib/cli.mjs';
import { externalBenchmarks, runExternal } from './lib/external.mjs';
import { environment, markdownTable, skipped, writeJson } from './lib/report.mjs';
import { cpython, findPystoneLowmem, nativeMicroPython } from './lib/tools.mjs';
import { requireBuilt } from './lib/paths.mjs';
import { SIZES } from './lib/sizes.mjs';

function parseArgs(argv) {
  const opts = { size: 'full', external: true, noInRunGcWasm: undefined, out: fileURLToPath(new URL('./results/', import.meta.url)) };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') opts.size = 'quick';
    else if (argv[i] === '--smoke') opts.size = 'smoke';
    else if (argv[i] === '--skip-external') opts.external = false;
    else if (argv[i] === '--no-inrun-gc-wasm') opts.noInRunGcWasm = argv[++i];
    else if (argv[i] === '--out') opts.out = argv[++i];
    else throw new Error(`unknown option ${argv[i]} (use --quick, --smoke, --skip-external, --no-inrun-gc-wasm FILE, --out DIR)`);
  }
  return opts;
}

function externalRows(quick, run) {
  return externalBenchmarks().map((file) => {
    const id = `external.${file.replace(/\.bench\.m?js$/, '')}`;
    if (!run) return skipped(id, `bench/${file}`, '--skip-external');
    const r = runExternal(file, { quick, timeoutMs: quick ? 180_000 : 1_800_000 });
    return {
      id,
      benchmark: `bench/${file}`,
      status: r.error ? 'failed' : 'ok',
      mpy: `${(r.ms / 1000).toFixed(1)} s run`,
      note: r.error ?? r.summary,
      data: r,
    };
  });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  requireBuilt();
  const started = performance.now();
  const tools = { native: nativeMicroPython(), cpython: cpython(), pystone: findPystoneLowmem() };
  const sizes = SIZES[opts.size];
  const env = environment(opts.size);
  const progress = (what) => process.stderr.write(`bench: ${what}...\n`);
  const rows = [];
  let noInRunGc = { path: opts.noInRunGcWasm, remove: () => {} };
  if (!opts.noInRunGcWasm) {
    progress('building the wasm without in-run garbage collection, for comparison');
    noInRunGc = await buildNoInRunGcWasm();
  }
  try {
    progress('CPU work in process and as processes');
    rows.push(...(await cpuRows({ sizes, tools, noInRunGcWasm: noInRunGc.path })));
    progress('memory: churn');
    rows.push(...memoryRows({ sizes, tools, noInRunGcWasm: noInRunGc.path }));
  } finally {
    noInRunGc.remove();
  }
  progress('start-up');
  rows.push(...startupRows({ sizes, tools }));
  progress('print throughput');
  rows.push(...printRows({ sizes, tools }));
  if (opts.external) progress(`other benchmarks: ${externalBenchmarks().join(', ')}`);
  rows.push(...externalRows(opts.size !== 'full', opts.external));
  const report = {
    environment: { ...env, loadAverageAfter: environment(opts.size).loadAverage },
    noInRunGcWasm: opts.noInRunGcWasm ?? 'built for this run',
    tools: { native: tools.native ?? null, cpython: tools.cpython ?? null, pystone: tools.pystone?.path ?? null },
    durationMs: Math.round(performance.now() - started),
    rows,
  };
  process.stdout.write(markdownTable(rows));
  const path = writeJson(opts.out, report);
  process.stdout.write(`\nJSON: ${path}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench: ${e?.stack ?? e}\n`);
  process.exit(1);
});
