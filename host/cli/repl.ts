import type { Interpreter } from '../../runtime/interpreter.js';
import type { ProcessStdio } from '../process-stdio.js';

const REPL_EXIT_FLAG = 0x100;
const CR = 13;
const LF = 10;

/**
 * Runs the build's REPL on the process's terminal: raw mode, each byte fed to
 * the interpreter (it does the line editing, history, tab completion and
 * Ctrl-E paste mode). Ctrl-D at an empty prompt ends it with status 0; a
 * SystemExit ends it with status 0 (the build's REPL drops the exit code).
 * Code that reads stdin (`input()`) gets a cooked terminal while it reads, and
 * first the keystrokes that arrived with the line that started it.
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
    // Bytes of the current chunk not yet fed to the REPL: code the REPL runs may read them (input()).
    let pending: Uint8Array = new Uint8Array(0);
    const onData = (data: Buffer): void => {
      pending = data;
      while (pending.length > 0) {
        const byte = pending[0]!;
        pending = pending.subarray(1);
        const result = interpreter.replProcessChar(byte);
        if (result !== 0) {
          finish(result & REPL_EXIT_FLAG ? result & 0xff : 0);
          return;
        }
      }
      stdio.flush();
    };
    // Raw keystrokes end lines with CR; a cooked terminal would have turned them into LF.
    const takePending = (): Uint8Array => {
      const taken = Uint8Array.from(pending, (b) => (b === CR ? LF : b));
      pending = new Uint8Array(0);
      return taken;
    };
    const onEnd = (): void => finish(0);
    stdio.setReadHooks({
      before: () => {
        setRaw(false);
        return takePending();
      },
      after: () => setRaw(true),
    });
    setRaw(true);
    interpreter.replInit();
    stdio.flush();
    input.on('data', onData);
    input.on('end', onEnd);
    input.resume();
  });
}
