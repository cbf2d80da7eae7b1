import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI entry (tests run after `tsc`, as `npm test` does). */
export const MPY_BIN = fileURLToPath(new URL('../../dist/host/cli/main.js', import.meta.url));

/** The outcome of one `mpy` run. */
export interface MpyResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutBytes: Buffer;
}

/** Options of {@link runMpy}. */
export interface RunMpyOptions {
  /** Bytes or text written to stdin, then closed. Default: stdin closed at once. */
  readonly input?: string | Uint8Array;
  /** Environment; merged over the test process's. */
  readonly env?: NodeJS.ProcessEnv;
  /** Working directory. */
  readonly cwd?: string;
}

/** Runs `node dist/host/cli/main.js ...args` as a child process and collects its output. */
export function runMpy(args: readonly string[], options: RunMpyOptions = {}): Promise<MpyResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MPY_BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (status, signal) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({ status, signal, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}
