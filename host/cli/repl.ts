import type { Interpreter } from '../../runtime/interpreter.js';
import type { ProcessStdio } from '../process-stdio.js';
import type { ReplActivity } from './repl-activity.js';
import type { StdinChannel } from './stdin-channel.js';

const REPL_EXIT_FLAG = 0x100;

/**
 * Runs the build's REPL on the process's terminal, in the interpreter's
 * worker: each keystroke the main thread forwards is fed to the interpreter
 * (it does the line editing, history, tab completion and Ctrl-E paste mode).
 * Ctrl-D at an empty prompt ends it with status 0; a SystemExit ends it with
 * status 0 (the build's REPL drops the exit code). Ctrl-C typed while a
 * statement runs reaches it as KeyboardInterrupt (the main thread sees the
 * keystroke); the REPL prints the traceback and prompts again. Typed once
 * the prompt shows, it is a keystroke: `activity` tells the main thread
 * which (see repl-activity.ts). Code that
 * reads stdin (`input()`) gets a cooked terminal while it reads, and first
 * the keystrokes typed after the line that started it.
 * @param activity where the REPL says whether it is at a prompt or may run code
 * @param setRaw asks the main thread to put the terminal in raw or cooked mode
 * @returns the exit status
 */
export function runRepl(
  interpreter: Interpreter,
  stdio: ProcessStdio,
  stdin: StdinChannel,
  activity: ReplActivity,
  setRaw: (raw: boolean) => void,
): number {
  stdio.setReadHooks({
    before: () => {
      setRaw(false);
      stdin.cookTypedAhead();
      return undefined;
    },
    after: () => setRaw(true),
  });
  setRaw(true);
  try {
    interpreter.replInit();
    for (;;) {
      // The prompt is still in the output buffer: from here a Ctrl-C is a keystroke, not an interrupt.
      // One that came as the statement finished must not strike the next one.
      activity.editing(() => interpreter.dropPendingInterrupt());
      stdio.flush();
      const key = stdin.readKey();
      if (key < 0) return 0;
      const result = interpreter.replProcessChar(key);
      if (result !== 0) return result & REPL_EXIT_FLAG ? result & 0xff : 0;
    }
  } finally {
    stdio.setReadHooks(undefined);
    stdio.flush();
    setRaw(false);
  }
}
