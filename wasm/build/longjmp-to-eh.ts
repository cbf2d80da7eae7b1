/**
 * Rewrites the interpreter's JS-based setjmp/longjmp into wasm exception
 * handling, so that no call out of the VM leaves wasm.
 *
 * The official build lowers MicroPython's nlr (setjmp/longjmp) the emscripten
 * way: inside any function that calls setjmp, each call that may longjmp goes
 * through an imported JS `invoke_<sig>(fnIndex, ...args)` trampoline, and
 * `longjmp` ends in the imported `_emscripten_throw_longjmp`, which throws.
 * The trampoline saves the stack pointer, calls the table entry, and on a
 * longjmp restores the stack pointer and calls `setThrew(1, 0)`; the caller
 * then reads `__THREW__` and dispatches to its setjmp. Every such call is a
 * wasm → JS → wasm round trip.
 *
 * This pass gives the module its own versions of those imports, with the same
 * semantics, written in wasm:
 *
 * - `_emscripten_throw_longjmp` becomes `throw $mpy_longjmp` (a tag private to
 *   the module; `setThrew(env, value)` has already run in `emscripten_longjmp`);
 * - each `invoke_<sig>` becomes a function that saves the stack pointer, runs
 *   `call_indirect` inside `try`, and on `catch $mpy_longjmp` restores the
 *   stack pointer, calls `setThrew(1, 0)` and returns zero, exactly as the JS
 *   trampoline does; any other exception (a JS error or trap thrown through)
 *   restores the stack pointer and is rethrown unchanged (`catch_all`).
 *
 * The call sites keep calling the same function indices, now defined inside
 * the module, so the rest of the lowering (the `__THREW__` checks and the
 * setjmp dispatch) is untouched.
 */
import type binaryenModule from 'binaryen';

type Binaryen = typeof binaryenModule;
type BModule = InstanceType<Binaryen['Module']>;

/** The exception tag the rewritten longjmp throws (internal to the module). */
const LONGJMP_TAG = 'mpy_longjmp';

/** What {@link rewriteLongjmpToEH} changed. */
export interface LongjmpRewriteReport {
  /** The `invoke_<sig>` imports now defined inside the module. */
  readonly invokes: readonly string[];
  /**
   * The module's names of those functions. The only local one keeps across
   * its call is the saved stack pointer, never a heap pointer, so they need
   * no pointer spilling (see `spill-pointers.ts`).
   */
  readonly trampolines: readonly string[];
}

interface ImportedFunction {
  readonly name: string;
  readonly base: string;
  readonly params: number;
  readonly results: number;
}

function importedFunctions(b: Binaryen, m: BModule): ImportedFunction[] {
  const out: ImportedFunction[] = [];
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const info = b.getFunctionInfo(m.getFunctionByIndex(i));
    if (info.module === 'env' && info.base) {
      out.push({ name: info.name, base: info.base, params: info.params, results: info.results });
    }
  }
  return out;
}

function exportedFunction(b: Binaryen, m: BModule, name: string): string {
  const ref = m.getExport(name);
  if (!ref) throw new Error(`the interpreter wasm does not export ${name}`);
  const info = b.getExportInfo(ref);
  if (info.kind !== b.ExternalFunction) throw new Error(`the interpreter wasm export ${name} is not a function`);
  return info.value;
}

function zeroOf(b: Binaryen, m: BModule, type: number): number | undefined {
  if (type === b.none) return undefined;
  if (type === b.i32) return m.i32.const(0);
  if (type === b.i64) return m.i64.const(0, 0);
  if (type === b.f32) return m.f32.const(0);
  if (type === b.f64) return m.f64.const(0);
  throw new Error(`unexpected invoke result type ${type}`);
}

/**
 * Applies the rewrite to `m` in place and enables the exception-handling
 * feature on it. Throws when the module does not have the shape this pass
 * relies on (no `_emscripten_throw_longjmp` import, or a missing stack or
 * `setThrew` export): the caller then keeps the original wasm.
 */
export function rewriteLongjmpToEH(b: Binaryen, m: BModule): LongjmpRewriteReport {
  const imports = importedFunctions(b, m);
  const thrower = imports.find((f) => f.base === '_emscripten_throw_longjmp');
  if (!thrower) throw new Error('the interpreter wasm does not import _emscripten_throw_longjmp');
  const spGet = exportedFunction(b, m, 'emscripten_stack_get_current');
  const spSet = exportedFunction(b, m, '_emscripten_stack_restore');
  const setThrew = exportedFunction(b, m, 'setThrew');
  if (m.getNumTables() !== 1) throw new Error('the interpreter wasm has more than one table');
  const table = b.getTableInfo(m.getTableByIndex(0)).name;

  m.setFeatures(m.getFeatures() | b.Features.ExceptionHandling);
  m.addTag(LONGJMP_TAG, b.none, b.none);

  m.removeFunction(thrower.name);
  m.addFunction(thrower.name, thrower.params, thrower.results, [], m.throw(LONGJMP_TAG, []));

  const invokes: string[] = [];
  const trampolines: string[] = [];
  for (const f of imports) {
    if (!/^invoke_[vijfd][ijfd]*$/.test(f.base)) continue;
    const params = b.expandType(f.params);
    if (params.length === 0 || params[0] !== b.i32) throw new Error(`unexpected signature for ${f.base}`);
    const argTypes = params.slice(1);
    const spLocal = params.length;
    const sp = (): number => m.local.get(spLocal, b.i32);
    const call = m.call_indirect(
      table,
      m.local.get(0, b.i32),
      argTypes.map((type, i) => m.local.get(i + 1, type)),
      b.createType(argTypes),
      f.results,
    );
    const zero = zeroOf(b, m, f.results);
    const onLongjmp = m.block(
      null,
      [m.call(spSet, [sp()], b.none), m.call(setThrew, [m.i32.const(1), m.i32.const(0)], b.none), ...(zero === undefined ? [] : [zero])],
      f.results,
    );
    const onOther = m.block(null, [m.call(spSet, [sp()], b.none), m.rethrow('invoke')], b.unreachable);
    const body = m.block(
      null,
      [m.local.set(spLocal, m.call(spGet, [], b.i32)), m.try('invoke', call, [LONGJMP_TAG], [onLongjmp, onOther])],
      f.results,
    );
    m.removeFunction(f.name);
    m.addFunction(f.name, f.params, f.results, [b.i32], body);
    invokes.push(f.base);
    trampolines.push(f.name);
  }
  if (invokes.length === 0) throw new Error('the interpreter wasm imports no invoke_* trampolines');
  return { invokes, trampolines };
}
