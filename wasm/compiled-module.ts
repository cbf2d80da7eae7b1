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
 * built for the installed interpreter, else the original; an absolute path
 * names a wasm file built from the installed interpreter by hand (say,
 * without the in-run garbage collection, to compare; see `bench/`).
 */
export type InterpreterWasmChoice = InterpreterWasmKind | 'auto' | `/${string}`;

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
  if (value.startsWith('/') && value.endsWith('.wasm')) return value as `/${string}`;
  throw new Error(
    `mpy: ${WASM_CHOICE_ENV} must be "original", "optimised", "auto" or the absolute path of a .wasm file, not ${JSON.stringify(value)}`,
  );
}

/** The wasm file a choice resolves to, or undefined for "use the original". */
function optimisedPath(choice: InterpreterWasmChoice): string | undefined {
  if (choice === 'original') return undefined;
  if (choice.startsWith('/')) return choice;
  const optimised = findOptimisedWasm();
  if (!optimised && choice === 'optimised') {
    throw new Error('mpy: no optimised interpreter wasm was built for this install; run `npm run build`');
  }
  return optimised?.path;
}

/** The wasm file the interpreter is compiled from under `MPY_WASM` (the original when the optimised one is not built). */
export function interpreterWasmFile(): string {
  return optimisedPath(choiceFromEnv()) ?? locateInterpreter().wasm;
}

/**
 * Compiles a fresh interpreter module (no caching; most callers want
 * {@link getInterpreterModule}). With `auto`, an optimised copy that this
 * engine cannot compile is skipped for the original.
 * @param choice which wasm; default: from `MPY_WASM`, else `auto`
 * @throws Error when `optimised` is asked for and none was built
 */
export function compileInterpreterModule(choice: InterpreterWasmChoice = choiceFromEnv()): WebAssembly.Module {
  const path = optimisedPath(choice);
  if (path !== undefined) {
    try {
      return new WebAssembly.Module(readFileSync(path));
    } catch (e) {
      if (choice !== 'auto') throw e;
    }
  }
  return new WebAssembly.Module(readFileSync(locateInterpreter().wasm));
}

/**
 * {@link compileInterpreterModule} on V8's background threads: the caller's
 * thread stays free (to load JS) while the module compiles.
 */
export async function compileInterpreterModuleAsync(choice: InterpreterWasmChoice = choiceFromEnv()): Promise<WebAssembly.Module> {
  const path = optimisedPath(choice);
  if (path !== undefined) {
    try {
      return await WebAssembly.compile(readFileSync(path));
    } catch (e) {
      if (choice !== 'auto') throw e;
    }
  }
  return WebAssembly.compile(readFileSync(locateInterpreter().wasm));
}

let compiling: Promise<WebAssembly.Module> | undefined;

/**
 * The thread's compiled module, as {@link getInterpreterModule}, but compiled
 * in the background when it is not there yet. Start it early (the `mpy`
 * command does so before loading the rest of its code); later calls, and
 * {@link getInterpreterModule}, share the result.
 */
export function getInterpreterModuleAsync(): Promise<WebAssembly.Module> {
  if (compiled) return Promise.resolve(compiled);
  compiling ??= compileInterpreterModuleAsync().then(
    (module) => (compiled ??= module),
    (e: unknown) => {
      compiling = undefined;
      throw e;
    },
  );
  return compiling;
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
