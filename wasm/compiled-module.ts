import { readFileSync } from 'node:fs';
import { locateInterpreter } from './locate.js';

let compiled: WebAssembly.Module | undefined;

/**
 * The interpreter's compiled `WebAssembly.Module`, compiled once per thread and
 * reused by every instance. A worker that was handed a module by its parent
 * (modules can be posted between threads) registers it with
 * {@link adoptInterpreterModule} and never compiles.
 */
export function getInterpreterModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(readFileSync(locateInterpreter().wasm));
  return compiled;
}

/** Uses a module compiled elsewhere (posted from another thread) instead of compiling. */
export function adoptInterpreterModule(module: WebAssembly.Module): void {
  compiled = module;
}
