// Whole-process figures: wall time of commands run to completion, the
// commands interleaved round by round so that background load hits them
// alike. stdout goes to a pipe the runner drains (as a shell pipeline would),
// so output-heavy commands pay for real writes.
import { spawnSync } from 'node:child_process';

const MAX_OUTPUT = 64 * 1024 * 1024;
const TAIL_BYTES = 4096;

/**
 * Runs each command `rounds` times, after one untimed warm-up run each (which
 * fills the OS file cache) unless `warmup` is false.
 * @param {Record<string, {argv: string[], env?: object, cwd?: string}>} commands
 * @param {number} rounds
 * @param {{warmup?: boolean}} [options]
 * @returns {Record<string, {medianMs: number, minMs: number, runsMs: number[], stdoutBytes: number, stdoutTail: string,
 *   status: number|null, stderr: string}>} per command; output fields are from its last run
 */
export function timeProcesses(commands, rounds, { warmup = true } = {}) {
  const out = Object.fromEntries(Object.keys(commands).map((k) => [k, { runsMs: [], stdoutBytes: 0, status: 0, stderr: '' }]));
  for (let r = warmup ? -1 : 0; r < rounds; r++) {
    for (const [name, cmd] of Object.entries(commands)) {
      const start = process.hrtime.bigint();
      const res = spawnSync(cmd.argv[0], cmd.argv.slice(1), {
        cwd: cmd.cwd,
        env: { ...process.env, ...cmd.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: MAX_OUTPUT,
      });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const o = out[name];
      o.status = res.status;
      o.stdoutBytes = res.stdout?.length ?? 0;
      o.stdoutTail = res.stdout?.subarray(-TAIL_BYTES).toString('utf8') ?? '';
      o.stderr = res.stderr?.toString('utf8').slice(0, 2000) ?? String(res.error);
      if (r >= 0) o.runsMs.push(ms);
    }
  }
  for (const o of Object.values(out)) {
    const s = [...o.runsMs].sort((a, b) => a - b);
    o.minMs = s[0];
    o.medianMs = s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
  return out;
}
