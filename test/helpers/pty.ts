import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MPY_BIN } from './cli.js';

/** A step of a terminal session: wait for output, or type. */
export type PtyStep = { expect: string } | { send: string };

/** What a pty session produced. */
export interface PtyResult {
  readonly status: number | null;
  /** Why the script stopped early, if it did (a missing expected text). */
  readonly failure: string | null;
  /** The index of the `expect` step that timed out, if one did. */
  readonly failedStep: number | null;
  readonly transcript: string;
}

const DRIVER = fileURLToPath(new URL('./pty_session.py', import.meta.url));

/** Runs `mpy ...args` in a pseudo-terminal (Python's pty module), following `steps`. */
export function runMpyInPty(args: readonly string[], steps: readonly PtyStep[], env: NodeJS.ProcessEnv = {}): PtyResult {
  const dir = mkdtempSync(join(tmpdir(), 'mpy-pty-'));
  try {
    const script = join(dir, 'steps.json');
    writeFileSync(script, JSON.stringify(steps));
    const out = execFileSync('python3', [DRIVER, script, '--', process.execPath, MPY_BIN, ...args], {
      env: { ...process.env, TERM: 'dumb', ...env },
      encoding: 'utf8',
    });
    return JSON.parse(out) as PtyResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
