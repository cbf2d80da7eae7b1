// In-process figures: the same Python call timed with tinybench on each
// interpreter variant, each in its own worker thread, the variants run one
// after another and the rounds interleaved (ABCABC...) so that background
// load hits them alike. The figure per variant is the median over rounds of
// each round's median latency.
import { Worker } from 'node:worker_threads';

/** The interpreter variants, in the order they run. */
export const VARIANTS = {
  mpy: 'mpy (optimised wasm)',
  'mpy-no-inrun-gc': 'mpy, optimised wasm without the in-run garbage collection',
  'mpy-original': 'mpy host on the original wasm (JS trampolines)',
  stock: "package's own loadMicroPython (stock glue)",
};

function runWorker(workerData) {
  const worker = new Worker(new URL('./python-worker.mjs', import.meta.url), { workerData });
  return new Promise((resolve, reject) => {
    worker.once('message', (m) => (m.error ? reject(new Error(m.error)) : resolve(m)));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`benchmark worker exited with ${code}`)));
  }).finally(() => worker.terminate());
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Times `call` on every variant.
 * @param {object} job { modules, setup, call, check, timeMs, warmupMs, rounds, noInRunGcWasm }
 * @returns {Promise<Record<string, {ms: number, roundsMs: number[], check: string}>>} per variant:
 *   median ms per call, each round's median, and the `check` expression's printed output
 */
export async function timeOnVariants(job) {
  const { rounds, ...workerJob } = job;
  const results = Object.fromEntries(Object.keys(VARIANTS).map((v) => [v, { roundsMs: [], check: '' }]));
  for (let r = 0; r < rounds; r++) {
    for (const variant of Object.keys(VARIANTS)) {
      const m = await runWorker({ ...workerJob, variant });
      results[variant].roundsMs.push(m.latency.p50);
      results[variant].check = m.check;
    }
  }
  for (const v of Object.values(results)) v.ms = median(v.roundsMs);
  return results;
}
