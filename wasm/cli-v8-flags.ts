/**
 * The `mpy` command's V8 flags.
 *
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
 */
/**
 * TurboFan's wasm-into-wasm inlining (off by default in Node 20's V8), with
 * larger limits than its defaults (graph budget 5,000 nodes, callees up to 500
 * bytes): small callees inlined into their hot callers make pystone_lowmem
 * ~1.1x faster by CPU time (`npm run bench`, row `pystone.vs-no-wasm-inlining`).
 * It too must be set before the module compiles.
 */
const WASM_INLINING_FLAGS: readonly string[] = ['--wasm-inlining', '--wasm-inlining-budget=20000', '--wasm-inlining-max-size=2000'];

/** The V8 flags the `mpy` command sets for its whole process, before the interpreter compiles. */
export const CLI_V8_FLAGS: readonly string[] = [`--wasm-tiering-budget=${2 ** 31 - 1}`, ...WASM_INLINING_FLAGS];
