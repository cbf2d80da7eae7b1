/**
 * The comparative benchmark runner must keep working: `--smoke` (the same
 * code as a real run, on the smallest sizes) produces the markdown table and
 * the JSON with every row. Timings are never asserted; what is asserted is
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
      env: { ...process.env, MPY_WASM: '', NODE_EXTRA_CA_CERTS: ca.caFile },
    });
    expect(r.stderr).not.toMatch(/bench: Error/);
    expect(r.status).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as { rows: Row[]; noInRunGcWasm: string };
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
      'churn.rss-vs-no-inrun-gc',
      'churn.time-vs-no-inrun-gc',
      'churn.vs-native',
      'startup.vs-node',
      'startup.vs-node-no-ca',
      'startup.vs-native',
      'startup.vs-cpython',
      'print.vs-node-lines',
      'print.vs-node-buffered',
      'print.vs-native',
      'print.vs-cpython',
      ...externals,
    ]);
    for (const row of report.rows) expect([row.id, row.status]).not.toEqual([row.id, 'failed']);
    for (const id of [
      'cpu.vs-stock',
      'cpu.vs-original-wasm',
      'cpu.vs-no-inrun-gc',
      'churn.rss-vs-no-inrun-gc',
      'churn.time-vs-no-inrun-gc',
      'startup.vs-node',
      'startup.vs-node-no-ca',
      'print.vs-node-lines',
      'print.vs-node-buffered',
    ]) {
      const row = report.rows.find((x) => x.id === id)!;
      expect(row.status).toBe('ok');
      expect(row.ratio).toBeGreaterThan(0);
    }
    expect(report.rows.find((x) => x.id === 'cpu.vs-stock')!.note).toMatch(/^same result on every variant/);
    const table = r.stdout.split('\n').filter((l) => l.startsWith('| '));
    expect(table[0]).toBe('| benchmark | mpy | baseline | ratio | target | notes |');
    expect(table).toHaveLength(report.rows.length + 1);
  }, 600_000);
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
