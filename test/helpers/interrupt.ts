/**
 * Runs `mpy` as a child process and interrupts it: the program writes a
 * marker line to stderr when it is where the test wants it interrupted, and
 * the helper answers each new marker with SIGINT. Stdin stays open (a pipe
 * nobody writes to) until the process exits, so `input()` really waits.
 */
import { type MpyResult, spawnMpy } from './cli.js';

/** Options of {@link runMpyInterrupted}. */
export interface InterruptedRunOptions {
  /** The line the program writes to stderr when it wants a SIGINT. Default: `ready`. */
  readonly marker?: string;
  /** SIGINTs to send per marker line. Default: 1. */
  readonly perMarker?: number;
  /** Environment; merged over the test process's. */
  readonly env?: NodeJS.ProcessEnv;
  /** Working directory. */
  readonly cwd?: string;
}

/** Runs `mpy ...args`, sending SIGINT at each marker line, and collects the outcome. */
export function runMpyInterrupted(args: readonly string[], options: InterruptedRunOptions = {}): Promise<MpyResult & { sent: number }> {
  const marker = `${options.marker ?? 'ready'}\n`;
  const perMarker = options.perMarker ?? 1;
  return new Promise((resolve, reject) => {
    const child = spawnMpy(args, options);
    const out: Buffer[] = [];
    let err = '';
    let sent = 0;
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString('utf8');
      const markers = err.split(marker).length - 1;
      while (sent < markers * perMarker) {
        sent++;
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('close', (status, signal) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({ status, signal, stdout: stdoutBytes.toString('utf8'), stderr: err, stdoutBytes, sent });
    });
    child.stdin.on('error', () => {});
  });
}
