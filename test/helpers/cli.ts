/**
 * Runs the compiled `mpy` command (`node dist/host/cli/bin.cjs ARGS`, the package's executable) as a
 * child process: to completion ({@link runMpy}), or until it prints its first
 * line ({@link mpyUntilFirstLine}, for servers).
 */
import { type ChildProcess, type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './dist.js';

/** The compiled CLI executable (tests run after `tsc`, as `npm test` does). */
export const MPY_BIN = join(ROOT, 'dist', 'host', 'cli', 'bin.cjs');

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

/** Starts `mpy ...args` with all three streams piped, the environment merged over the test process's. */
export function spawnMpy(args: readonly string[], options: Pick<RunMpyOptions, 'env' | 'cwd'> = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [MPY_BIN, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: 'pipe' });
}

/** Runs `mpy ...args` to completion and collects its output. */
export function runMpy(args: readonly string[], options: RunMpyOptions = {}): Promise<MpyResult> {
  return new Promise((resolve, reject) => {
    const child = spawnMpy(args, options);
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

/** A running `mpy` child that has printed its first stdout line. */
export interface StartedMpy {
  readonly child: ChildProcess;
  /** The first line, without its newline. */
  readonly line: string;
  /** Everything printed so far (keeps growing). */
  readonly output: { stdout: string; stderr: string };
}

/** Starts `mpy ...args` and resolves once stdout has printed its first line. */
export function mpyUntilFirstLine(args: readonly string[]): Promise<StartedMpy> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MPY_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output = { stdout: '', stderr: '' };
    let done = false;
    child.stdout.on('data', (c: Buffer) => {
      output.stdout += c.toString();
      const nl = output.stdout.indexOf('\n');
      if (!done && nl >= 0) {
        done = true;
        resolve({ child, line: output.stdout.slice(0, nl), output });
      }
    });
    child.stderr.on('data', (c: Buffer) => {
      output.stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (status) => {
      if (!done) reject(new Error(`mpy ${args.join(' ')} exited ${status} before printing: ${output.stderr}`));
    });
  });
}

/** Resolves with the exit status once the child has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}
