/**
 * The comparative benchmark runner must keep working: `--smoke` (the same
 * code as a real run, on the smallest sizes) produces the markdown table and
 * the JSON with every row, and issue #15's table. Timings are never asserted; what is asserted is
 * that every variant computed the same result and that no row failed. The
 * comparison build without the in-run collection (~30 s of binaryen) is
 * stood in for by the build's own optimised wasm. The other benchmarks in
 * bench/ are run by the runner proper; here the way it runs them is checked
 * on small stand-ins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureOptimisedWasm } from './helpers/wasm-build.js';
import { ensureDist, ROOT } from './helpers/dist.js';
import { makeTestCa, type TestCa } from './fixtures/net/servers.js';

interface Row {
  id: string;
  status: 'ok' | 'skipped' | 'failed';
  ratio?: number;
  note?: string;
}

interface IssueLine {
  work: string;
  baseline: string;
  mpy: string;
  ratio: string;
  met?: boolean;
}

interface ExternalResult {
  file: string;
  status: number | null;
  summary: string;
  json?: unknown;
  error?: string;
}

let out: string;
let ca: TestCa;

beforeAll(() => {
  ensureDist(['host', 'runtime', 'wasm'], ['dist/host/cli/main.js']);
  ensureOptimisedWasm();
  out = mkdtempSync(join(tmpdir(), 'mpy-bench-test-'));
  ca = makeTestCa();
}, 180_000);

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  if (ca) rmSync(ca.dir, { recursive: true, force: true });
});

describe('npm run bench -- --smoke', () => {
  it('prints the table and writes JSON with every row', () => {
    const standIn = join(ROOT, 'dist', 'wasm', 'micropython.opt.wasm');
    const args = ['--smoke', '--skip-external', '--no-inrun-gc-wasm', standIn, '--out', out];
    const r = spawnSync(process.execPath, [join(ROOT, 'bench', 'run.mjs'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      // A CA file in NODE_EXTRA_CA_CERTS makes the runner also time start-up without it.
      // No native tools: the native rows are skipped, which keeps the run short.
      env: { ...process.env, MPY_WASM: '', MPY_NATIVE: '', MPY_NATIVE_CROSS: '', NODE_EXTRA_CA_CERTS: ca.caFile },
    });
    expect(r.stderr).not.toMatch(/bench: Error/);
    expect(r.status).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as {
      rows: Row[];
      issueTable: IssueLine[];
      noInRunGcWasm: string;
    };
    expect(report.noInRunGcWasm).toBe(standIn);
    const ids = report.rows.map((row) => row.id);
    const externals = readdirSync(join(ROOT, 'bench'))
      .sort()
      .filter((f) => /\.bench\.m?js$/.test(f))
      .map((f) => `external.${f.replace(/\.bench\.m?js$/, '')}`);
    expect(ids).toEqual([
      'cpu.vs-stock',
      'cpu.vs-original-wasm',
      'cpu.vs-no-inrun-gc',
      'cpu.vs-native',
      'cpu.vs-cpython',
      'pystone.vs-stock',
      'pystone.vs-original-wasm',
      'pystone.vs-no-inrun-gc',
      'pystone.vs-native',
      'pystone.cpu-vs-native',
      'pystone.vs-no-wasm-inlining',
      'pystone.vs-plain-o3',
      'churn.rss-vs-no-inrun-gc',
      'churn.time-vs-no-inrun-gc',
      'churn.vs-native',
      'startup.vs-node',
      'startup.vs-modules',
      'startup.vs-node-no-ca',
      'startup.vs-native',
      'startup.vs-cpython',
      'startup.peak-rss',
      'print.vs-node-lines',
      'print.vs-node-buffered',
      'print.vs-native',
      'print.vs-cpython',
      ...externals,
    ]);
    for (const row of report.rows) expect([row.id, row.status]).not.toEqual([row.id, 'failed']);
    for (const id of ['startup.vs-node', 'startup.vs-node-no-ca', 'startup.peak-rss']) {
      const row = report.rows.find((x) => x.id === id)!;
      expect(row.status).toBe('ok');
      expect(row.ratio).toBeGreaterThan(0);
    }
    const lines = r.stdout.split('\n');
    const table = lines.filter((l) => l.startsWith('| '));
    expect(table[0]).toBe('| benchmark | mpy | baseline | ratio | target | notes |');
    expect(table[report.rows.length + 1]).toBe('| work | native / baseline | mpy | ratio | goal | met |');
    expect(table).toHaveLength(report.rows.length + 1 + report.issueTable.length + 1);
    expect(report.issueTable.map((l) => l.work)).toEqual(ISSUE_WORK);
    const startup = report.issueTable[1]!;
    expect(startup.ratio).toMatch(/^\d+\.\d\d× node$/);
    expect(startup.mpy).toMatch(/ ms, \d+ MB peak RSS \(node: \d+ MB\)$/);
    // The other benchmarks were not run: their lines say why.
    for (const line of report.issueTable.slice(2)) expect(line.mpy).toBe('skipped: --skip-external');
  }, 600_000);
});

const ISSUE_WORK = [
  'pystone_lowmem',
  '`-c pass`, whole process',
  'compile 1,630 micropython-lib modules (whole command)',
  'compile 163 modules',
  'install 90 packages, one command, loopback index',
  'install 1 package, cold process',
  "embedding `eval('1+1')`, awaited in a loop",
  'embedding create + dispose',
  "embedding `eval('1+1')`, in-thread (`thread: 'current'`)",
  "embedding create + dispose, in-thread (`thread: 'current'`)",
];

describe("issue #15's table", () => {
  it('reads each line from its benchmark, and says why a line has no figures', async () => {
    // @ts-expect-error -- plain JS module of the runner
    const { issueTable } = (await import('../bench/lib/issue-table.mjs')) as { issueTable: (rows: unknown[]) => IssueLine[] };
    const external = (name: string, json: unknown) => ({ id: `external.${name}`, status: 'ok', data: { json } });
    const lines = issueTable([
      { id: 'pystone.vs-native', status: 'ok', mpy: '150 pystones/s', baseline: '200 pystones/s', ratio: 0.75 },
      { id: 'startup.vs-node', status: 'skipped', note: 'no node' },
      external('compile-native', {
        163: { mpyFilesPerSecond: 300 },
        1630: { mpyFilesPerSecond: 900, nativeFilesPerSecond: 1000, ratio: 0.9 },
      }),
      external('upip-install', {
        upip: "MicroPython 1.19's upip",
        packages: 90,
        many: { native: 500, upip: 1000, mpyInstall: 400 },
        one: { native: 10, upip: 300, mpyInstall: 200 },
        start: { mpyStart: 100 },
      }),
      external('embed', {
        summary: {
          stockRunPythonUs: 10,
          evalUs: 30,
          evalVsRunPython: 3,
          createDisposeMs: 60,
          createVsEmptyWorker: 1.2,
          inThreadEvalUs: 12,
          inThreadEvalVsRunPython: 1.2,
          inThreadCreateDisposeMs: 100,
          inThreadCreateVsEmptyWorker: 2,
        },
      }),
    ]);
    expect(lines.map((l) => l.work)).toEqual(ISSUE_WORK);
    expect(lines.map((l) => [l.ratio, l.met])).toEqual([
      ['0.75× native', true],
      ['', undefined],
      ['0.90×', false],
      ['', undefined],
      ['2.00× / 0.80×', false],
      ['30.00× / 20.00×', undefined],
      ['3.00×', false],
      ['1.20×', true],
      ['1.20×', true],
      ['2.00×', false],
    ]);
    expect(lines[1]!.mpy).toBe('skipped: no node');
    expect(lines[3]).toMatchObject({ baseline: 'skipped: set MPY_NATIVE_CROSS', mpy: '300 files/s' });
    expect(lines[4]).toMatchObject({ baseline: 'native upip: 500 ms', mpy: 'real upip in mpy: 1.00 s; `mpy install`: 400 ms' });
    expect(lines[7]!.baseline).toBe('empty worker: 50 ms');
    expect(lines[8]).toMatchObject({ baseline: "stock package's runPython('1+1'), same process: 10.0 µs", mpy: '12.0 µs' });
    expect(lines[9]).toMatchObject({ baseline: 'empty worker: 50 ms', mpy: '100 ms' });
  });
});

describe('running the other benchmarks', () => {
  it('collects a benchmark’s JSON and summary, and reports a failing one', async () => {
    // @ts-expect-error -- plain JS module of the runner
    const { runExternal, externalBenchmarks } = (await import('../bench/lib/external.mjs')) as {
      runExternal: (file: string, o: { quick: boolean; timeoutMs: number; dir: string }) => ExternalResult;
      externalBenchmarks: (dir: string) => string[];
    };
    const dir = mkdtempSync(join(tmpdir(), 'mpy-bench-ext-'));
    try {
      writeFileSync(
        join(dir, 'good.bench.mjs'),
        "import { writeFileSync } from 'node:fs';\nwriteFileSync(process.env.MPY_BENCH_JSON, JSON.stringify({ quick: process.env.MPY_BENCH_QUICK }));\nconsole.log('good: 1.5x');\n",
      );
      writeFileSync(join(dir, 'bad.bench.mjs'), "console.error('no server'); process.exit(3);\n");
      writeFileSync(join(dir, 'helper.mjs'), '');
      expect(externalBenchmarks(dir)).toEqual(['bad.bench.mjs', 'good.bench.mjs']);
      const good = runExternal('good.bench.mjs', { quick: true, timeoutMs: 60_000, dir });
      expect(good).toMatchObject({ status: 0, summary: 'good: 1.5x', json: { quick: '1' } });
      expect(good.error).toBeUndefined();
      const bad = runExternal('bad.bench.mjs', { quick: true, timeoutMs: 60_000, dir });
      expect(bad.status).toBe(3);
      expect(bad.error).toBe('no server');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
