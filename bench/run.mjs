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
//   - pystone_lowmem by CPU time vs the native port, and what the build's
//     tuning and the CLI's V8 flags each give (lib/pystone-cpu.mjs);
//   - as whole processes: the same script on mpy's CLI vs the native
//     MicroPython Unix port (MPY_NATIVE=/path/to/micropython) and CPython;
//   - `mpy -c pass` vs `node -e 0`; printing 200,000 lines vs node;
//   - every other bench/*.bench.mjs, run as is (see lib/external.mjs);
//   - at the end, issue #15's table (lib/issue-table.mjs) from those rows.
//
// Prints a markdown table of every row on stdout, then the issue's table, and
// writes JSON (both) to bench/results/ (gitignored). --quick: only what the
// issue's table needs, with fewer iterations (pystone_lowmem vs native, start-up
// and its peak RSS, and the compile-native, embed and upip-install benchmarks;
// the other rows are listed as skipped); --smoke: the smallest runs that
// produce every row (to check the runner, figures meaningless; other
// benchmarks run as with --quick); --skip-external: list the other benchmarks
// as skipped; --no-inrun-gc-wasm FILE: compare against this wasm instead of
// building the one without the in-run collection (~30 s of binaryen); --out
// DIR: where the JSON goes. Native rows need MPY_NATIVE (micropython) and
// MPY_NATIVE_CROSS (mpy-cross). Needs a built dist/ (npm ci does it).
import { fileURLToPath } from 'node:url';
import { cpuRows, pystoneVsNative } from './lib/cpu.mjs';
import { pystoneCpuRows } from './lib/pystone-cpu.mjs';
import { memoryRows } from './lib/memory.mjs';
import { buildNoInRunGcWasm } from './lib/no-inrun-gc-wasm.mjs';
import { printRows, startupRows } from './lib/cli.mjs';
import { externalBenchmarks, runExternal } from './lib/external.mjs';
import { issueMarkdown, issueTable, TABLE_EXTERNALS } from './lib/issue-table.mjs';
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

const NOT_QUICK = 'not run with --quick (only the issue table’s rows are)';

/** The other benchmarks' rows: `quick` runs only the issue table's, `quick` and `smoke` run them at their quick size. */
function externalRows(size, run) {
  return externalBenchmarks().map((file) => {
    const id = `external.${file.replace(/\.bench\.m?js$/, '')}`;
    if (!run) return skipped(id, `bench/${file}`, '--skip-external');
    if (size === 'quick' && !TABLE_EXTERNALS.includes(file)) return skipped(id, `bench/${file}`, NOT_QUICK);
    const quick = size !== 'full';
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
  await requireBuilt();
  const started = performance.now();
  const tools = { native: nativeMicroPython(), cpython: cpython(), pystone: findPystoneLowmem() };
  const sizes = SIZES[opts.size];
  const quick = opts.size === 'quick';
  const notQuick = (ids) => ids.map((id) => skipped(id, id, NOT_QUICK));
  const env = environment(opts.size);
  const progress = (what) =>
    process.stderr.write(`bench: ${what}...
`);
  const rows = [];
  if (quick) {
    rows.push(...notQuick(['cpu.vs-stock', 'cpu.vs-original-wasm', 'cpu.vs-no-inrun-gc', 'cpu.vs-native', 'cpu.vs-cpython']));
    rows.push(...notQuick(['pystone.vs-stock', 'pystone.vs-original-wasm', 'pystone.vs-no-inrun-gc']));
    progress('pystone_lowmem as processes');
    rows.push(pystoneVsNative({ sizes, tools }));
    rows.push(...notQuick(['pystone.cpu-vs-native', 'pystone.vs-no-wasm-inlining', 'pystone.vs-plain-o3']));
    rows.push(...notQuick(['churn.rss-vs-no-inrun-gc', 'churn.time-vs-no-inrun-gc', 'churn.vs-native']));
  } else {
    let noInRunGc = { path: opts.noInRunGcWasm, remove: () => {} };
    if (!opts.noInRunGcWasm) {
      progress('building the wasm without in-run garbage collection, for comparison');
      noInRunGc = await buildNoInRunGcWasm();
    }
    try {
      progress('CPU work in process and as processes');
      rows.push(...(await cpuRows({ sizes, tools, noInRunGcWasm: noInRunGc.path })));
      progress('pystone by CPU time, against the native port');
      rows.push(...(await pystoneCpuRows({ sizes, tools })));
      progress('memory: churn');
      rows.push(...memoryRows({ sizes, tools, noInRunGcWasm: noInRunGc.path }));
    } finally {
      noInRunGc.remove();
    }
  }
  progress('start-up');
  rows.push(...startupRows({ sizes, tools }));
  if (quick) rows.push(...notQuick(['print.vs-node-lines', 'print.vs-node-buffered', 'print.vs-native', 'print.vs-cpython']));
  else {
    progress('print throughput');
    rows.push(...printRows({ sizes, tools }));
  }
  const externals = externalBenchmarks().filter((f) => !quick || TABLE_EXTERNALS.includes(f));
  if (opts.external) progress(`other benchmarks: ${externals.join(', ')}`);
  rows.push(...externalRows(opts.size, opts.external));
  const issue = issueTable(rows);
  const report = {
    environment: { ...env, loadAverageAfter: environment(opts.size).loadAverage },
    noInRunGcWasm: opts.noInRunGcWasm ?? 'built for this run',
    tools: { native: tools.native ?? null, cpython: tools.cpython ?? null, pystone: tools.pystone?.path ?? null },
    durationMs: Math.round(performance.now() - started),
    rows,
    issueTable: issue,
  };
  process.stdout.write(markdownTable(rows));
  process.stdout.write(`\nIssue #15's table (load average ${report.environment.loadAverageAfter.map((x) => x.toFixed(1)).join(' ')}):\n\n`);
  process.stdout.write(issueMarkdown(issue));
  const path = writeJson(opts.out, report);
  process.stdout.write(`\nJSON: ${path}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench: ${e?.stack ?? e}\n`);
  process.exit(1);
});
