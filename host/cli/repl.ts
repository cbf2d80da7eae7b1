import type { Interpreter } from '../../runtime/interpreter.js';
import type { ProcessStdio } from '../process-stdio.js';

const REPL_EXIT_FLAG = 0x100;

/**
 * Runs the build's REPL on the process's terminal: raw mode, each byte fed to
 * the interpreter (it does the line editing, history, tab completion and
 * Ctrl-E paste mode). Ctrl-D at an empty prompt ends it with status 0; a
 * SystemExit ends it with its code. Code that reads stdin (`input()`) gets a
 * cooked terminal while it reads.
 * @returns the exit status
 */
export function runRepl(interpreter: Interpreter, stdio: ProcessStdio): Promise<number> {
  const input = process.stdin;
  return new Promise((resolve) => {
    const setRaw = (raw: boolean): void => {
      if (input.isTTY) input.setRawMode(raw);
    };
    const finish = (status: number): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      stdio.setReadHooks(undefined);
      setRaw(false);
      input.pause();
      stdio.flush();
      resolve(status);
    };
    const onData = (data: Buffer): void => {
      for (const byte of data) {
        const result = interpreter.replProcessChar(byte);
        if (result !== 0) {
          finish(result & REPL_EXIT_FLAG ? result & 0xff : 0);
          return;
        }
      }
      stdio.flush();
    };
    const onEnd = (): void => finish(0);
    stdio.setReadHooks({ before: () => setRaw(false), after: () => setRaw(true) });
    setRaw(true);
    interpreter.replInit();
    stdio.flush();
    input.on('data', onData);
    input.on('end', onEnd);
    input.resume();
  });
}
