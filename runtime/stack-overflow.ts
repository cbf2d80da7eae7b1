/**
 * Turns V8 running out of stack inside the interpreter into MicroPython's
 * `RuntimeError: maximum recursion depth exceeded`.
 *
 * Deep recursion inside C code (`re` on a pathological pattern, `repr` or
 * `json.dumps` of deeply nested data) has no recursion check of its own in
 * this build and can exhaust V8's stack before MicroPython's C-stack check
 * fires. V8 then throws a RangeError that unwinds through the VM. Every call
 * the VM makes below a setjmp point (MicroPython's nlr) goes through an
 * `invoke_*` trampoline, which sees the exception once the stack has unwound
 * to it (wasm/trampolines.ts, wasm/build/longjmp-to-eh.ts). There this module
 * does what `nlr_jump(exception)` does in C: run the jump callbacks below the
 * innermost nlr buffer, store the exception in it, restore the Python stack,
 * pop it, and flag a longjmp to its jmp_buf (`setThrew`). The VM then raises
 * the exception as if C code had raised it, and stays usable.
 *
 * Only JS trampolines can catch it: V8 does not let wasm `catch_all` catch a
 * stack overflow, so with the optimised wasm (whose trampolines are wasm)
 * the exception reaches the JS call into the VM instead. There
 * {@link StackOverflowRecovery.restore} puts the VM back as it was before the
 * call (the Python code in between cannot catch the error then), and the
 * caller reports the RuntimeError.
 *
 * The exception object is made once by the boot (its traceback is cleared on
 * each use, as MicroPython does with its preallocated MemoryError).
 */

/** What the recovery needs from the instance. */
export interface StackOverflowExports {
  readonly __indirect_function_table: WebAssembly.Table;
  readonly setThrew: (threw: number, value: number) => void;
  readonly emscripten_stack_get_current: () => number;
  readonly _emscripten_stack_restore: (sp: number) => void;
}

/** The VM's state before a call into it, for {@link StackOverflowRecovery.restore}. */
export interface VmSnapshot {
  readonly words: readonly number[];
  readonly stackPointer: number;
}

// The thread-state words a call into the VM may leave changed when it is cut short.
const SNAPSHOT_WORDS = [3, 4, 5, 6, 7, 8] as const; // pystack_cur, gc_lock_depth, dict_locals, dict_globals, nlr_top, callback top

// Word offsets in mp_state_thread_t from `stack_limit` (py/mpstate.h, with
// MICROPY_STACK_CHECK and MICROPY_ENABLE_PYSTACK, as this build has them).
const PYSTACK_START = 1;
const PYSTACK_END = 2;
const PYSTACK_CUR = 3;
const DICT_GLOBALS = 6;
const NLR_TOP = 7;
const NLR_JUMP_CALLBACK_TOP = 8;
// nlr_buf_t (MICROPY_NLR_SETJMP): prev, ret_val, jmp_buf, then pystack.
const NLR_RET_VAL = 4;
const NLR_JMPBUF = 8;
// Where to look for nlr_buf_t.pystack (the jmp_buf size is the toolchain's).
const PYSTACK_FIELD_SEARCH_BYTES = 512;
// mp_obj_exception_t: base, traceback_alloc|traceback_len, traceback_data, args.
const EXC_TRACEBACK_SIZES = 4;
const EXC_TRACEBACK_DATA = 8;

/** How the recovery was armed: the exception it raises, and where an nlr buffer keeps its `pystack` word. */
export interface StackGuardArming {
  readonly exception: number;
  readonly pystackField: number;
}

/** Converts stack overflows into a MicroPython RuntimeError once armed. */
export class StackOverflowRecovery {
  readonly #memory: WebAssembly.Memory;
  readonly #state: number;
  readonly #exports: StackOverflowExports;
  #exception = 0;
  #pystackField = -1;

  /**
   * @param memory the wasm memory
   * @param stateIndex the word index of the thread state's `stack_limit` (see c-stack.ts)
   * @param exports the instance exports
   */
  constructor(memory: WebAssembly.Memory, stateIndex: number, exports: StackOverflowExports) {
    this.#memory = memory;
    this.#state = stateIndex;
    this.#exports = exports;
  }

  /**
   * Arms the recovery with the exception object to raise. Must be called
   * from Python during a top-level run (through a JS module): the outermost
   * nlr buffer is then the run's own, pushed while the Python stack was
   * empty, which locates the buffer's `pystack` field.
   * @param exceptionAddress `id()` of a RuntimeError the caller keeps alive
   * @returns whether the recovery is armed (false: the build's layout is not the expected one)
   */
  arm(exceptionAddress: number): boolean {
    if (this.#state < 0 || !Number.isInteger(exceptionAddress) || exceptionAddress <= 0) return false;
    const w = new Uint32Array(this.#memory.buffer);
    const s = this.#state;
    const start = w[s + PYSTACK_START]!;
    const end = w[s + PYSTACK_END]!;
    const cur = w[s + PYSTACK_CUR]!;
    if (!(start <= cur && cur <= end) || w[s + DICT_GLOBALS] === 0) return false;
    const chain: number[] = [];
    for (let buf = w[s + NLR_TOP]!; buf !== 0 && chain.length < 64; buf = w[buf >>> 2]!) chain.push(buf);
    const outermost = chain[chain.length - 1];
    if (outermost === undefined || w[outermost >>> 2] !== 0) return false;
    const hits: number[] = [];
    for (let off = NLR_JMPBUF; off < NLR_JMPBUF + PYSTACK_FIELD_SEARCH_BYTES; off += 4) {
      if (w[(outermost + off) >>> 2] === start) hits.push(off);
    }
    if (hits.length !== 1) return false;
    const field = hits[0]!;
    for (const buf of chain) {
      const saved = w[(buf + field) >>> 2]!;
      if (saved < start || saved > end) return false;
    }
    this.#pystackField = field;
    this.#exception = exceptionAddress;
    return true;
  }

  /** What {@link arm} found, for a boot image (runtime/boot-image.ts); null when not armed. */
  get arming(): StackGuardArming | null {
    return this.armed ? { exception: this.#exception, pystackField: this.#pystackField } : null;
  }

  /**
   * Arms the recovery as {@link arming} recorded it, in a VM restored from a
   * boot image (whose memory holds the same exception and buffers).
   * @returns whether it is armed (false: the recorded arming is not usable)
   */
  rearm(arming: StackGuardArming): boolean {
    if (this.#state < 0 || !Number.isInteger(arming.exception) || arming.exception <= 0 || !Number.isInteger(arming.pystackField))
      return false;
    this.#exception = arming.exception;
    this.#pystackField = arming.pystackField;
    return true;
  }

  /** Whether {@link arm} succeeded. */
  get armed(): boolean {
    return this.#exception !== 0;
  }

  /**
   * Raises the RuntimeError at the innermost live nlr buffer, as `nlr_jump`
   * does. Call only from a trampoline that caught a stack overflow, with the
   * stack pointer restored to `stackPointer`: buffers below it belong to
   * frames the exception already unwound, and are dropped.
   * @returns false when there is nothing to jump to (not armed, or no live nlr buffer)
   */
  raise(stackPointer: number): boolean {
    if (!this.armed) return false;
    const s = this.#state;
    let w = new Uint32Array(this.#memory.buffer);
    let top = w[s + NLR_TOP]!;
    while (top !== 0 && top < stackPointer) top = w[top >>> 2]!;
    if (top === 0) return false;
    this.#runJumpCallbacks((node) => node < top);
    w = new Uint32Array(this.#memory.buffer);
    const exc = this.#exception;
    w[(exc + EXC_TRACEBACK_SIZES) >>> 2] = 0;
    w[(exc + EXC_TRACEBACK_DATA) >>> 2] = 0;
    w[(top + NLR_RET_VAL) >>> 2] = exc;
    w[s + PYSTACK_CUR] = w[(top + this.#pystackField) >>> 2]!;
    w[s + NLR_TOP] = w[top >>> 2]!;
    this.#exports.setThrew(top + NLR_JMPBUF, 1);
    return true;
  }

  /** The state to go back to if a call into the VM is cut short by a stack overflow. */
  snapshot(): VmSnapshot | undefined {
    if (!this.armed) return undefined;
    const w = new Uint32Array(this.#memory.buffer);
    return { words: SNAPSHOT_WORDS.map((i) => w[this.#state + i]!), stackPointer: this.#exports.emscripten_stack_get_current() };
  }

  /**
   * Puts the VM back as `before` recorded it, after a stack overflow
   * unwound a call into it without passing a setjmp point: runs the jump
   * callbacks registered since (they undo half-done imports and restore the
   * globals), then restores the thread state and the stack pointer.
   */
  restore(before: VmSnapshot): void {
    const callbackTop = before.words[SNAPSHOT_WORDS.indexOf(NLR_JUMP_CALLBACK_TOP)]!;
    this.#runJumpCallbacks((node) => node !== callbackTop);
    const w = new Uint32Array(this.#memory.buffer);
    SNAPSHOT_WORDS.forEach((i, k) => {
      w[this.#state + i] = before.words[k]!;
    });
    this.#exports._emscripten_stack_restore(before.stackPointer);
  }

  #runJumpCallbacks(pending: (node: number) => boolean): void {
    const s = this.#state;
    let w = new Uint32Array(this.#memory.buffer);
    for (let node = w[s + NLR_JUMP_CALLBACK_TOP]!; node !== 0 && pending(node); node = w[s + NLR_JUMP_CALLBACK_TOP]!) {
      w[s + NLR_JUMP_CALLBACK_TOP] = w[node >>> 2]!;
      const callback = this.#exports.__indirect_function_table.get(w[(node + 4) >>> 2]!) as (node: number) => void;
      callback(node);
      w = new Uint32Array(this.#memory.buffer);
    }
  }
}
