/**
 * Makes the collector reject most words that are not heap pointers with one
 * comparison, as the Unix port's collector does.
 *
 * The collector asks of every word it scans whether it points into the heap.
 * In the official build (`MICROPY_GC_SPLIT_HEAP_AUTO`) the heap is a list of
 * areas that doubles its total as it fills, so the answer walks that list: a
 * word that is no pointer (zero, a small integer, text) is compared with every
 * area, one more per doubling. The Unix port's heap is one area: one range
 * test. Scanning 256 MiB of zeroed `bytearray`s in seven areas cost ~6x the
 * Unix port's time.
 *
 * This pass finds each inlined copy of that test by its shape — a branch
 * taken when the word is not 16-byte aligned, then the walk starting from the
 * first area at `mp_state_ctx` + 384 — and widens the branch's condition to
 * "or below `mp_state_ctx`, or past the end of memory". Both hold for no
 * area: areas are allocated by `malloc`, above every static variable, inside
 * memory. The branch leads where a failed walk leads, so each test gives the
 * same answer as before, sooner.
 *
 * @module
 */
import type binaryenModule from 'binaryen';
import { children } from './expression-children.js';

type Binaryen = typeof binaryenModule;
type BModule = InstanceType<Binaryen['Module']>;

/** Offset of the first heap area (`MP_STATE_MEM(area)`) in `mp_state_ctx` (as in `gc-collect.ts`). */
const FIRST_AREA_OFFSET = 384;
/** Heap blocks are 16 bytes: a pointer to one has its low four bits clear. */
const BLOCK_ALIGNMENT_MASK = 15;

interface BinaryenBreakSetter {
  Break: { setCondition(expr: number, condition: number): void };
}

/** The local an alignment test reads: `(i32.and (local.get|tee $n …) (i32.const 15))`. */
function alignmentTestLocal(b: Binaryen, condition: number): number | undefined {
  if (b.getExpressionId(condition) !== b.BinaryId) return undefined;
  const and = b.getExpressionInfo(condition) as binaryenModule.BinaryInfo;
  if (and.op !== b.AndInt32 || b.getExpressionId(and.right) !== b.ConstId) return undefined;
  if ((b.getExpressionInfo(and.right) as binaryenModule.ConstInfo).value !== BLOCK_ALIGNMENT_MASK) return undefined;
  const id = b.getExpressionId(and.left);
  if (id === b.LocalGetId) return (b.getExpressionInfo(and.left) as binaryenModule.LocalGetInfo).index;
  if (id === b.LocalSetId) {
    const tee = b.getExpressionInfo(and.left) as binaryenModule.LocalSetInfo;
    return tee.isTee ? tee.index : undefined;
  }
  return undefined;
}

/** Whether `e` is `local.set $n` of the first area's address (`ctx + 384`, folded or not). */
function setsFirstArea(b: Binaryen, e: number, firstArea: number, ctx: number): boolean {
  if (b.getExpressionId(e) !== b.LocalSetId) return false;
  const set = b.getExpressionInfo(e) as binaryenModule.LocalSetInfo;
  if (set.isTee) return false;
  const text = b.emitText(set.value).replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();
  return text === `(i32.const ${firstArea})` || text === `(i32.add (i32.const ${ctx}) (i32.const ${FIRST_AREA_OFFSET}))`;
}

/**
 * Widens every inlined heap-pointer test (see the file comment).
 * @param ctx the address of `mp_state_ctx` (`CollectorReport.stateAddress`)
 * @returns how many tests it widened
 * @throws Error, leaving `m` unchanged, when it finds none
 */
export function boundHeapPointerTests(b: Binaryen, m: BModule, ctx: number): number {
  const firstArea = ctx + FIRST_AREA_OFFSET;
  const sites: { branch: number; local: number }[] = [];
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const info = b.getFunctionInfo(m.getFunctionByIndex(i));
    if (info.module) continue;
    const stack = [info.body];
    while (stack.length > 0) {
      const e = stack.pop()!;
      if (b.getExpressionId(e) === b.BlockId) {
        const list = (b.getExpressionInfo(e) as binaryenModule.BlockInfo).children;
        for (let k = 0; k + 1 < list.length; k++) {
          const branch = list[k]!;
          if (b.getExpressionId(branch) !== b.BreakId) continue;
          const condition = (b.getExpressionInfo(branch) as binaryenModule.BreakInfo).condition;
          const local = condition ? alignmentTestLocal(b, condition) : undefined;
          if (local !== undefined && setsFirstArea(b, list[k + 1]!, firstArea, ctx)) sites.push({ branch, local });
        }
      }
      stack.push(...children(b, e));
    }
  }
  if (sites.length === 0) throw new Error('found no inlined heap-pointer test (an alignment branch before a walk of the heap areas)');
  const setter = b as unknown as BinaryenBreakSetter;
  for (const { branch, local } of sites) {
    const word = (): number => m.local.get(local, b.i32);
    const outside = m.i32.or(m.i32.lt_u(word(), m.i32.const(ctx)), m.i32.ge_u(m.i32.shr_u(word(), m.i32.const(16)), m.memory.size()));
    const condition = (b.getExpressionInfo(branch) as binaryenModule.BreakInfo).condition;
    setter.Break.setCondition(branch, m.i32.or(condition, outside));
  }
  return sites.length;
}
