// The other benchmarks in bench/ (`*.bench.mjs`, written by the teams that own
// those features): each runs as its own process. The runner passes
// MPY_BENCH_QUICK=1 and a short BENCH_TIME_MS for --quick, and MPY_BENCH_JSON,
// a path where a benchmark may write its results as JSON; the runner keeps
// that JSON when present and the benchmark's printed summary in any case.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** bench/ itself. */
export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The `*.bench.mjs` files in `dir` (default bench/), sorted. */
export function externalBenchmarks(dir = BENCH_DIR) {
  return readdirSync(dir)
    .filter((f) => /\.bench\.m?js$/.test(f))
    .sort();
}

/**
 * Runs one external benchmark.
 * @param {string} file its name in `dir`
 * @param {{quick: boolean, timeoutMs: number, dir?: string}} options
 * @returns {{file: string, status: number|null, ms: number, summary: string, json?: unknown, error?: string}}
 */
export function runExternal(file, { quick, timeoutMs, dir = BENCH_DIR }) {
  const jsonPath = join(tmpdir(), `mpy-bench-${process.pid}-${file}.json`);
  rmSync(jsonPath, { force: true });
  const env = { ...process.env, MPY_BENCH_JSON: jsonPath };
  if (quick) Object.assign(env, { MPY_BENCH_QUICK: '1', BENCH_TIME_MS: env.BENCH_TIME_MS ?? '200' });
  const start = performance.now();
  const r = spawnSync(process.execPath, [join(dir, file)], {
    env,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  });
  const ms = performance.now() - start;
  const lines = (r.stdout ?? '').trimEnd().split('\n');
  const result = { file, status: r.status, ms, summary: lines.slice(-3).join(' / ').slice(0, 300) };
  if (r.error) result.error = r.error.code === 'ETIMEDOUT' ? `timed out after ${timeoutMs} ms` : String(r.error);
  else if (r.status !== 0) result.error = (r.stderr ?? '').trim().split('\n').slice(-3).join(' / ').slice(0, 300);
  if (existsSync(jsonPath)) {
    try {
      result.json = JSON.parse(readFileSync(jsonPath, 'utf8'));
    } catch (e) {
      result.error = `unreadable JSON: ${e.message}`;
    }
    rmSync(jsonPath, { force: true });
  }
  return result;
}
