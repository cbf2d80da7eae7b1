/**
 * What the build's self-test workers share: boot an interpreter from the
 * posted module with everything it prints captured.
 */
import { adoptInterpreterModule } from '../compiled-module.js';
import { Interpreter } from '../../runtime/interpreter.js';

/** A booted self-test interpreter and what it has printed so far. */
export interface CapturingInterpreter {
  readonly interp: Interpreter;
  /** Everything written to fds 1 and 2 since boot. */
  output(): string;
}

/** Boots `module` in this worker with stdout and stderr captured and no stdin. */
export async function bootCapturing(module: WebAssembly.Module): Promise<CapturingInterpreter> {
  const decoder = new TextDecoder();
  let output = '';
  adoptInterpreterModule(module);
  const interp = await Interpreter.create({
    stdio: {
      // A copy: the memory may be shared, and TextDecoder refuses shared views.
      write: (_fd, bytes) => {
        output += decoder.decode(bytes.slice());
      },
      read: () => 0,
    },
  });
  return { interp, output: () => output };
}
