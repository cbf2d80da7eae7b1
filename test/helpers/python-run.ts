/**
 * Runs Python source on a fresh interpreter built from a chosen wasm
 * (optimised or original) and returns what it printed. Interpreters are
 * created one after another in this thread; each adopts the chosen module
 * while it is created, and the thread's own module is then restored (other
 * test files run in this process after this one).
 */
import {
  adoptInterpreterModule,
  compileInterpreterModule,
  getInterpreterModule,
  type InterpreterWasmKind,
} from '../../wasm/compiled-module.js';
import { Interpreter } from '../../runtime/interpreter.js';

const modules = new Map<InterpreterWasmKind, WebAssembly.Module>();

/** What a run printed and how it ended. */
export interface PythonRun {
  /** stdout and stderr, interleaved as written. */
  readonly output: string;
  /** The interpreter, still usable after the run. */
  readonly interpreter: Interpreter;
}

/** Creates an interpreter on the given wasm, with its output collected into the returned `output()`. */
export async function createInterpreter(kind: InterpreterWasmKind): Promise<{ interpreter: Interpreter; output: () => string }> {
  let module = modules.get(kind);
  if (!module) {
    module = compileInterpreterModule(kind);
    modules.set(kind, module);
  }
  const threadModule = getInterpreterModule();
  adoptInterpreterModule(module);
  const decoder = new TextDecoder();
  let text = '';
  try {
    const interpreter = await Interpreter.create({
      stdio: {
        write: (_fd, bytes) => {
          text += decoder.decode(bytes);
        },
        read: () => 0,
      },
    });
    return { interpreter, output: () => text };
  } finally {
    adoptInterpreterModule(threadModule);
  }
}

/** Runs `source` on a fresh interpreter; an uncaught Python exception propagates as PythonError. */
export async function runPython(kind: InterpreterWasmKind, source: string): Promise<PythonRun> {
  const { interpreter, output } = await createInterpreter(kind);
  interpreter.exec(source);
  return { output: output(), interpreter };
}
