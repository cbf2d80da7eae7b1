// Whole-process figures for the `mpy` command: start-up (`mpy -c pass`
// against `node -e 0`, in time and peak RSS) and print throughput (a loop printing short lines,
// against node writing the same bytes), plus the native Unix port and
// CPython running the same commands when they are available.
import { fileURLToPath } from 'node:url';
import { timeProcesses } from './processes.mjs';
import { skipped } from './report.mjs';
import { MPY_CLI } from './paths.mjs';

const ms = (x) => `${x.toFixed(1)} ms`;
const PRELOAD = fileURLToPath(new URL('./peak-rss-preload.cjs', import.meta.url));
const peakKb = (res) => Number(/mpy-bench-peak-rss-kb (\d+)/.exec(res.stderr)?.[1] ?? Number.NaN);

function compare(id, benchmark, times, mpyKey, baseKey, baselineName, target, note) {
  const m = times[mpyKey];
  const b = times[baseKey];
  const failed = [m, b].find((t) => t.status !== 0);
  return {
    id,
    benchmark,
    status: failed ? 'failed' : 'ok',
    mpy: ms(m.medianMs),
    baseline: ms(b.medianMs),
    baselineName,
    ratio: m.medianMs / b.medianMs,
    ratioMeaning: 'the time',
    target,
    note: failed ? `exit ${failed.status}: ${failed.stderr}` : note,
    data: { mpy: m, baseline: b },
  };
}

function optionalRows(prefix, benchmark, times, tools, target) {
  return [
    ['native', 'native micropython', tools.native, 'MPY_NATIVE does not name a working micropython binary'],
    ['cpython', 'CPython', tools.cpython, 'python3 not found'],
  ].map(([key, name, present, why]) =>
    present
      ? compare(`${prefix}.vs-${key}`, benchmark, times, 'mpy', key, name, target, 'median wall time')
      : skipped(`${prefix}.vs-${key}`, benchmark, why),
  );
}

/** `mpy -c pass` against `node -e 0` (and the native port and CPython). */
export function startupRows({ sizes, tools }) {
  const rounds = sizes.startupRounds;
  const commands = { mpy: { argv: [process.execPath, MPY_CLI, '-c', 'pass'] }, node: { argv: [process.execPath, '-e', '0'] } };
  if (tools.native) commands.native = { argv: [tools.native, '-c', 'pass'] };
  if (tools.cpython) commands.cpython = { argv: [tools.cpython, '-c', 'pass'] };
  // What the bundles save: each thread imports its ES modules instead (base/bundle.ts).
  commands['mpy-modules'] = { ...commands.mpy, env: { MPY_NO_BUNDLE: '1' } };
  // Node reads NODE_EXTRA_CA_CERTS at every start (~90 ms for a system bundle),
  // which flattens the ratio: when it is set, also time both without it.
  const extraCa = Boolean(process.env.NODE_EXTRA_CA_CERTS);
  if (extraCa) {
    commands['mpy-no-ca'] = { ...commands.mpy, env: { NODE_EXTRA_CA_CERTS: '' } };
    commands['node-no-ca'] = { ...commands.node, env: { NODE_EXTRA_CA_CERTS: '' } };
  }
  const t = timeProcesses(commands, rounds);
  const label = 'start-up: mpy -c pass';
  const note = `median of ${rounds} interleaved runs${extraCa ? '; both load NODE_EXTRA_CA_CERTS' : ''}`;
  return [
    compare('startup.vs-node', `${label} vs node -e 0`, t, 'mpy', 'node', 'node -e 0', '≤1.3x', note),
    compare('startup.vs-modules', `${label} vs the same importing its modules`, t, 'mpy', 'mpy-modules', 'MPY_NO_BUNDLE=1', '<1x', note),
    ...(extraCa
      ? [
          compare(
            'startup.vs-node-no-ca',
            `${label} vs node -e 0, NODE_EXTRA_CA_CERTS unset`,
            t,
            'mpy-no-ca',
            'node-no-ca',
            'node -e 0',
            '≤1.3x',
            `median of ${rounds} interleaved runs`,
          ),
        ]
      : []),
    ...optionalRows('startup', label, t, tools),
    peakRssRow(sizes.peakRssRounds),
  ];
}

/**
 * Peak RSS of `mpy -c pass` against `node -e 0`, both without
 * NODE_EXTRA_CA_CERTS (a CA bundle is node's memory, not mpy's), in runs of
 * their own: the preload reporting the peak costs time.
 */
function peakRssRow(rounds) {
  const peaks = { mpy: [], node: [] };
  const env = { NODE_EXTRA_CA_CERTS: '' };
  const commands = {
    mpy: { argv: [process.execPath, '--require', PRELOAD, MPY_CLI, '-c', 'pass'], env },
    node: { argv: [process.execPath, '--require', PRELOAD, '-e', '0'], env },
  };
  let failure;
  for (let i = 0; i < rounds; i++) {
    for (const [k, res] of Object.entries(timeProcesses(commands, 1, { warmup: false }))) {
      if (res.status !== 0) failure = `${k}: exit ${res.status}: ${res.stderr}`;
      peaks[k].push(peakKb(res));
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const mpy = median(peaks.mpy);
  const node = median(peaks.node);
  const mb = (kb) => `${(kb / 1024).toFixed(1)} MiB`;
  return {
    id: 'startup.peak-rss',
    benchmark: 'start-up: mpy -c pass, peak RSS',
    status: failure || !Number.isFinite(mpy / node) ? 'failed' : 'ok',
    mpy: mb(mpy),
    baseline: mb(node),
    baselineName: 'node -e 0',
    ratio: mpy / node,
    ratioMeaning: 'the memory',
    target: '≤45 MiB',
    note: failure ?? `median of ${rounds} runs (VmHWM at exit), NODE_EXTRA_CA_CERTS unset`,
    data: { peakKb: peaks, mpyKb: mpy, nodeKb: node },
  };
}

/** Printing short lines (200,000; 50,000 with --quick), against node writing the same bytes. */
export function printRows({ sizes, tools }) {
  const lines = sizes.printLines;
  const rounds = sizes.printRounds;
  const py = `for i in range(${lines}):\n    print(i)`;
  const commands = {
    mpy: { argv: [process.execPath, MPY_CLI, '-c', py] },
    'node-lines': { argv: [process.execPath, '-e', `for (let i = 0; i < ${lines}; i++) process.stdout.write(i + '\\n')`] },
    'node-buffered': {
      argv: [process.execPath, '-e', `let s = ''; for (let i = 0; i < ${lines}; i++) s += i + '\\n'; process.stdout.write(s)`],
    },
  };
  if (tools.native) commands.native = { argv: [tools.native, '-c', py] };
  // Block-buffered, as CPython is by default when stdout is a pipe.
  if (tools.cpython) commands.cpython = { argv: [tools.cpython, '-c', py], env: { PYTHONUNBUFFERED: '' } };
  const t = timeProcesses(commands, rounds);
  const outputSizes = new Set(Object.values(t).map((x) => x.stdoutBytes));
  const note =
    outputSizes.size === 1
      ? `${[...outputSizes][0]} bytes to a pipe; median of ${rounds} runs`
      : `OUTPUT SIZES DIFFER: ${[...outputSizes].join(', ')}`;
  const label = `print ${lines.toLocaleString('en-US')} lines`;
  const rows = [
    compare('print.vs-node-lines', `${label} vs node, one write per line`, t, 'mpy', 'node-lines', 'node, write per line', '≤2x', note),
    compare('print.vs-node-buffered', `${label} vs node, one write`, t, 'mpy', 'node-buffered', 'node, one buffered write', '≤2x', note),
    ...optionalRows('print', label, t, tools),
  ];
  if (outputSizes.size !== 1) for (const r of rows) if (r.status === 'ok') r.status = 'failed';
  return rows;
}
