/** Compiling Python to .mpy bytecode: the library API behind `mpy compile`. */
export { compileTree, type CompileOptions, type CompileSummary, type FileFailure, type KeptFloat } from './compile-tree.js';
export { BytecodeCompiler, type CompileSourceOptions, type CompileOutcome, type CompileSuccess, type CompileFailure } from './bytecode-compiler.js';
export { MpyCross, type MpyCrossLoadOptions, type MpyCrossStats } from './mpy-cross.js';
export { PlanError } from './plan.js';
export type { FloatRewrite } from './float-guard.js';
