/**
 * Makes every pointer a C function holds in a wasm local visible to the
 * garbage collector's scan of the shadow stack, at every call during which a
 * collection can happen.
 *
 * Binaryen's `spill-pointers` pass stores each live i32 local into a frame on
 * the shadow stack before every call. It sees only locals, so `flatten` runs
 * first: it moves every intermediate value (a pointer computed before a call
 * and still on the wasm value stack while the call runs) into a local;
 * `coalesce-locals` then shares locals whose lives do not overlap.
 *
 * Done to the whole module, that costs about a third of the interpreter's
 * speed. Most of it is avoidable, because a collection can only happen inside
 * `gc_collect`: this step works out, from the call graph, which functions may
 * reach it (conservatively: any indirect call may, and any call to an import
 * other than WASI, syscalls, clocks and the like),
 * runs the passes only on those, and then removes the spill stores in
 * front of calls to functions that cannot collect. Those spills never matter:
 * while such a call runs, nothing scans the stack. It also removes the stores
 * of a local whose unchanged value the frame already holds (pystone_lowmem
 * ~1.07x by CPU time). Last, it packs the slots still in use, so that a frame
 * is as large as the pointers it holds.
 */
import type binaryenModule from 'binaryen';
import { children } from './expression-children.js';

type Binaryen = typeof binaryenModule;
type BModule = InstanceType<Binaryen['Module']>;

/** The binaryen passes run on each function that may collect, in order. */
const SPILL_PASSES: readonly string[] = ['flatten', 'coalesce-locals', 'spill-pointers'];

const STACK_POINTER = '__stack_pointer';

/**
 * Imports that return to wasm without calling into it: WASI and syscalls (the
 * host's filesystem and stdio), clocks, randomness, heap growth, abort. Every
 * other import (the JS proxy layer) may call back into the VM, which may
 * collect.
 */
function importCannotReenter(module: string, base: string): boolean {
  if (module === 'wasi_snapshot_preview1') return true;
  if (module !== 'env') return false;
  return (
    base.startsWith('__syscall_') ||
    ['mp_js_random_u32', 'mp_js_ticks_ms', 'mp_js_time_ms', '_abort_js', 'emscripten_resize_heap'].includes(base)
  );
}

/** What {@link spillPointers} did. */
export interface SpillReport {
  /** Functions that may reach `gc_collect` (and so spill). */
  readonly collectingFunctions: number;
  /** Defined functions in the module. */
  readonly definedFunctions: number;
  /** Spill stores removed in front of calls that cannot collect. */
  readonly spillsRemoved: number;
  /** Spill stores removed because the frame already held the local's value. */
  readonly repeatedSpillsRemoved: number;
}

/**
 * The defined functions that may reach `gcCollect` through calls: it, every
 * function that calls one of them or an import that may call back into wasm,
 * and every function with an indirect call.
 */
function collectingFunctions(b: Binaryen, m: BModule, gcCollect: string): Set<string> {
  const imports = new Set<string>();
  const callees = new Map<string, Set<string>>();
  const indirect = new Set<string>();
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const info = b.getFunctionInfo(m.getFunctionByIndex(i));
    if (info.module) {
      if (!importCannotReenter(info.module, info.base ?? '')) imports.add(info.name);
      continue;
    }
    const text = b.emitText(info.body);
    callees.set(info.name, new Set([...text.matchAll(/\(call \$([^\s)]+)/g)].map((x) => x[1]!)));
    if (text.includes('(call_indirect')) indirect.add(info.name);
  }
  const collecting = new Set([gcCollect]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, called] of callees) {
      if (collecting.has(name)) continue;
      if (indirect.has(name) || [...called].some((c) => collecting.has(c) || imports.has(c))) {
        collecting.add(name);
        changed = true;
      }
    }
  }
  return collecting;
}

/** The local the spill frame's address is in: `global.set $__stack_pointer (local.tee $n ...)` opening the body. */
function spillFrameLocal(b: Binaryen, body: number): number | undefined {
  if (b.getExpressionId(body) !== b.BlockId) return undefined;
  const first = (b.getExpressionInfo(body) as binaryenModule.BlockInfo).children[0];
  if (first === undefined || b.getExpressionId(first) !== b.GlobalSetId) return undefined;
  const set = b.getExpressionInfo(first) as binaryenModule.GlobalSetInfo;
  if (set.name !== STACK_POINTER || b.getExpressionId(set.value) !== b.LocalSetId) return undefined;
  const tee = b.getExpressionInfo(set.value) as binaryenModule.LocalSetInfo;
  return tee.isTee ? tee.index : undefined;
}

function isSpillStore(b: Binaryen, e: number, frame: number): boolean {
  if (b.getExpressionId(e) !== b.StoreId) return false;
  const store = b.getExpressionInfo(e) as binaryenModule.StoreInfo;
  if (b.getExpressionId(store.ptr) !== b.LocalGetId || b.getExpressionId(store.value) !== b.LocalGetId) return false;
  return (b.getExpressionInfo(store.ptr) as binaryenModule.LocalGetInfo).index === frame;
}

/** What a spill store saves where, as one number: the local's index and the slot's offset (`local * 65536 + offset`). */
function spillKey(b: Binaryen, store: number): number {
  const info = b.getExpressionInfo(store) as binaryenModule.StoreInfo;
  return (b.getExpressionInfo(info.value) as binaryenModule.LocalGetInfo).index * 65536 + info.offset;
}

/** Every local an expression (or anything inside it) sets. */
function localsSetWithin(b: Binaryen, e: number, into: Set<number> = new Set()): Set<number> {
  const stack = [e];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (b.getExpressionId(x) === b.LocalSetId) into.add((b.getExpressionInfo(x) as binaryenModule.LocalSetInfo).index);
    stack.push(...children(b, x));
  }
  return into;
}

/** The spill keys in `saved` whose local is not in `changed`. */
const unchanged = (saved: ReadonlySet<number>, changed: ReadonlySet<number>): Set<number> =>
  new Set([...saved].filter((key) => !changed.has(Math.floor(key / 65536))));

const both = (a: ReadonlySet<number>, b: ReadonlySet<number>): Set<number> => new Set([...a].filter((key) => b.has(key)));

/**
 * Removes the spill stores that save a local whose value the frame already
 * holds: saved into the same slot by an earlier store on every path to this
 * one, with no set of the local in between. `spill-pointers` stores every live
 * pointer before every call; in a run of calls, only the first store of an
 * unchanged local is needed. Follows the structured control flow: what is known to be saved
 * flows in order through a block's children and into nested blocks and arms;
 * where paths join (a labelled block's end, a loop's head, a catch), only what
 * was known before the construct and not set inside it is kept.
 * @returns the stores it removed
 */
function removeRepeatedSpills(b: Binaryen, m: BModule, body: number, frame: number): Set<number> {
  const set = b as unknown as BinaryenSetters;
  const removed = new Set<number>();
  /** Walks `e` with the spill keys in `saved` held by the frame on entry; returns those held after it. */
  const walk = (e: number, saved: Set<number>): Set<number> => {
    const id = b.getExpressionId(e);
    if (id === b.BlockId) {
      const info = b.getExpressionInfo(e) as binaryenModule.BlockInfo;
      let inside = new Set(saved);
      info.children.forEach((kid, i) => {
        if (!isSpillStore(b, kid, frame)) {
          inside = walk(kid, inside);
        } else if (inside.has(spillKey(b, kid))) {
          set.Block.setChildAt(e, i, m.nop());
          removed.add(kid);
        } else {
          inside.add(spillKey(b, kid));
        }
      });
      // A labelled block's end is also reached by branches from inside it.
      return info.name ? unchanged(saved, localsSetWithin(b, e)) : inside;
    }
    if (id === b.LoopId) {
      // The head is also reached by branches from inside the loop.
      return walk((b.getExpressionInfo(e) as binaryenModule.LoopInfo).body, unchanged(saved, localsSetWithin(b, e)));
    }
    if (id === b.IfId) {
      const info = b.getExpressionInfo(e) as binaryenModule.IfInfo;
      const afterCondition = walk(info.condition, saved);
      const afterTrue = walk(info.ifTrue, new Set(afterCondition));
      return info.ifFalse ? both(afterTrue, walk(info.ifFalse, new Set(afterCondition))) : both(afterTrue, afterCondition);
    }
    if (id === b.TryId) {
      const info = b.getExpressionInfo(e) as unknown as { body: number; catchBodies: number[] };
      const afterBody = walk(info.body, new Set(saved));
      // A catch is entered from anywhere in the body.
      const inCatch = unchanged(saved, localsSetWithin(b, info.body));
      return info.catchBodies.map((c) => walk(c, new Set(inCatch))).reduce(both, afterBody);
    }
    // Any other expression: its operands in order, then its own set.
    let after = saved;
    for (const kid of children(b, e)) after = walk(kid, after);
    if (id === b.LocalSetId) after = unchanged(after, new Set([(b.getExpressionInfo(e) as binaryenModule.LocalSetInfo).index]));
    return after;
  };
  walk(body, new Set());
  return removed;
}

interface BinaryenSetters {
  Block: { setChildAt(block: number, i: number, child: number): void };
  Store: { setOffset(store: number, offset: number): void };
  Const: { getValueI32(c: number): number; setValueI32(c: number, value: number): void };
}

/** The `i32.const` frame size in `local.get $frame ± size`, when `e` has that shape. */
function frameSizeConst(b: Binaryen, e: number, frame: number, op: number): number | undefined {
  if (b.getExpressionId(e) !== b.BinaryId) return undefined;
  const bin = b.getExpressionInfo(e) as binaryenModule.BinaryInfo;
  if (bin.op !== op || b.getExpressionId(bin.right) !== b.ConstId) return undefined;
  const left = bin.left;
  const leftId = b.getExpressionId(left);
  if (op === b.AddInt32 && leftId === b.LocalGetId && (b.getExpressionInfo(left) as binaryenModule.LocalGetInfo).index === frame) {
    return bin.right;
  }
  if (op === b.SubInt32 && leftId === b.GlobalGetId && (b.getExpressionInfo(left) as binaryenModule.GlobalGetInfo).name === STACK_POINTER) {
    return bin.right;
  }
  return undefined;
}

/**
 * In one spilled function: replaces the spill stores in front of calls to
 * functions that cannot collect with nops, then packs the remaining spill
 * slots together and shrinks the frame to fit them (the pass gives every i32
 * local a slot, which after `flatten` makes frames large enough to cut the
 * recursion depth).
 * @returns how many stores it removed, in front of calls that cannot collect and as repeats
 */
function tidySpills(b: Binaryen, m: BModule, body: number, collecting: ReadonlySet<string>): { removed: number; repeated: number } {
  const frame = spillFrameLocal(b, body);
  if (frame === undefined) return { removed: 0, repeated: 0 };
  const set = b as unknown as BinaryenSetters;
  let removed = 0;
  const kept: number[] = [];
  const sizes: number[] = [];
  const stack = [body];
  while (stack.length > 0) {
    const e = stack.pop()!;
    const kids = children(b, e);
    const id = b.getExpressionId(e);
    if (id === b.BlockId && kids.length > 1) {
      const last = kids[kids.length - 1]!;
      if (b.getExpressionId(last) === b.CallId && !collecting.has((b.getExpressionInfo(last) as binaryenModule.CallInfo).target)) {
        kids.forEach((kid, i) => {
          if (isSpillStore(b, kid, frame)) {
            set.Block.setChildAt(e, i, m.nop());
            kids[i] = 0;
            removed++;
          }
        });
      }
    } else if (isSpillStore(b, e, frame)) {
      kept.push(e);
    } else if (id === b.GlobalSetId) {
      const value = (b.getExpressionInfo(e) as binaryenModule.GlobalSetInfo).value;
      const restore = frameSizeConst(b, value, frame, b.AddInt32);
      if (restore !== undefined) sizes.push(restore);
      if (b.getExpressionId(value) === b.LocalSetId) {
        const allocate = frameSizeConst(b, (b.getExpressionInfo(value) as binaryenModule.LocalSetInfo).value, frame, b.SubInt32);
        if (allocate !== undefined) sizes.push(allocate);
      }
    }
    stack.push(...kids.filter((k) => k !== 0));
  }
  const repeated = removeRepeatedSpills(b, m, body, frame);
  const oldSize = sizes.length > 0 ? set.Const.getValueI32(sizes[0]!) : undefined;
  if (oldSize === undefined || sizes.some((c) => set.Const.getValueI32(c) !== oldSize)) {
    throw new Error('a spilled function does not have the frame shape spill-pointers gives');
  }
  const slots = new Map<number, number>();
  for (const store of kept.filter((k) => !repeated.has(k))) {
    const offset = (b.getExpressionInfo(store) as binaryenModule.StoreInfo).offset;
    if (!slots.has(offset)) slots.set(offset, slots.size * 4);
    set.Store.setOffset(store, slots.get(offset)!);
  }
  const newSize = (slots.size * 4 + 15) & ~15;
  for (const c of sizes) set.Const.setValueI32(c, newSize);
  return { removed, repeated: repeated.size };
}

/**
 * Spills pointers in every function that may reach `gcCollect` (see the file
 * comment), except those in `pointerFree`: functions that keep no heap
 * pointer in a local across a call (they still count as collecting for their
 * callers). Needs the stack-pointer global named `__stack_pointer`.
 */
export function spillPointers(b: Binaryen, m: BModule, gcCollect: string, pointerFree: ReadonlySet<string> = new Set()): SpillReport {
  const collecting = collectingFunctions(b, m, gcCollect);
  let definedFunctions = 0;
  let spillsRemoved = 0;
  let repeatedSpillsRemoved = 0;
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const info = b.getFunctionInfo(m.getFunctionByIndex(i));
    if (info.module) continue;
    definedFunctions++;
    if (!collecting.has(info.name) || pointerFree.has(info.name)) continue;
    m.runPassesOnFunction(info.name, SPILL_PASSES);
    const tidied = tidySpills(b, m, b.getFunctionInfo(m.getFunction(info.name)).body, collecting);
    spillsRemoved += tidied.removed;
    repeatedSpillsRemoved += tidied.repeated;
  }
  return { collectingFunctions: collecting.size, definedFunctions, spillsRemoved, repeatedSpillsRemoved };
}
