// Memory: a program that makes garbage and keeps none (`x = [i] * 100` in a
// loop), as whole processes: peak RSS and wall time of mpy (garbage collected
// during the run) against mpy on the build without the in-run collection, and
// against the native Unix port when MPY_NATIVE names one.
import { fileURLToPath } from 'node:url';
import { timeProcesses } from './processes.mjs';
import { skipped } from './report.mjs';
import { MPY_CLI } from './paths.mjs';

const PRELOAD = fileURLToPath(new URL('./peak-rss-preload.cjs', import.meta.url));

/** The churn program; the native port reports its own peak from /proc. */
const churn = (n) => `
for i in range(${n}):
    x = [i] * 100
try:
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            print("mpy-bench-peak-rss-kb", line.split()[1])
except OSError:
    pass
`;

function peakKb(res) {
  const m = /mpy-bench-peak-rss-kb (\d+)/.exec(`${res.stderr}\n${res.stdoutTail}`);
  return m ? Number(m[1]) : NaN;
}

const mib = (kb) => `${(kb / 1024).toFixed(1)} MiB`;
const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;

/**
 * The churn rows.
 * @param {{sizes: import('./sizes.mjs').Sizes, tools: {native?: string}, noInRunGcWasm: string}} options
 */
export function memoryRows({ sizes, tools, noInRunGcWasm }) {
  const n = sizes.churn;
  const code = churn(n);
  const mpy = (env) => ({ argv: [process.execPath, '--require', PRELOAD, MPY_CLI, '-c', code], env });
  const commands = { mpy: mpy({}), noGc: mpy({ MPY_WASM: noInRunGcWasm }) };
  if (tools.native) commands.native = { argv: [tools.native, '-c', code] };
  const t = timeProcesses(commands, sizes.churnRounds, { warmup: false });
  const label = `churn (${n.toLocaleString('en-US')} × \`x = [i] * 100\`), process`;
  const failedOf = (...keys) => keys.map((k) => t[k]).find((r) => r.status !== 0);
  const row = (id, benchmark, base, baselineName, value, ratioMeaning, target, note) => {
    const failed = failedOf('mpy', base);
    const ok = !failed && Number.isFinite(value.ratio);
    return {
      id,
      benchmark,
      status: ok ? 'ok' : 'failed',
      mpy: value.mpy,
      baseline: value.baseline,
      baselineName,
      ratio: value.ratio,
      ratioMeaning,
      target,
      note: failed ? `exit ${failed.status}: ${failed.stderr}` : ok ? note : 'no peak RSS reported',
      data: { mpy: t.mpy, baseline: t[base] },
    };
  };
  const rss = (k) => peakKb(t[k]);
  const rows = [
    row(
      'churn.rss-vs-no-inrun-gc',
      `${label}: peak RSS`,
      'noGc',
      'mpy without in-run collection',
      { mpy: mib(rss('mpy')), baseline: mib(rss('noGc')), ratio: rss('mpy') / rss('noGc') },
      'the memory',
      'bounded (< 64 MiB of heap)',
      'peak RSS of the last run of each (Node and the wasm included)',
    ),
    row(
      'churn.time-vs-no-inrun-gc',
      `${label}: wall time`,
      'noGc',
      'mpy without in-run collection',
      { mpy: secs(t.mpy.medianMs), baseline: secs(t.noGc.medianMs), ratio: t.mpy.medianMs / t.noGc.medianMs },
      'the time',
      undefined,
      `median wall time; peak RSS ${mib(rss('mpy'))} vs ${mib(rss('noGc'))}`,
    ),
  ];
  if (!tools.native) {
    rows.push(skipped('churn.vs-native', label, 'MPY_NATIVE does not name a working micropython binary'));
    return rows;
  }
  rows.push(
    row(
      'churn.vs-native',
      `${label}: wall time`,
      'native',
      'native micropython',
      { mpy: secs(t.mpy.medianMs), baseline: secs(t.native.medianMs), ratio: t.mpy.medianMs / t.native.medianMs },
      'the time',
      undefined,
      `median wall time; peak RSS ${mib(rss('mpy'))} vs ${mib(rss('native'))}`,
    ),
  );
  return rows;
}
