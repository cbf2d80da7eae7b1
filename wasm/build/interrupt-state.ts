/**
 * Finds, in the optimised module, the state `mp_sched_keyboard_interrupt()`
 * writes, so that another thread can make the same writes through shared
 * memory (see runtime/interrupt.ts). Reads the exported function's body and
 * accepts exactly the shape MicroPython's C gives it:
 *
 * ```c
 * MP_STATE_VM(mp_kbd_exception).traceback_data = NULL;         // i32 store of 0
 * MP_STATE_MAIN_THREAD(mp_pending_exception) = &mp_kbd_exception; // i32 store
 * if (MP_STATE_VM(sched_state) == MP_SCHED_IDLE)                 // i16 load
 *     MP_STATE_VM(sched_state) = MP_SCHED_PENDING;               // i16 store
 * ```
 *
 * with every address a constant. Anything else throws, and the build ships no
 * interrupt support (fail closed); the build's self-test then checks the
 * layout by interrupting a running loop from another thread.
 */
import type binaryenModule from 'binaryen';
import type { InterruptLayout } from '../interrupt-layout.js';

type Binaryen = typeof binaryenModule;
type BModule = InstanceType<Binaryen['Module']>;

/** The exported C function whose writes are copied. */
const KEYBOARD_INTERRUPT_EXPORT = 'mp_sched_keyboard_interrupt';
/** Bytes between an exception object's address and its traceback pointer may be at most this. */
const MAX_TRACEBACK_OFFSET = 16;

interface ConstStore {
  readonly address: number;
  readonly bytes: number;
  readonly value: number;
}

function unexpected(what: string): Error {
  return new Error(`${KEYBOARD_INTERRUPT_EXPORT} does not have the expected shape (${what})`);
}

/** The value of a constant i32 expression (a constant, or a sum of constants). */
function constant(b: Binaryen, expr: number): number {
  const info = b.getExpressionInfo(expr);
  if (info.id === b.ConstId && typeof (info as binaryenModule.ConstInfo).value === 'number') {
    return (info as binaryenModule.ConstInfo).value as number;
  }
  if (info.id === b.BinaryId && (info as binaryenModule.BinaryInfo).op === b.AddInt32) {
    const { left, right } = info as binaryenModule.BinaryInfo;
    return (constant(b, left) + constant(b, right)) | 0;
  }
  throw unexpected('an address or value is not a constant');
}

function constStore(b: Binaryen, expr: number): ConstStore {
  const info = b.getExpressionInfo(expr);
  if (info.id !== b.StoreId) throw unexpected('a statement is not a store');
  const store = info as binaryenModule.StoreInfo;
  return { address: constant(b, store.ptr) + store.offset, bytes: store.bytes, value: constant(b, store.value) };
}

/** `if (load16(A) == IDLE) store16(A, PENDING)` → A, IDLE, PENDING. */
function schedulerUpdate(b: Binaryen, expr: number): { address: number; idle: number; pending: number } {
  const info = b.getExpressionInfo(expr) as binaryenModule.IfInfo;
  if (info.id !== b.IfId || info.ifFalse) throw unexpected('no conditional scheduler update');
  const cond = b.getExpressionInfo(info.condition) as binaryenModule.BinaryInfo;
  if (cond.id !== b.BinaryId || cond.op !== b.EqInt32) throw unexpected('the condition is not an equality');
  let load = b.getExpressionInfo(cond.left) as binaryenModule.LoadInfo;
  let other = cond.right;
  if (load.id !== b.LoadId) {
    load = b.getExpressionInfo(cond.right) as binaryenModule.LoadInfo;
    other = cond.left;
  }
  if (load.id !== b.LoadId || load.bytes !== 2) throw unexpected('the condition does not read a 16-bit state');
  const address = constant(b, load.ptr) + load.offset;
  const idle = constant(b, other);
  const store = constStore(b, info.ifTrue);
  if (store.bytes !== 2 || store.address !== address) throw unexpected('the update does not write the state it read');
  return { address, idle, pending: store.value };
}

/**
 * Reads the layout out of `m` (an optimised module, constants folded).
 * @throws Error when the function is missing or has any other shape
 */
export function findInterruptLayout(b: Binaryen, m: BModule): InterruptLayout {
  const exported = m.getExport(KEYBOARD_INTERRUPT_EXPORT);
  if (!exported) throw new Error(`the module does not export ${KEYBOARD_INTERRUPT_EXPORT}`);
  const body = b.getFunctionInfo(m.getFunction(b.getExportInfo(exported).value)).body;
  const block = b.getExpressionInfo(body) as binaryenModule.BlockInfo;
  if (block.id !== b.BlockId || block.children.length !== 3) throw unexpected('not three statements');
  const stores = block.children.slice(0, 2).map((c) => constStore(b, c));
  if (stores.some((s) => s.bytes !== 4)) throw unexpected('a store is not 32-bit');
  const pending = stores.find((s) => s.value !== 0);
  const traceback = stores.find((s) => s.value === 0);
  if (!pending || !traceback) throw unexpected('not one pointer store and one clearing store');
  const offset = traceback.address - pending.value;
  if (offset <= 0 || offset >= MAX_TRACEBACK_OFFSET) throw unexpected('the cleared word is not inside the exception object');
  const scheduler = schedulerUpdate(b, block.children[2]!);
  const layout: InterruptLayout = {
    pendingAddress: pending.address,
    exceptionAddress: pending.value,
    tracebackAddress: traceback.address,
    schedulerAddress: scheduler.address,
    schedulerIdle: scheduler.idle,
    schedulerPending: scheduler.pending,
  };
  return layout;
}
