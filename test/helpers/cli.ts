/** Runs `node dist/host/cli/main.js ARGS` as a child process, asynchronously. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './dist.js';

/** The compiled CLI entry. */
export const MAIN = join(ROOT, 'dist', 'host', 'cli', 'main.js');

/** Exit status and output of a finished run. */
export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion. */
export function mpy(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

/** Starts the CLI and resolves with the child once stdout has printed its first line. */
export function mpyUntilFirstLine(args: string[]): Promise<{ child: ChildProcess; line: string; output: { stdout: string; stderr: string } }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output = { stdout: '', stderr: '' };
    let done = false;
    child.stdout!.on('data', (c: Buffer) => {
      output.stdout += c.toString();
      const nl = output.stdout.indexOf('\n');
      if (!done && nl >= 0) {
        done = true;
        resolve({ child, line: output.stdout.slice(0, nl), output });
      }
    });
    child.stderr!.on('data', (c: Buffer) => (output.stderr += c.toString()));
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
