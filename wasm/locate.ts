import { join } from 'node:path';
import { pinnedPackageDir } from '../base/pinned-package.js';

/** The npm package that ships the official MicroPython WebAssembly build. */
export const INTERPRETER_PACKAGE = '@micropython/micropython-webassembly-pyscript';

/** The interpreter version this host is written and tested against. */
export const INTERPRETER_VERSION = '1.27.0';

/** Where the interpreter's files are on disk. */
export interface InterpreterFiles {
  /** The emscripten JS glue (an ES module). */
  readonly glue: string;
  /** The wasm binary. */
  readonly wasm: string;
  /** The installed package version. */
  readonly version: string;
}

let cached: InterpreterFiles | undefined;

/**
 * Uses the locations another thread of this process found (and checked):
 * this thread then resolves nothing (~2 ms of module resolution per thread).
 */
export function adoptInterpreterFiles(files: InterpreterFiles): void {
  cached ??= files;
}

/**
 * Locates the interpreter package in node_modules and checks its version.
 * @throws Error naming the package and the fix when it is missing or a different version.
 */
export function locateInterpreter(): InterpreterFiles {
  if (cached) return cached;
  const dir = pinnedPackageDir(INTERPRETER_PACKAGE, INTERPRETER_VERSION, 'interpreter');
  cached = { glue: join(dir, 'micropython.mjs'), wasm: join(dir, 'micropython.wasm'), version: INTERPRETER_VERSION };
  return cached;
}
