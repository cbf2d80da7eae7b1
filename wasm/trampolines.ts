/**
 * The `invoke_*` imports through which the interpreter calls anything that may
 * longjmp (MicroPython's nlr is setjmp/longjmp). The glue's own versions look
 * every call up with an assertion that calls `WebAssembly.Table.get`; these keep
 * a mirror of the table and skip the assertion, with the same semantics: save
 * the stack pointer, call, and on a longjmp (thrown as a number) restore the
 * stack and flag it with `setThrew(1, 0)`.
 */

/** What the trampolines need from the instance once it exists. */
export interface TrampolineTarget {
  readonly __indirect_function_table: WebAssembly.Table;
  readonly emscripten_stack_get_current: () => number;
  readonly _emscripten_stack_restore: (sp: number) => void;
  readonly setThrew: (threw: number, value: number) => void;
}

type Fn = (...args: number[]) => number | undefined;

/**
 * Decides what happens to an exception other than a longjmp that reached a
 * trampoline (the stack pointer already restored): true when it has been
 * turned into a MicroPython raise, false to let it propagate.
 */
export type ForeignExceptionHandler = (error: unknown, stackPointer: number) => boolean;

/**
 * Builds lean replacements for every `invoke_<sig>` import the module declares.
 * @param importNames names of the module's `env` imports
 * @param target resolves to the instance exports; called lazily, after instantiation
 * @param onForeign see {@link ForeignExceptionHandler}; default: always propagate
 */
export function createInvokeImports(
  importNames: readonly string[],
  target: () => TrampolineTarget,
  onForeign: ForeignExceptionHandler = () => false,
): Record<string, Fn> {
  const mirror: Fn[] = [];
  let exports: TrampolineTarget | undefined;
  const lookup = (index: number): Fn => {
    let fn = mirror[index];
    if (fn === undefined) {
      exports ??= target();
      fn = exports.__indirect_function_table.get(index) as Fn;
      mirror[index] = fn;
    }
    return fn;
  };
  const unwound = (sp: number, e: unknown): void => {
    const ex = exports ?? target();
    ex._emscripten_stack_restore(sp);
    // A longjmp arrives as a thrown number; anything else is a real error,
    // unless the handler turns it into a MicroPython raise.
    if (typeof e !== 'number' && !onForeign(e, sp)) throw e;
    ex.setThrew(1, 0);
  };
  const sp = (): number => {
    exports ??= target();
    return exports.emscripten_stack_get_current();
  };

  const byArity: Array<() => Fn> = [
    () => (i) => {
      const s = sp();
      try {
        return lookup(i)();
      } catch (e) {
        unwound(s, e);
        return undefined;
      }
    },
    () => (i, a) => {
      const s = sp();
      try {
        return lookup(i)(a);
      } catch (e) {
        unwound(s, e);
        return undefined;
      }
    },
    () => (i, a, b) => {
      const s = sp();
      try {
        return lookup(i)(a, b);
      } catch (e) {
        unwound(s, e);
        return undefined;
      }
    },
    () => (i, a, b, c) => {
      const s = sp();
      try {
        return lookup(i)(a, b, c);
      } catch (e) {
        unwound(s, e);
        return undefined;
      }
    },
    () => (i, a, b, c, d) => {
      const s = sp();
      try {
        return lookup(i)(a, b, c, d);
      } catch (e) {
        unwound(s, e);
        return undefined;
      }
    },
    () => (i, a, b, c, d, f) => {
      const s = sp();
      try {
        return lookup(i)(a, b, c, d, f);
      } catch (e) {
        unwound(s, e);
        return undefined;
      }
    },
  ];

  const out: Record<string, Fn> = {};
  for (const name of importNames) {
    const m = /^invoke_([vijfd])([ijfd]*)$/.exec(name);
    if (!m) continue;
    const arity = m[2]!.length;
    const make = byArity[arity];
    if (!make || /[jfd]/.test(m[0].slice(7))) continue; // unusual signatures keep the glue's version
    out[name] = make();
  }
  return out;
}
