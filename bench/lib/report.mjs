// Rows of the comparative report, rendered as a markdown table and saved as
// JSON. Every row the runner knows about is present in every report; a row
// that could not be measured here has status "skipped" and says why.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

/**
 * A measured comparison. `ratio` reads as the `ratioMeaning` says:
 * "x faster" rows divide mpy's rate by the baseline's, "x the time" rows
 * divide mpy's time by the baseline's.
 * @typedef {{id: string, benchmark: string, status: 'ok'|'skipped'|'failed', mpy?: string, baseline?: string,
 *   baselineName?: string, ratio?: number, ratioMeaning?: string, target?: string, note?: string, data?: unknown}} Row
 */

/** A row that could not be measured. */
export function skipped(id, benchmark, note) {
  return { id, benchmark, status: 'skipped', note };
}

const fmtRatio = (r) => (r === undefined || !Number.isFinite(r) ? '' : `${r.toFixed(2)}x`);
/** `s` as one markdown table cell: pipes escaped, on one line. */
export const markdownCell = (s) =>
  String(s ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');

/** The markdown table of `rows`. */
export function markdownTable(rows) {
  const head = '| benchmark | mpy | baseline | ratio | target | notes |\n|---|---|---|---|---|---|';
  const lines = rows.map((r) => {
    const baseline = r.baselineName ? `${r.baseline ?? ''} (${r.baselineName})` : '';
    const ratio = r.status === 'ok' ? `${fmtRatio(r.ratio)} ${r.ratioMeaning ?? ''}`.trim() : r.status;
    return `| ${markdownCell(r.benchmark)} | ${markdownCell(r.mpy)} | ${markdownCell(baseline)} | ${markdownCell(ratio)} | ${markdownCell(r.target)} | ${markdownCell(r.note)} |`;
  });
  return `${head}\n${lines.join('\n')}\n`;
}

/** What the JSON records about the machine and run. */
export function environment(size) {
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    loadAverage: loadavg(),
    size,
  };
}

/**
 * Writes the report as `<dir>/<timestamp>.json` and `<dir>/latest.json`.
 * @returns {string} the timestamped file's path
 */
export function writeJson(dir, report) {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const text = `${JSON.stringify(report, null, 2)}\n`;
  const path = join(dir, `${stamp}.json`);
  writeFileSync(path, text);
  writeFileSync(join(dir, 'latest.json'), text);
  return path;
}
