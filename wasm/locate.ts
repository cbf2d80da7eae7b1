import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

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
 * Locates the interpreter package in node_modules and checks its version.
 * @throws Error naming the package and the fix when it is missing or a different version.
 */
export function locateInterpreter(): InterpreterFiles {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  let manifestPath: string;
  try {
    manifestPath = require.resolve(`${INTERPRETER_PACKAGE}/package.json`);
  } catch {
    throw new Error(
      `mpy: the interpreter package ${INTERPRETER_PACKAGE} is not installed; run \`npm install\` in the mpy package directory`,
    );
  }
  const version = (JSON.parse(readFileSync(manifestPath, 'utf8')) as { version: string }).version;
  if (version !== INTERPRETER_VERSION) {
    throw new Error(
      `mpy: found ${INTERPRETER_PACKAGE}@${version}, but mpy needs exactly ${INTERPRETER_VERSION}; reinstall with \`npm ci\``,
    );
  }
  const dir = dirname(manifestPath);
  cached = { glue: join(dir, 'micropython.mjs'), wasm: join(dir, 'micropython.wasm'), version };
  return cached;
}
