/**
 * The V8 flags the `mpy` command sets for its process (wasm tiering and
 * inlining). Only the CLI owns its process's V8 flags; embedders keep theirs.
 * `bench/` sets the same flags to measure what they do.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * V8 re-compiles a wasm function with TurboFan once it has run for a budget of
 * executed bytes. With the default budget (1.8M) the boot alone makes the VM's
 * dispatch function hot; its TurboFan compile takes ~100 ms on a background
 * thread, and process exit waits for it, so `mpy -c pass` paid it every time.
 * A larger budget moves that compile to programs that run long enough to use
 * it (measured: `-c pass` ~265 -> ~195 ms, CPU-bound scripts unchanged).
 */
const WASM_TIERING_BUDGET = 12_000_000;

/**
 * TurboFan's wasm-into-wasm inlining (off by default in Node 20's V8), with
 * larger limits than its defaults (a graph budget of 5,000 nodes, callees of
 * up to 500 bytes): small callees (type checks, map lookups) inlined into
 * their hot callers make pystone_lowmem ~6% faster with the default limits,
 * ~10% with these (CPU time; `npm run bench`, row `pystone.vs-no-wasm-inlining`).
 * It applies only to modules compiled after it is set, so it is set before the
 * supervisor compiles the interpreter.
 */
const WASM_INLINING = ['--wasm-inlining', '--wasm-inlining-budget=20000', '--wasm-inlining-max-size=2000'];

/**
 * Sets the CLI's wasm flags for the whole process; call it before the
 * interpreter's module compiles.
 * @param inlining whether to turn on wasm inlining (default true; `bench/`
 *   measures without it). V8 does not undo it with a later
 *   `--no-wasm-inlining` set by a separate call, so it is never set then.
 */
export function setWasmFlags(inlining = true): void {
  setFlagsFromString(`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`);
  if (inlining) setFlagsFromString(WASM_INLINING.join(' '));
}
