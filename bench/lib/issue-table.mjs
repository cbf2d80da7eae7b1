// The table of issue #15 ("Speed, round two"), filled from the runner's rows:
// work / baseline / mpy / ratio / goal, one line per row of the issue. Every
// line is present in every report; one whose figures are missing says why
// (the row it comes from was skipped or failed, or a tool is not set).
import { markdownCell } from './report.mjs';

/** The other benchmarks the table reads (all that `npm run bench -- --quick` runs of them). */
export const TABLE_EXTERNALS = ['compile-native.bench.mjs', 'embed.bench.mjs', 'upip-install.bench.mjs'];

/**
 * A line of the issue's table.
 * @typedef {{work: string, baseline: string, mpy: string, ratio: string, goal: string, met?: boolean, ratios?: number[]}} IssueLine
 */

const fmtX = (r) => `${r.toFixed(2)}×`;
const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 1 ? `${ms.toFixed(0)} ms` : `${(ms * 1000).toFixed(1)} µs`);
const fmtRate = (n) => `${Math.round(n).toLocaleString('en-US')}`;

function missing(work, goal, why) {
  return { work, baseline: '', mpy: `skipped: ${why}`, ratio: '', goal };
}

/** Why a row gave no figures. */
function whyNot(row, fallback) {
  if (!row) return fallback;
  if (row.status === 'failed') return `failed: ${row.note ?? row.data?.error ?? ''}`.slice(0, 200);
  return row.note ?? fallback;
}

function externalJson(rows, name) {
  const row = rows.find((r) => r.id === `external.${name}`);
  return { row, json: row?.status === 'ok' ? row.data?.json : undefined };
}

function pystoneLine(rows) {
  const work = 'pystone_lowmem';
  const goal = '≥ 0.75× native';
  const row = rows.find((r) => r.id === 'pystone.vs-native');
  if (row?.status !== 'ok') return missing(work, goal, whyNot(row, 'set MPY_NATIVE'));
  return {
    work,
    baseline: `native: ${row.baseline}`,
    mpy: row.mpy,
    ratio: `${fmtX(row.ratio)} native`,
    goal,
    met: row.ratio >= 0.75,
    ratios: [row.ratio],
  };
}

function startupLine(rows) {
  const work = '`-c pass`, whole process';
  const goal = '≤ 1.3× node, ≤ 45 MB';
  // Node's own CA-bundle load is not mpy's: the issue's figures are without it.
  const time = rows.find((r) => r.id === 'startup.vs-node-no-ca') ?? rows.find((r) => r.id === 'startup.vs-node');
  const rss = rows.find((r) => r.id === 'startup.peak-rss');
  if (time?.status !== 'ok') return missing(work, goal, whyNot(time, 'not run'));
  const rssOk = rss?.status === 'ok';
  const mb = (kb) => (kb * 1024) / 1e6;
  const rssText = rssOk
    ? `, ${mb(rss.data.mpyKb).toFixed(0)} MB peak RSS (node: ${mb(rss.data.nodeKb).toFixed(0)} MB)`
    : `, peak RSS ${whyNot(rss, 'not measured')}`;
  return {
    work,
    baseline: `node -e 0: ${time.baseline}`,
    mpy: `${time.mpy}${rssText}`,
    ratio: `${fmtX(time.ratio)} node`,
    goal,
    met: time.ratio <= 1.3 && rssOk && mb(rss.data.mpyKb) <= 45,
    ratios: [time.ratio],
  };
}

function compileLine(rows, n, work, goalRatio) {
  const goal = `≥ ${goalRatio.toFixed(1)}×`;
  const { row, json } = externalJson(rows, 'compile-native');
  const set = json?.[n];
  if (!set) return missing(work, goal, whyNot(row, 'bench/compile-native.bench.mjs not run'));
  if (set.ratio === undefined)
    return { work, baseline: 'skipped: set MPY_NATIVE_CROSS', mpy: `${fmtRate(set.mpyFilesPerSecond)} files/s`, ratio: '', goal };
  return {
    work,
    baseline: `mpy-cross, 2 jobs: ${fmtRate(set.nativeFilesPerSecond)} files/s`,
    mpy: `${fmtRate(set.mpyFilesPerSecond)} files/s`,
    ratio: fmtX(set.ratio),
    goal,
    met: set.ratio >= goalRatio,
    ratios: [set.ratio],
  };
}

function installLines(rows) {
  const { row, json } = externalJson(rows, 'upip-install');
  const many = `install ${json?.packages ?? 90} packages, one command, loopback index`;
  const one = 'install 1 package, cold process';
  const manyGoal = 'upip path ≤ 1.5×';
  const oneGoal = '— (dominated by start-up)';
  if (!json) return [missing(many, manyGoal, whyNot(row, 'not run')), missing(one, oneGoal, whyNot(row, 'not run'))];
  const native = (group) => (json[group].native === undefined ? 'skipped: set MPY_NATIVE' : `native upip: ${fmtMs(json[group].native)}`);
  const ratio = (group) =>
    json[group].native === undefined
      ? ''
      : `${fmtX(json[group].upip / json[group].native)} / ${fmtX(json[group].mpyInstall / json[group].native)}`;
  const upipName = json.upip.startsWith('the conformance stand-in') ? 'upip stand-in in mpy' : 'real upip in mpy';
  return [
    {
      work: many,
      baseline: native('many'),
      mpy: `${upipName}: ${fmtMs(json.many.upip)}; \`mpy install\`: ${fmtMs(json.many.mpyInstall)}`,
      ratio: ratio('many'),
      goal: manyGoal,
      ...(json.many.native === undefined
        ? {}
        : {
            met: json.many.upip / json.many.native <= 1.5,
            ratios: [json.many.upip / json.many.native, json.many.mpyInstall / json.many.native],
          }),
    },
    {
      work: one,
      baseline: native('one'),
      mpy: `${upipName}: ${fmtMs(json.one.upip)}; \`mpy install\`: ${fmtMs(json.one.mpyInstall)} (mpy -c pass: ${fmtMs(json.start.mpyStart)})`,
      ratio: ratio('one'),
      goal: oneGoal,
      ...(json.one.native === undefined ? {} : { ratios: [json.one.upip / json.one.native, json.one.mpyInstall / json.one.native] }),
    },
  ];
}

function embedLines(rows) {
  const { row, json } = externalJson(rows, 'embed');
  const evalWork = "embedding `eval('1+1')`, awaited in a loop";
  const createWork = 'embedding create + dispose';
  const inThreadEvalWork = "embedding `eval('1+1')`, in-thread (`thread: 'current'`)";
  const inThreadCreateWork = "embedding create + dispose, in-thread (`thread: 'current'`)";
  if (!json) {
    return [evalWork, inThreadEvalWork].flatMap((work, i) => [
      missing(work, '≤ 2×', whyNot(row, 'not run')),
      missing([createWork, inThreadCreateWork][i], '≤ 1.5×', whyNot(row, 'not run')),
    ]);
  }
  const s = json.summary;
  const stock = `stock package's runPython('1+1'), same process: ${fmtMs(s.stockRunPythonUs / 1000)}`;
  const emptyWorker = `empty worker: ${fmtMs(s.createDisposeMs / s.createVsEmptyWorker)}`;
  /** A row of the table: mpy's time (ms) against `baseline`, with the goal's bound on the ratio. */
  const line = (work, baseline, ms, x, bound) => ({
    work,
    baseline,
    mpy: fmtMs(ms),
    ratio: fmtX(x),
    goal: `≤ ${bound}×`,
    met: x <= bound,
    ratios: [x],
  });
  return [
    line(evalWork, stock, s.evalUs / 1000, s.evalVsRunPython, 2),
    line(createWork, emptyWorker, s.createDisposeMs, s.createVsEmptyWorker, 1.5),
    line(inThreadEvalWork, stock, s.inThreadEvalUs / 1000, s.inThreadEvalVsRunPython, 2),
    line(inThreadCreateWork, emptyWorker, s.inThreadCreateDisposeMs, s.inThreadCreateVsEmptyWorker, 1.5),
  ];
}

/**
 * The issue's table from the runner's rows.
 * @param {Array<{id: string, status: string, ratio?: number, mpy?: string, baseline?: string, note?: string, data?: any}>} rows
 * @returns {IssueLine[]}
 */
export function issueTable(rows) {
  return [
    pystoneLine(rows),
    startupLine(rows),
    compileLine(rows, 1630, 'compile 1,630 micropython-lib modules (whole command)', 1.0),
    compileLine(rows, 163, 'compile 163 modules', 0.6),
    ...installLines(rows),
    ...embedLines(rows),
  ];
}

/** The issue's table as markdown, with a column saying whether each goal is met. */
export function issueMarkdown(lines) {
  const head = '| work | native / baseline | mpy | ratio | goal | met |\n|---|---|---|---|---|---|';
  const body = lines.map(
    (l) =>
      `| ${markdownCell(l.work)} | ${markdownCell(l.baseline)} | ${markdownCell(l.mpy)} | ${markdownCell(l.ratio)} | ${markdownCell(l.goal)} | ${l.met === undefined ? '' : l.met ? 'yes' : 'no'} |`,
  );
  return `${head}\n${body.join('\n')}\n`;
}
