/**
 * Produces the optimised interpreter wasm from the pinned original: the
 * longjmp → exception-handling rewrite, the in-run garbage collection with
 * its pointer spilling (left out, and said why, when the module's shape does
 * not match), then binaryen's `-O3` ({@link SPEED_TUNING}), then checks that
 * the result validates and keeps the original's exports and (minus the
 * replaced trampolines) imports. Binaryen is a build-time dependency: it is
 * imported here only, and only by the build step.
 */
import { rewriteLongjmpToEH } from './longjmp-to-eh.js';
import { HEAP_LIMIT_EXPORT, installInRunCollector, nameStackPointer, type CollectorReport } from './gc-collect.js';
import { boundHeapPointerTests } from './gc-pointer-bounds.js';
import { spillPointers, type SpillReport } from './spill-pointers.js';
import { findInterruptLayout } from './interrupt-state.js';
import type { InterruptLayout } from '../interrupt-layout.js';
import type binaryenModule from 'binaryen';

type Binaryen = typeof binaryenModule;
type BModule = InstanceType<Binaryen['Module']>;

/** The optimisation binaryen runs after the rewrite (`wasm-opt -O3`). */
export const OPTIMIZE_LEVEL = 3;
/** `wasm-opt -O3` does not shrink (that would be `-Os`/`-Oz`). */
const SHRINK_LEVEL = 0;

/**
 * Binaryen settings beyond `-O3` for the interpreter (the VM's calls, see
 * {@link SPEED_TUNING}).
 */
interface BinaryenTuning {
  /**
   * Let `directize` turn a `call_indirect` through a constant table index
   * into a direct call (`--pass-arg=directize-initial-contents-immutable`).
   * Sound here: nothing writes over the table's initial entries (neither the
   * glue nor the host; the table is exported only to be read).
   */
  readonly directCalls: boolean;
  /** Largest function (in binaryen's measure) `-O3` inlines into any caller (`-fimfs`; binaryen's default is 20). */
  readonly flexibleInlineMaxSize: number;
}

/**
 * The tuning the build uses. In a function that calls setjmp (the VM's
 * `mp_execute_bytecode`, `nlr_push` users), every call that may longjmp goes
 * through an `invoke_*` trampoline: after the longjmp rewrite, a small wasm
 * function that runs `call_indirect` on a constant table index inside `try`.
 * Inlining the trampolines (they measure just over 40) and directizing their
 * calls makes each of those calls a direct call inside the caller's `try`:
 * pystone_lowmem ~13% faster (`npm run bench`, row `pystone.vs-plain-o3`).
 */
export const SPEED_TUNING: BinaryenTuning = { directCalls: true, flexibleInlineMaxSize: 80 };

const DIRECTIZE_IMMUTABLE = 'directize-initial-contents-immutable';

/** Runs binaryen's `-O3` with `tuning`, restoring binaryen's global settings afterwards. */
function optimise(b: Binaryen, m: BModule, tuning: BinaryenTuning): void {
  const level = b.getOptimizeLevel();
  const shrink = b.getShrinkLevel();
  const flexible = b.getFlexibleInlineMaxSize();
  const directize = b.getPassArgument(DIRECTIZE_IMMUTABLE);
  b.setOptimizeLevel(OPTIMIZE_LEVEL);
  b.setShrinkLevel(SHRINK_LEVEL);
  b.setFlexibleInlineMaxSize(tuning.flexibleInlineMaxSize);
  if (tuning.directCalls) b.setPassArgument(DIRECTIZE_IMMUTABLE, 'true');
  try {
    m.optimize();
  } finally {
    b.setOptimizeLevel(level);
    b.setShrinkLevel(shrink);
    b.setFlexibleInlineMaxSize(flexible);
    b.setPassArgument(DIRECTIZE_IMMUTABLE, directize);
  }
}

/** The result of {@link optimiseInterpreterWasm}. */
export interface OptimisedWasm {
  /** The optimised module's bytes. */
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** The `invoke_*` imports that are now defined inside the module. */
  readonly invokes: readonly string[];
  /** The binaryen version that produced it. */
  readonly binaryenVersion: string;
  /** The in-run garbage collection installed (see `gc-collect.ts`), or why not. */
  readonly collector:
    | (CollectorReport & {
        readonly spills: SpillReport;
        /** How many inlined heap-pointer tests reject words outside the heap's range at once (`gc-pointer-bounds.ts`), or why none. */
        readonly pointerTests: number | string;
      })
    | { readonly notInstalled: string };
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
 * `original`: the same exports plus `added` (`name:kind`), and the same
 * imports minus `removed`.
 * @throws Error describing the first difference
 */
export function checkDropIn(
  original: Uint8Array<ArrayBuffer>,
  optimised: Uint8Array<ArrayBuffer>,
  removed: ReadonlySet<string>,
  added: readonly string[] = [],
): void {
  const before = new WebAssembly.Module(original);
  const after = new WebAssembly.Module(optimised);
  const wantExports = [...describeExports(before), ...added].sort().join('\n');
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
 * @param inRunGc whether to install the in-run garbage collection (default
 *   true); without it the result collects only between top-level calls, as
 *   the official build does
 * @param tuning binaryen settings beyond `-O3` (default {@link SPEED_TUNING})
 * @throws Error when binaryen is not installed, the module does not have the
 *   expected shape, or the result does not validate
 */
export async function optimiseInterpreterWasm(
  original: Uint8Array<ArrayBuffer>,
  inRunGc = true,
  tuning: BinaryenTuning = SPEED_TUNING,
): Promise<OptimisedWasm> {
  const { default: b } = await import('binaryen');
  let source = original;
  let collector: OptimisedWasm['collector'] | undefined = inRunGc ? undefined : { notInstalled: 'not asked for' };
  try {
    if (collector === undefined) source = nameStackPointer(b, original);
  } catch (e) {
    collector = { notInstalled: (e as Error).message };
  }
  const m = b.readBinary(source);
  try {
    const { invokes, trampolines } = rewriteLongjmpToEH(b, m);
    if (!m.validate()) throw new Error('binaryen rejects the rewritten module');
    if (collector === undefined) {
      let installed: CollectorReport | undefined;
      try {
        installed = installInRunCollector(b, m);
      } catch (e) {
        collector = { notInstalled: (e as Error).message };
      }
      if (installed) {
        // A speed-up only: without it the collector is as correct, so a module without the shape keeps the collector.
        let pointerTests: number | string;
        try {
          pointerTests = boundHeapPointerTests(b, m, installed.stateAddress);
        } catch (e) {
          pointerTests = (e as Error).message;
        }
        collector = { ...installed, pointerTests, spills: spillPointers(b, m, installed.functions.gcCollect, new Set(trampolines)) };
        if (!m.validate()) throw new Error('binaryen rejects the module once pointers are spilled');
      }
    }
    optimise(b, m, tuning);
    if (!m.validate()) throw new Error('binaryen rejects the optimised module');
    let interrupt: OptimisedWasm['interrupt'];
    try {
      interrupt = findInterruptLayout(b, m);
    } catch (e) {
      interrupt = { problem: (e as Error).message };
    }
    const bytes = new Uint8Array(m.emitBinary());
    const added = collector !== undefined && 'stateAddress' in collector ? [`${HEAP_LIMIT_EXPORT}:global`] : [];
    checkDropIn(original, bytes, new Set([...invokes, '_emscripten_throw_longjmp']), added);
    return {
      bytes,
      invokes,
      binaryenVersion: await binaryenVersion(),
      collector: collector ?? { notInstalled: 'not installed' },
      interrupt,
    };
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
