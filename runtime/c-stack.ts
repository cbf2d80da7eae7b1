/**
 * A deeper Python recursion limit than the official build allows.
 *
 * The build runs on emscripten's 64 KiB shadow stack and tells MicroPython to
 * stop at 32 KiB, which allows only about 155 nested Python calls. Before the
 * VM starts, the host moves the shadow stack into a region of its own (the
 * stack pointer is set through the exported `_emscripten_stack_restore`), and
 * after `mp_js_init` raises MicroPython's `stack_limit` to fit that region.
 *
 * Nested Python calls also nest real (V8) frames, so the limit must fire
 * before V8's own stack runs out: a V8 stack overflow would unwind through the
 * VM and kill it. Measured on Node 20: a cold Python call level costs about
 * 4x more V8 stack than shadow stack; the limit keeps a further 1.5x margin.
 */

/** Bytes of shadow stack the host gives the VM. */
const SHADOW_STACK_BYTES = 1024 * 1024;

/** The build's own limit, as `mp_js_init` stores it. */
const BUILD_STACK_LIMIT = 32 * 1024;
/** V8 stack bytes spent per shadow-stack byte (measured 4x, with a 1.5x margin). */
const V8_BYTES_PER_SHADOW_BYTE = 6;
/**
 * The same for a wasm that collects garbage during a run: its functions keep
 * a frame of spilled pointers on the shadow stack, so a Python call level
 * costs more shadow stack (measured on Node 20: about 360 shadow and 480 V8
 * bytes per level, against 210 and 450 without spilling). 3 keeps a margin
 * over 2x on the measured ratio and about the stock depth.
 */
export const V8_BYTES_PER_SHADOW_BYTE_SPILLED = 3;
/** V8's default stack size on 64-bit Node (`--stack-size` is in KiB). */
const DEFAULT_V8_STACK_BYTES = 984 * 1024;
const GUARD_BYTES = 16 * 1024;

/** What the stack relocation needs from the instance. */
export interface StackExports {
  _emscripten_stack_restore(sp: number): void;
}

/**
 * Points the shadow stack at a fresh region. Call once, before `mp_js_init`.
 * @param malloc the module's allocator
 * @returns the region's top (the new stack pointer)
 */
export function relocateShadowStack(exports: StackExports, malloc: (n: number) => number): number {
  const base = malloc(SHADOW_STACK_BYTES);
  if (base === 0) throw new Error('mpy: could not allocate the interpreter stack');
  const top = (base + SHADOW_STACK_BYTES) & ~15;
  exports._emscripten_stack_restore(top);
  return top;
}

/**
 * Finds MicroPython's thread state after `mp_js_init` by its unique shape:
 * `stack_top` (just below the region's top), the build's 32 KiB
 * `stack_limit`, then the pystack bounds, `pystackWords * 4` bytes apart.
 * @returns the index, in 32-bit words of the wasm memory, of `stack_limit`;
 *   -1 when the shape is not found exactly once (a different build)
 */
export function findThreadState(memory: WebAssembly.Memory, stackTop: number, pystackWords: number): number {
  const words = new Uint32Array(memory.buffer);
  const end = Math.min(words.length - 3, (stackTop - SHADOW_STACK_BYTES) >>> 2);
  let found = -1;
  // indexOf runs natively (bounded by the subarray: it would search the whole
  // memory after the last hit); a loop over every word runs once per process,
  // in V8's interpreter (4-6 ms for the ~46K words below the stack).
  const below = words.subarray(0, Math.max(0, end));
  for (let i = below.indexOf(BUILD_STACK_LIMIT, 1); i !== -1; i = below.indexOf(BUILD_STACK_LIMIT, i + 1)) {
    if (words[i + 2]! - words[i + 1]! === pystackWords * 4 && words[i - 1]! <= stackTop && words[i - 1]! > stackTop - GUARD_BYTES) {
      if (found !== -1) return -1;
      found = i;
    }
  }
  return found;
}

/**
 * Raises MicroPython's C-stack limit after `mp_js_init`, in the thread state
 * {@link findThreadState} found. Leaves the build's limit alone when it was
 * not found, so the worst case is the stock depth.
 * @param stateIndex what {@link findThreadState} returned
 * @param v8StackBytes the thread's V8 stack size; default Node's 984 KiB
 * @param v8BytesPerShadowByte the ratio the limit assumes; default for a wasm that does not spill
 * @returns the limit now in force, in bytes
 */
export function widenStackLimit(
  memory: WebAssembly.Memory,
  stateIndex: number,
  v8StackBytes = DEFAULT_V8_STACK_BYTES,
  v8BytesPerShadowByte = V8_BYTES_PER_SHADOW_BYTE,
): number {
  if (stateIndex === -1) return BUILD_STACK_LIMIT;
  const limit = Math.min(SHADOW_STACK_BYTES - GUARD_BYTES, Math.floor(v8StackBytes / v8BytesPerShadowByte));
  new Uint32Array(memory.buffer)[stateIndex] = limit;
  return limit;
}

/**
 * Sets MicroPython's `stack_top` to the region's top, in the thread state
 * {@link findThreadState} found. The in-run garbage collection scans the C
 * stack up to `stack_top`, so it must cover the frames of every call from JS,
 * which start at the region's top (`mp_js_init` leaves it a few bytes lower).
 * @param stateIndex what {@link findThreadState} returned
 * @returns false when the state was not found
 */
export function setStackTop(memory: WebAssembly.Memory, stateIndex: number, stackTop: number): boolean {
  if (stateIndex === -1) return false;
  new Uint32Array(memory.buffer)[stateIndex - 1] = stackTop;
  return true;
}
