/**
 * The `mpy` command's V8 flags.
 *
 * @module
 */

/**
 * V8 re-compiles a hot wasm function with TurboFan once its Liftoff code has
 * spent a budget, counted per function and charged per loop iteration by the
 * size of the loop's body. The VM's dispatch function is one 20 KB loop, so it
 * is charged ~20K per bytecode: the boot alone (~1,500 bytecodes, ~25M) spent
 * any budget up to 20M, and process exit then waited for its TurboFan compile
 * (70-140 ms, 16 MB of compiler memory). The largest budget V8 takes keeps
 * that compile away from short programs (`-c pass`, a small script: no
 * TurboFan compile at all) and still gives a CPU-bound program its TurboFan
 * code within ~150 pystone loops (a few milliseconds of Liftoff). It must be
 * set before the module is compiled: V8 fills the budgets in then.
 * Only the CLI owns its process's V8 flags; embedders keep theirs. The
 * glue's `cli` code cache is built under these flags (wasm/glue-script.ts).
 *
 * The price is paid by long CPU-bound programs: their small hot callees (map
 * lookups, type checks) stay on Liftoff much longer. Measured whole-process,
 * `-c "import pystone_lowmem as p; p.main(100000)"` against the native port
 * in the same run: 0.68x native with this budget, 0.80x with 12M or 50M; but
 * with 50M a script of a few thousand bytecodes (`for i in range(3000): pass`)
 * takes 0.52 s instead of 0.40 s, because exit waits for the dispatch loop's
 * TurboFan compile. Start-up is paid by every command, so the budget stays.
 */
const WASM_TIERING_BUDGET = 2 ** 31 - 1;

/**
 * TurboFan's wasm-into-wasm inlining (off by default in Node 20's V8), with
 * larger limits than its defaults (graph budget 5,000 nodes, callees up to 500
 * bytes): small callees inlined into their hot callers make pystone_lowmem
 * ~1.1x faster by CPU time (`npm run bench`, row `pystone.vs-no-wasm-inlining`).
 * It too must be set before the module compiles.
 */
const WASM_INLINING_FLAGS: readonly string[] = ['--wasm-inlining', '--wasm-inlining-budget=20000', '--wasm-inlining-max-size=2000'];

/** The V8 flags the `mpy` command sets for its whole process, before the interpreter compiles. */
export const CLI_V8_FLAGS: readonly string[] = [`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`, ...WASM_INLINING_FLAGS];
