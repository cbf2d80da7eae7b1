/**
 * The facts about its process that `mpy` needs (environment, terminals),
 * kept apart from the runner so the main thread can read them without
 * loading the interpreter's code.
 *
 * @module
 */
import { fstatSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';

/** What `mpy` needs from its process; tests and embedders may pass their own. */
export interface CliProcess {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly stdinIsTTY: boolean;
  readonly stdoutIsTTY: boolean;
  writeError(text: string): void;
}

const require = createRequire(import.meta.url);

/**
 * Whether `fd` is a terminal. Only a character device can be one, so pipes
 * and files (scripts, CI) are answered by fstat without loading node:tty,
 * which brings node:net with it (~4 ms at start-up).
 */
function isTerminal(fd: number): boolean {
  try {
    if (!fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  return (require('node:tty') as typeof import('node:tty')).isatty(fd);
}

/** Whether stdin and stdout are terminals, when the caller already knows. */
export interface KnownTerminals {
  readonly stdinIsTTY: boolean;
  readonly stdoutIsTTY: boolean;
}

/**
 * The real process.
 * @param terminals what the main thread found out (the interpreter's worker
 *   gets it from there, so it never loads node:tty for a terminal or /dev/null)
 */
export function currentProcess(terminals?: KnownTerminals): CliProcess {
  return {
    env: process.env,
    cwd: process.cwd(),
    // Not process.stdin/stdout.isTTY: those getters build the streams.
    stdinIsTTY: terminals?.stdinIsTTY ?? isTerminal(0),
    stdoutIsTTY: terminals?.stdoutIsTTY ?? isTerminal(1),
    // Synchronous: this also runs in the interpreter's worker, whose process.stderr is relayed through the main thread.
    writeError: (text) => {
      try {
        writeSync(2, text);
      } catch {
        // stderr is gone: nothing to tell
      }
    },
  };
}
