import { join } from 'node:path';
import { PACKAGE_ROOT } from '../base/package-files.js';
import { INTERPRETER_VERSION, locateInterpreter } from './locate.js';
import { findBuildOutput } from './build-output.js';
import type { InterruptLayout } from './interrupt-layout.js';

/**
 * The optimised copy of the interpreter wasm that the build step
 * (`wasm/build/main.ts`, run by `npm run build`) derives from the pinned
 * package: setjmp/longjmp turned into wasm exception handling, then
 * binaryen `-O3` (with the setjmp trampolines inlined and their calls made
 * direct). It lives next to the compiled loader (`dist/wasm/`), never in
 * git, with a manifest saying what it was made from.
 */

/** File name of the optimised wasm. */
export const OPTIMISED_WASM_FILE = 'micropython.opt.wasm';
/** File name of its manifest. */
export const OPTIMISED_MANIFEST_FILE = 'micropython.opt.json';
/**
 * Version of the transformation. Bump it whenever `wasm/build` changes what it
 * produces, so that copies built by an older step are ignored.
 */
export const OPTIMISATION_FORMAT = 5;

/** What the manifest records. */
export interface OptimisedManifest {
  /** {@link OPTIMISATION_FORMAT} of the step that built it. */
  readonly format: number;
  /** Version of the interpreter package it was derived from. */
  readonly interpreterVersion: string;
  /** Byte size of the original wasm it was derived from. */
  readonly sourceBytes: number;
  /** SHA-256 (hex) of the original wasm. */
  readonly sourceSha256: string;
  /** Binaryen version used. */
  readonly binaryenVersion: string;
  /** Binaryen optimisation level (3 for `-O3`). */
  readonly optimizeLevel: number;
  /** Binaryen settings beyond the level (`wasm/build/optimise.ts`, `SPEED_TUNING`). */
  readonly tuning: { readonly directCalls: boolean; readonly flexibleInlineMaxSize: number };
  /** The `invoke_*` trampolines now inside the module. */
  readonly invokes: readonly string[];
  /** Whether garbage is collected during a run (`wasm/build/gc-collect.ts`). */
  readonly inRunGc: boolean;
  /** Where the interrupt state lives (the wasm's memory is then shared), or null: no interrupt support. */
  readonly interrupt: InterruptLayout | null;
  /** Milliseconds the build step took. */
  readonly buildMs: number;
}

/** A usable optimised wasm on disk. */
export interface OptimisedWasmFile {
  /** Path of the wasm. */
  readonly path: string;
  /** Its manifest. */
  readonly manifest: OptimisedManifest;
}

/**
 * The directory the build writes to and the loader reads from: `dist/wasm/`,
 * found from this module's location: its own directory once compiled, and
 * `../dist/wasm/` when run from the TypeScript sources (as under vitest).
 */
export function optimisedWasmDir(): string {
  return join(PACKAGE_ROOT, 'dist', 'wasm');
}

/**
 * The optimised wasm when one was built for the installed interpreter by the
 * current transformation; `undefined` otherwise (the caller then uses the
 * original). Checks the manifest only, not the wasm's contents: compiling it
 * is the final check.
 */
export function findOptimisedWasm(dir: string = optimisedWasmDir()): OptimisedWasmFile | undefined {
  return findBuildOutput<OptimisedManifest>(
    dir,
    OPTIMISED_WASM_FILE,
    OPTIMISED_MANIFEST_FILE,
    (m) => m.format === OPTIMISATION_FORMAT && m.interpreterVersion === INTERPRETER_VERSION,
    () => locateInterpreter().wasm,
  );
}
