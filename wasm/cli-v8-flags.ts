/**
 * The `mpy` command's V8 flags.
 *
 * @module
 */

/**
 * V8 re-compiles a hot wasm function with TurboFan once its Liftoff code has
 * spent a budget, counted per function and charged at each loop back-edge (by
 * the jump's length in machine code) and return (by the return's offset). The
 * VM's dispatch function is one 20 KB loop, so it is charged ~20K per
 * bytecode: the boot alone (~1,500 bytecodes, ~25M) spends any budget up to
 * 20M, and process exit then waits for its TurboFan compile (70-140 ms, 16 MB
 * of compiler memory). With the largest budget (2^31 - 1) short programs
 * compile nothing with TurboFan, but the small hot callees of long programs
 * (map lookups, type checks) stay on Liftoff (pystone_lowmem whole-process:
 * 0.68x native against 0.80x at a 12M budget).
 *
 * V8 fills every function's budget when the module compiles, and caps what one
 * check may charge at a quarter of the budget in force when the function's
 * Liftoff code is made (lazily, at its first call). So the command compiles
 * the module under {@link WASM_TIERING_BUDGET}, and boots under
 * {@link BOOT_TIERING_BUDGET}: the functions the boot first calls, the
 * dispatch loop among them, are charged at most 50 per check, which puts the
 * dispatch loop's tier-up ~240K back-edges away (a `for` loop of ~100,000
 * iterations; with the largest budget it was ~20,000) and keeps TurboFan out of
 * the boot; functions a program first calls after the boot are charged in
 * full. After the boot the budget is set back ({@link CLI_RUN_V8_FLAGS}), as V8
 * refills a function's budget from the flag after each tier-up request.
 * Measured in the same run as the largest budget (pystone_lowmem 20,000 loops
 * twice, whole process): 0.94x native against 0.72x, the interpreter
 * thread's CPU time 0.83x; `-c pass` compiles nothing with TurboFan, as before.
 */
const WASM_TIERING_BUDGET = 12_000_000;

/** The tiering budget in force while the interpreter boots (see {@link WASM_TIERING_BUDGET}). */
const BOOT_TIERING_BUDGET = 200;

/**
 * TurboFan's wasm-into-wasm inlining (off by default in Node 20's V8), with
 * larger limits than its defaults (graph budget 5,000 nodes, callees up to 500
 * bytes): small callees inlined into their hot callers make pystone_lowmem
 * ~1.1x faster by CPU time (`npm run bench`, row `pystone.vs-no-wasm-inlining`).
 * It too must be set before the module compiles.
 */
const WASM_INLINING_FLAGS: readonly string[] = ['--wasm-inlining', '--wasm-inlining-budget=20000', '--wasm-inlining-max-size=2000'];

/** The V8 flags the `mpy` command sets for its whole process (its interpreter thread, first thing: see `host/cli/program-worker-entry.ts`), before the interpreter compiles. */
export const CLI_V8_FLAGS: readonly string[] = [`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`, ...WASM_INLINING_FLAGS];

/**
 * What the command changes once the interpreter's module is compiled, before
 * its thread loads the glue and boots. The glue's `cli` code cache is made
 * under {@link CLI_V8_FLAGS} and then these (V8 takes a cache only under the
 * flags it was made with).
 */
export const CLI_BOOT_V8_FLAGS: readonly string[] = [`--wasm-tiering-budget=${BOOT_TIERING_BUDGET}`];

/**
 * What the command changes back once the interpreter has booted (the main
 * thread, on the worker's message that it has: the functions a program first
 * calls within that message's latency are charged as in the boot).
 */
export const CLI_RUN_V8_FLAGS: readonly string[] = [`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`];
