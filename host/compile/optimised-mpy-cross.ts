import { readFileSync } from 'node:fs';
import { MPY_CROSS_VERSION, locateMpyCross } from './mpy-cross-files.js';
import { optimisedWasmDir } from '../../wasm/optimised-wasm.js';
import { findBuildOutput } from '../../wasm/build-output.js';

/**
 * The optimised copy of mpy-cross's wasm that the build step
 * (`wasm/build/mpy-cross-main.ts`, part of `npm run build`) derives from
 * `@pybricks/mpy-cross-v6`: setjmp/longjmp turned into wasm exception
 * handling, the source file's reads and the .mpy's writes served inside the wasm, then binaryen `-O3`. It lives in `dist/wasm/` beside the
 * interpreter's, never in git, with a manifest saying what it was made from.
 */

/** File name of the optimised mpy-cross wasm. */
export const MPY_CROSS_OPTIMISED_FILE = 'mpy-cross.opt.wasm';
/** File name of its manifest. */
export const MPY_CROSS_MANIFEST_FILE = 'mpy-cross.opt.json';
/** Version of the transformation; bump it when the build step changes what it produces. */
export const MPY_CROSS_OPTIMISATION_FORMAT = 3;

/**
 * Environment variable choosing mpy-cross's wasm for the process and its
 * workers: `original`, `optimised` (an error when none was built) or `auto`
 * (the default: the optimised copy when one was built for the installed package).
 */
export const MPY_CROSS_WASM_ENV = 'MPY_CROSS_WASM';

/** What the manifest records. */
export interface MpyCrossManifest {
  /** {@link MPY_CROSS_OPTIMISATION_FORMAT} of the step that built it. */
  readonly format: number;
  /** Version of `@pybricks/mpy-cross-v6` it was derived from. */
  readonly packageVersion: string;
  /** Byte size of the original wasm. */
  readonly sourceBytes: number;
  /** SHA-256 (hex) of the original wasm. */
  readonly sourceSha256: string;
  /** Binaryen version used. */
  readonly binaryenVersion: string;
  /** Binaryen optimisation level. */
  readonly optimizeLevel: number;
  /** The `invoke_*` trampolines now inside the module. */
  readonly invokes: readonly string[];
  /** Sources the self-test compiled to identical output with both wasm files. */
  readonly selfTestSources: number;
  /** Milliseconds the build step took. */
  readonly buildMs: number;
}

/**
 * The optimised mpy-cross wasm when one was built for the installed package by
 * the current transformation; `undefined` otherwise. Checks the manifest only:
 * compiling the wasm is the final check.
 */
export function findOptimisedMpyCross(dir: string = optimisedWasmDir()): string | undefined {
  return findBuildOutput<MpyCrossManifest>(
    dir,
    MPY_CROSS_OPTIMISED_FILE,
    MPY_CROSS_MANIFEST_FILE,
    (m) => m.format === MPY_CROSS_OPTIMISATION_FORMAT && m.packageVersion === MPY_CROSS_VERSION,
    () => locateMpyCross().wasm,
  )?.path;
}

function choice(): 'original' | 'optimised' | 'auto' {
  const value = process.env[MPY_CROSS_WASM_ENV];
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === 'original' || value === 'optimised') return value;
  throw new Error(`mpy: ${MPY_CROSS_WASM_ENV} must be "original", "optimised" or "auto", not ${JSON.stringify(value)}`);
}

/**
 * Compiles mpy-cross's wasm as {@link MPY_CROSS_WASM_ENV} chooses; with `auto`,
 * an optimised copy this engine cannot compile is skipped for the original.
 * @throws Error when `optimised` is asked for and none was built or it does not compile
 */
export async function compileMpyCrossModule(): Promise<WebAssembly.Module> {
  const which = choice();
  const optimised = which === 'original' ? undefined : findOptimisedMpyCross();
  if (which === 'optimised' && !optimised)
    throw new Error('mpy: no optimised mpy-cross wasm was built for this install; run `npm run build`');
  if (optimised) {
    try {
      return await WebAssembly.compile(readFileSync(optimised));
    } catch (e) {
      if (which === 'optimised') throw e;
    }
  }
  return WebAssembly.compile(readFileSync(locateMpyCross().wasm));
}
