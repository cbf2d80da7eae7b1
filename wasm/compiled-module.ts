import { readFileSync } from 'node:fs';
import { locateInterpreter } from './locate.js';
import { findOptimisedWasm } from './optimised-wasm.js';

/**
 * Which build of the interpreter wasm runs: `optimised` is the copy the build
 * step derives from the pinned package (no JS trampolines, binaryen `-O3`),
 * `original` the package's own file, run through the host's JS trampolines.
 */
export type InterpreterWasmKind = 'optimised' | 'original';

/**
 * What to load: `auto` (the default) takes the optimised copy when one was
 * built for the installed interpreter, else the original.
 */
export type InterpreterWasmChoice = InterpreterWasmKind | 'auto';

/**
 * Environment variable that overrides the choice for the whole process (and
 * its workers): `original`, `optimised` (an error when none was built) or
 * `auto`.
 */
export const WASM_CHOICE_ENV = 'MPY_WASM';

let compiled: WebAssembly.Module | undefined;

function choiceFromEnv(): InterpreterWasmChoice {
  const value = process.env[WASM_CHOICE_ENV];
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === 'original' || value === 'optimised') return value;
  throw new Error(`mpy: ${WASM_CHOICE_ENV} must be "original", "optimised" or "auto", not ${JSON.stringify(value)}`);
}

/**
 * Compiles a fresh interpreter module (no caching; most callers want
 * {@link getInterpreterModule}). With `auto`, an optimised copy that this
 * engine cannot compile is skipped for the original.
 * @param choice which wasm; default: from `MPY_WASM`, else `auto`
 * @throws Error when `optimised` is asked for and none was built
 */
export function compileInterpreterModule(choice: InterpreterWasmChoice = choiceFromEnv()): WebAssembly.Module {
  if (choice !== 'original') {
    const optimised = findOptimisedWasm();
    if (optimised) {
      try {
        return new WebAssembly.Module(readFileSync(optimised.path));
      } catch (e) {
        if (choice === 'optimised') throw e;
      }
    } else if (choice === 'optimised') {
      throw new Error('mpy: no optimised interpreter wasm was built for this install; run `npm run build`');
    }
  }
  return new WebAssembly.Module(readFileSync(locateInterpreter().wasm));
}

/**
 * The interpreter's compiled `WebAssembly.Module`, compiled once per thread and
 * reused by every instance. A worker that was handed a module by its parent
 * (see `shared-module.ts`) registers it with {@link adoptInterpreterModule}
 * and never compiles.
 */
export function getInterpreterModule(): WebAssembly.Module {
  compiled ??= compileInterpreterModule();
  return compiled;
}

/** Uses a module compiled elsewhere (posted from another thread) instead of compiling. */
export function adoptInterpreterModule(module: WebAssembly.Module): void {
  compiled = module;
}

/**
 * Which build `module` is, told from its imports: the original imports its
 * `invoke_*` trampolines from JS, the optimised one defines them itself.
 */
export function interpreterWasmKind(module: WebAssembly.Module): InterpreterWasmKind {
  return WebAssembly.Module.imports(module).some((i) => i.name.startsWith('invoke_')) ? 'original' : 'optimised';
}
