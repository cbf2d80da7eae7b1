/**
 * Produces the optimised interpreter wasm from the pinned original: the
 * longjmp → exception-handling rewrite, then binaryen's `-O3`, then checks that
 * the result validates and keeps the original's exports and (minus the
 * replaced trampolines) imports. Binaryen is a build-time dependency: it is
 * imported here only, and only by the build step.
 */
import { rewriteLongjmpToEH } from './longjmp-to-eh.js';
import { findInterruptLayout } from './interrupt-state.js';
import type { InterruptLayout } from '../../runtime/interrupt-layout.js';

/** The optimisation binaryen runs after the rewrite (`wasm-opt -O3`). */
export const OPTIMIZE_LEVEL = 3;
/** `wasm-opt -O3` does not shrink (that would be `-Os`/`-Oz`). */
export const SHRINK_LEVEL = 0;

/** The result of {@link optimiseInterpreterWasm}. */
export interface OptimisedWasm {
  /** The optimised module's bytes. */
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** The `invoke_*` imports that are now defined inside the module. */
  readonly invokes: readonly string[];
  /** The binaryen version that produced it. */
  readonly binaryenVersion: string;
  /** Where `mp_sched_keyboard_interrupt()` writes, or why it was not found. */
  readonly interrupt: InterruptLayout | { readonly problem: string };
}

function describeImports(module: WebAssembly.Module): string[] {
  return WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}:${i.kind}`);
}

function describeExports(module: WebAssembly.Module): string[] {
  return WebAssembly.Module.exports(module).map((e) => `${e.name}:${e.kind}`);
}

/**
 * Checks that `optimised` compiles in this engine and is a drop-in for
 * `original`: the same exports, and the same imports minus `removed`.
 * @throws Error describing the first difference
 */
export function checkDropIn(
  original: Uint8Array<ArrayBuffer>,
  optimised: Uint8Array<ArrayBuffer>,
  removed: ReadonlySet<string>,
): void {
  const before = new WebAssembly.Module(original);
  const after = new WebAssembly.Module(optimised);
  const wantExports = describeExports(before).sort().join('\n');
  if (describeExports(after).sort().join('\n') !== wantExports) {
    throw new Error('the optimised wasm does not have the same exports as the original');
  }
  const wantImports = describeImports(before).filter((i) => !removed.has(i.split(':')[0]!.replace(/^env\./, '')));
  const gotImports = new Set(describeImports(after));
  for (const i of gotImports) {
    if (!wantImports.includes(i)) throw new Error(`the optimised wasm has an unexpected import ${i}`);
  }
}

/**
 * Rewrites and optimises `original` (the pinned interpreter's wasm).
 * @throws Error when binaryen is not installed, the module does not have the
 *   expected shape, or the result does not validate
 */
export async function optimiseInterpreterWasm(original: Uint8Array<ArrayBuffer>): Promise<OptimisedWasm> {
  const { default: b } = await import('binaryen');
  const m = b.readBinary(original);
  try {
    const { invokes } = rewriteLongjmpToEH(b, m);
    if (!m.validate()) throw new Error('binaryen rejects the rewritten module');
    const level = b.getOptimizeLevel();
    const shrink = b.getShrinkLevel();
    b.setOptimizeLevel(OPTIMIZE_LEVEL);
    b.setShrinkLevel(SHRINK_LEVEL);
    try {
      m.optimize();
    } finally {
      b.setOptimizeLevel(level);
      b.setShrinkLevel(shrink);
    }
    if (!m.validate()) throw new Error('binaryen rejects the optimised module');
    let interrupt: OptimisedWasm['interrupt'];
    try {
      interrupt = findInterruptLayout(b, m);
    } catch (e) {
      interrupt = { problem: (e as Error).message };
    }
    const bytes = new Uint8Array(m.emitBinary());
    checkDropIn(original, bytes, new Set([...invokes, '_emscripten_throw_longjmp']));
    return { bytes, invokes, binaryenVersion: await binaryenVersion(), interrupt };
  } finally {
    m.dispose();
  }
}

async function binaryenVersion(): Promise<string> {
  const { createRequire } = await import('node:module');
  const { readFileSync } = await import('node:fs');
  const manifest = createRequire(import.meta.url).resolve('binaryen/package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}
