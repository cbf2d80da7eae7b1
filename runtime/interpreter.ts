import { instantiateInterpreter, isStackOverflow, type StdioHooks } from '../wasm/instantiate.js';
import type { EmFS, EmscriptenModule } from '../wasm/emscripten-module.js';
import type { GlueTable } from '../wasm/glue-script.js';
import { PythonError } from './errors.js';
import { installProxyTable, registerJsObject, restoreTableContents, tableContents } from './js-proxy-table.js';
import { EMPTY_GLOBALS, sealHostModule } from './host-surface.js';
import { type BootImage, dataExtent, type InterpreterImageState, restorePages, type TableSlot } from './boot-image.js';
import { closeJsModules } from './js-closure.js';
import { withoutJsFactories } from './closed-js-imports.js';
import {
  V8_BYTES_PER_SHADOW_BYTE_SPILLED,
  findThreadState,
  relocateShadowStack,
  setStackTop,
  widenStackLimit,
  type StackExports,
} from './c-stack.js';
import { HEAP_LIMIT_EXPORT } from '../wasm/heap-limit.js';
import { INITIAL_HEAP_BYTES } from './guest-layout.js';
import { withLinuxErrnos } from '../host/fs/syscall-errno.js';
import { StackOverflowRecovery, type StackOverflowExports } from './stack-overflow.js';
import { pythonErrorForJsThrow } from './js-throw.js';
import { interruptLayoutOf } from '../wasm/interrupt-section.js';
import { HostWaits, requestKeyboardInterrupt, type InterruptTarget } from './interrupt.js';

/** What a stack overflow that no Python code could catch is reported as. */
const STACK_EXHAUSTED_TRACEBACK = 'RuntimeError: maximum recursion depth exceeded\n';
const CTRL_C = 3;

/** The RuntimeError of a call into the VM that V8's stack overflow cut short (see stack-overflow.ts). */
class StackExhaustedError extends PythonError {
  constructor() {
    super('RuntimeError', STACK_EXHAUSTED_TRACEBACK);
  }
}

/**
 * The JS module through which the boot arms the stack-overflow recovery:
 * `arm(id(exc))` with a RuntimeError it keeps alive (see stack-overflow.ts).
 */
const STACK_GUARD_MODULE = '_mpy_stack';

/** Options of {@link Interpreter.create}. */
export interface InterpreterOptions {
  /** Where the interpreter's stdin, stdout and stderr go. */
  readonly stdio: StdioHooks;
  /** Size in bytes of the first GC heap area. Default: {@link INITIAL_HEAP_BYTES}. */
  readonly heapBytes?: number;
  /**
   * Bound in bytes on the GC heap: past it allocation raises MemoryError.
   * Default: none (the build's 2 GiB wasm ceiling). With the optimised wasm
   * the bound is the total size of the GC's heap areas, which grow from
   * `heapBytes` as live data needs (garbage is collected first); with the
   * original wasm, which collects only between top-level runs, it bounds the
   * wasm memory's growth.
   */
  readonly heapLimitBytes?: number;
  /**
   * The bound to use instead when `heapLimitBytes` is not given and the wasm
   * collects garbage during a run. The original wasm gets no bound then: it
   * collects only between runs, so a bound would stop (or, in some paths, spin)
   * a program that merely makes garbage.
   */
  readonly inRunGcHeapLimitBytes?: number;
  /** Python value-stack size in words; bounds recursion depth. Default: 16384. */
  readonly pystackWords?: number;
  /** The V8 stack size of the thread, in bytes, for the recursion limit. Default: Node's 984 KiB. */
  readonly v8StackBytes?: number;
  /**
   * Keep the build's `js` module (this thread's `globalThis`) and `jsffi` for
   * Python. Only for code as trusted as the host itself. Default: `false`:
   * both raise ImportError and no JS object Python can reach leads to the realm.
   */
  readonly jsBridge?: boolean;
  /**
   * Start from this boot image (runtime/boot-image.ts) instead of
   * initialising the VM: it must have been captured from an interpreter
   * created with the same options. The caller then fills the JS-object
   * table with {@link Interpreter.restoreTable} before any call into Python.
   */
  readonly image?: BootImage;
  /** This interpreter will be captured ({@link Interpreter.captureImage}): keep what that needs. Default: `false`. */
  readonly capturing?: boolean;
}

/** The host modules and members an image's JS-object table held could not be found in a restore (see {@link Interpreter.restoreTable}). */
export class BootImageMismatch extends Error {}

const DEFAULT_PYSTACK_WORDS = 16 * 1024;
/** Room left for the C side (lexers, file buffers) beside a bounded GC heap. */
const C_HEAP_SLACK = 512 * 1024;

/** Proxy kinds the C side writes for a returned value (the glue's numbering). */
enum ValueKind {
  Exception = -1,
  Null = 0,
  None = 1,
  Bool = 2,
  Int = 3,
  Float = 4,
  Str = 5,
}
const JS_OBJECT_KIND = 7;
/** Arguments of {@link Interpreter.callFunction} that fit its scratch block. */
const SCRATCH_ARGUMENTS = 15;
const encoder = new TextEncoder();

/** The exports {@link Interpreter.callFunction} calls directly (the glue's wrappers add checks per call). */
interface CallExports {
  malloc(size: number): number;
  free(ptr: number): void;
  call(ref: number, nArgs: number, args: number, out: number): void;
}

/** The JS module through which {@link Interpreter.keepFunction} receives a Python callable. */
const KEEP_MODULE = '_mpy_keep';
/** Kinds of JS values passed to the C side (the glue's numbering). */
enum ArgumentKind {
  Null = 1,
  Bool = 2,
  Int = 3,
  Float = 4,
  Str = 5,
}
const EXCEPTION_SEPARATOR = '\x04';
/** Bytes in the C `uint32_t out[3]` the proxy layer writes results into. */
const OUT_BYTES = 12;

const MIN_BALLAST_BYTES = 4096;

/** The largest block `malloc` can return without growing memory (binary search), 0 below 4 KiB. */
function largestAllocation(module: EmscriptenModule): number {
  let lo = 0;
  let hi = 2 ** 31;
  while (hi - lo > MIN_BALLAST_BYTES) {
    const mid = Math.floor((lo + hi) / 2);
    const ptr = module._malloc(mid);
    if (ptr === 0) {
      hi = mid;
    } else {
      module._free(ptr);
      lo = mid;
    }
  }
  return lo;
}

/**
 * A module registered during a boot only (to probe the VM), as a restored
 * table holds it: each member the image names is a function that fails.
 */
function bootOnlyModule(name: string, members: readonly string[]): object {
  const failing = (member: string) => (): never => {
    throw new TypeError(`mpy: ${name}.${member} belongs to the boot and cannot be called now`);
  };
  return sealHostModule(name, Object.fromEntries(members.map((member) => [member, failing(member)])));
}

/** A plain value a top-level run can return directly. */
export type SimpleValue = null | boolean | number | string | undefined;

/** An argument {@link Interpreter.callFunction} passes to Python as it is. */
export type PlainArgument = null | boolean | number | string;

/**
 * One booted MicroPython VM, with its own evaluation of the glue: the state
 * the published glue keeps on `globalThis` is this interpreter's alone (see
 * `wasm/glue-script.ts`), so no other interpreter or glue in the thread
 * reaches it.
 */
export class Interpreter {
  readonly #module: EmscriptenModule;
  readonly #glueTable: GlueTable;
  readonly #memory: WebAssembly.Memory;
  #heap: Uint8Array;
  #recovery: StackOverflowRecovery | undefined;
  readonly #stdio: StdioHooks;
  readonly #target: InterruptTarget | undefined;
  readonly #waits: HostWaits;
  /** What {@link keepFunction} kept, held so that the glue does not release it. */
  readonly #kept: object[] = [];
  readonly #callExports: CallExports;
  /** {@link callFunction}'s result and arguments block (allocated on first use). */
  #scratch = 0;
  /** The lowest address {@link writableHeap} hands out: the C heap's start (below it: the VM's static data and first stack). */
  #writableFrom = 0;
  /** The stack pointer between calls, and the thread state's word index (c-stack.ts): kept for {@link captureImage}. */
  #stackTop = 0;
  #stateIndex = -1;
  /** Every module registered, in order, as Python sees it: what {@link captureImage} names the table's slots by. */
  readonly #registered: { readonly name: string; readonly surface: object }[] = [];
  /** The modules this class registers itself, by name: {@link restoreTable} puts them back. */
  readonly #ownModules = new Map<string, object>();
  /** Where a fresh instance's memory ends (set when capturing). */
  #freshExtent = 0;
  /** The image this interpreter started from, until {@link restoreTable}. */
  #image: BootImage | undefined;

  private constructor(
    module: EmscriptenModule,
    glueTable: GlueTable,
    memory: WebAssembly.Memory,
    stdio: StdioHooks,
    compiled: WebAssembly.Module,
    exports: WebAssembly.Exports,
  ) {
    this.#module = module;
    this.#glueTable = glueTable;
    this.#callExports = {
      malloc: exports.malloc as CallExports['malloc'],
      free: exports.free as CallExports['free'],
      call: exports.proxy_c_to_js_call as CallExports['call'],
    };
    this.#memory = memory;
    this.#stdio = stdio;
    this.#heap = new Uint8Array(memory.buffer);
    const wake = new SharedArrayBuffer(4);
    const layout = interruptLayoutOf(compiled);
    if (layout !== undefined && memory.buffer instanceof SharedArrayBuffer) {
      this.#target = { memory: memory.buffer, wake, layout };
      this.#waits = new HostWaits(wake, memory.buffer, layout);
    } else {
      this.#waits = new HostWaits(wake);
    }
  }

  /** Instantiates the wasm and initialises the VM (no host modules, no boot script). */
  static async create(options: InterpreterOptions): Promise<Interpreter> {
    const heapBytes = options.heapBytes ?? INITIAL_HEAP_BYTES;
    let limit: number | undefined;
    let recovery: StackOverflowRecovery | undefined;
    const jsBridge = options.jsBridge ?? false;
    let wasmMemory: WebAssembly.Memory | undefined;
    const { module, memory, exports, compiled, glueTable, resizeHeap } = await instantiateInterpreter({
      stdio: options.stdio,
      // Syscalls report errors in Linux numbering, as MicroPython's errno module expects.
      adaptGlueImports: (imports) => {
        const linux = withLinuxErrnos(imports);
        return jsBridge ? linux : withoutJsFactories(linux, () => wasmMemory!);
      },
      memoryLimit: () => limit,
      onForeignException: (e, sp) => isStackOverflow(e) && (recovery?.raise(sp) ?? false),
    });
    wasmMemory = memory;
    installProxyTable(glueTable, module, jsBridge ? globalThis : EMPTY_GLOBALS);
    const interp = new Interpreter(module, glueTable, memory, options.stdio, compiled, exports);
    if (options.capturing) interp.#freshExtent = dataExtent(memory.buffer);
    const pystackWords = options.pystackWords ?? DEFAULT_PYSTACK_WORDS;
    const gcHeapLimit = exports[HEAP_LIMIT_EXPORT];
    const inRunGc = gcHeapLimit instanceof WebAssembly.Global;
    const image = options.image;
    const stackExports = exports as unknown as StackExports;
    if (image !== undefined) {
      const { state } = image;
      if (memory.buffer.byteLength < state.memoryBytes && !resizeHeap(state.memoryBytes)) {
        throw new Error(`mpy: the interpreter's memory cannot grow to its boot image's ${state.memoryBytes} bytes`);
      }
      restorePages(memory.buffer, image);
      stackExports._emscripten_stack_restore(state.stackTop);
      interp.#writableFrom = state.writableFrom;
      interp.#stackTop = state.stackTop;
      interp.#stateIndex = state.stateIndex;
      interp.#image = image;
    } else {
      // Nothing is allocated yet: the first block sits at the start of the C heap.
      const first = module._malloc(1);
      interp.#writableFrom = first;
      module._free(first);
      const stackTop = relocateShadowStack(stackExports, (n) => module._malloc(n));
      module.ccall('mp_js_init', null, ['number', 'number'], [pystackWords, heapBytes]);
      const state = findThreadState(memory, stackTop, pystackWords);
      // A wasm that collects during a run scans the C stack up to stack_top.
      if (inRunGc && !setStackTop(memory, state, stackTop)) {
        throw new Error(
          'mpy: the interpreter wasm collects garbage during a run but its thread state was not found; rebuild with MPY_NO_INRUN_GC=1 (npm run build)',
        );
      }
      interp.#stackTop = stackTop;
      interp.#stateIndex = state;
    }
    const state = interp.#stateIndex;
    widenStackLimit(memory, state, options.v8StackBytes, inRunGc ? V8_BYTES_PER_SHADOW_BYTE_SPILLED : undefined);
    const guard = new StackOverflowRecovery(memory, state, exports as unknown as StackOverflowExports);
    interp.#recovery = guard;
    const stackGuardModule = {
      arm: (address: number): boolean => {
        const armed = guard.arm(address);
        if (armed) recovery = guard;
        return armed;
      },
    };
    if (image !== undefined) {
      if (image.state.guard !== null && guard.rearm(image.state.guard)) recovery = guard;
      interp.#ownModules.set(STACK_GUARD_MODULE, sealHostModule(STACK_GUARD_MODULE, stackGuardModule));
    } else {
      module.ccall('proxy_c_init', null, [], []);
      interp.registerJsModule(STACK_GUARD_MODULE, stackGuardModule);
      if (!jsBridge) closeJsModules(interp);
    }
    if (inRunGc) {
      const bound = options.heapLimitBytes ?? options.inRunGcHeapLimitBytes;
      if (bound !== undefined) gcHeapLimit.value = bound;
    } else if (options.heapLimitBytes !== undefined) {
      // The bound applies to memory growth, so first take up the free space the
      // allocator already has, keeping only the C side's slack.
      limit = memory.buffer.byteLength;
      const slack = module._malloc(C_HEAP_SLACK);
      for (let free = largestAllocation(module); free > 0; free = largestAllocation(module)) module._malloc(free);
      module._free(slack);
      limit = memory.buffer.byteLength + Math.max(0, options.heapLimitBytes - heapBytes);
    }
    return interp;
  }

  /** The emscripten filesystem the VM's files live in. */
  get fs(): EmFS {
    return this.#module.FS;
  }

  /**
   * The heap bytes a host call may write for Python (a buffer it passed by
   * address): only within the C heap, where Python's buffers live. Below it
   * is the VM's static data (the table of built-in modules, type objects),
   * which a write from the host must never reach: with it, Python could undo
   * what the sandbox closed.
   * @throws RangeError for a range that is not wholly inside the C heap
   */
  writableHeap(address: number, length: number): Uint8Array {
    const heap = this.heapU8();
    const end = address + length;
    if (
      !Number.isSafeInteger(address) ||
      !Number.isSafeInteger(length) ||
      length < 0 ||
      address < this.#writableFrom ||
      end > heap.byteLength
    ) {
      const shown = (n: unknown): string => (typeof n === 'number' ? String(n) : `(a ${typeof n})`);
      throw new RangeError(`mpy: a host call may write only to the interpreter's heap, not ${shown(length)} bytes at ${shown(address)}`);
    }
    return heap.subarray(address, end);
  }

  /** The wasm heap as bytes. Fetch it again after any call into Python: the heap can grow. */
  heapU8(): Uint8Array {
    if (this.#heap.buffer !== this.#memory.buffer) this.#heap = new Uint8Array(this.#memory.buffer);
    return this.#heap;
  }

  /**
   * Compiles and runs `code` as a top-level module body in `__main__`.
   * @returns the body's value when it is a simple value (usually `null`)
   * @throws PythonError for an uncaught Python exception (SystemExit included)
   */
  exec(code: string): SimpleValue {
    const m = this.#module;
    const len = m.lengthBytesUTF8(code);
    const src = m._malloc(len + 1);
    m.stringToUTF8(code, src, len + 1);
    const out = m._malloc(OUT_BYTES);
    try {
      this.#guarded(() => m.ccall('mp_js_do_exec', 'number', ['number', 'number', 'number'], [src, len, out]));
      return this.#readValue(out);
    } finally {
      m._free(src);
      m._free(out);
    }
  }

  /**
   * Evaluates `expression` (a top-level run) to a Python callable and keeps it
   * for {@link callFunction}: calls that need no compiling.
   * @returns the callable's number in the glue's proxy table
   * @throws Error when the value is not callable; PythonError as {@link exec}
   */
  keepFunction(expression: string): number {
    let kept: unknown;
    this.registerJsModule(KEEP_MODULE, {
      keep: (f: unknown): void => {
        kept = f;
      },
    });
    this.exec(
      `import sys, ${KEEP_MODULE}\n${KEEP_MODULE}.keep(${expression})\nsys.modules.pop('${KEEP_MODULE}', None)\ndel ${KEEP_MODULE}`,
    );
    // The glue hands a Python callable to JS as a function carrying its number in the proxy table.
    const ref = typeof kept === 'function' ? (kept as { _ref?: unknown })._ref : undefined;
    if (typeof ref !== 'number') throw new Error(`mpy: ${expression} is not a Python callable`);
    // The glue releases the Python object when this JS function is collected.
    this.#kept.push(kept as object);
    return ref;
  }

  /**
   * Calls a function kept by {@link keepFunction} with plain arguments:
   * `null`, booleans, strings, and numbers that are int32 integers or not
   * integral (the glue passes any other integral number as a truncated int32).
   * @returns its value when it is a simple value (ints only within int32)
   * @throws PythonError for an uncaught Python exception
   */
  callFunction(ref: number, args: readonly PlainArgument[]): SimpleValue {
    const { malloc, free, call } = this.#callExports;
    const n = args.length;
    // One scratch block holds the result and the arguments; a larger call gets its own.
    const own = n > SCRATCH_ARGUMENTS ? malloc((n + 1) * OUT_BYTES) : 0;
    this.#scratch ||= malloc((SCRATCH_ARGUMENTS + 1) * OUT_BYTES);
    const out = own || this.#scratch;
    for (let i = 0; i < n; i++) this.#writeArgument(out + (i + 1) * OUT_BYTES, args[i]!);
    try {
      this.#guarded(() => call(ref, n, out + OUT_BYTES, out));
      return this.#readValue(out);
    } finally {
      if (own) free(own);
    }
  }

  /** Writes one argument of {@link callFunction} in the glue's 12-byte layout (the C side frees a string's bytes). */
  #writeArgument(at: number, value: PlainArgument): void {
    if (typeof value === 'string') {
      const len = Buffer.byteLength(value, 'utf8');
      const bytes = this.#callExports.malloc(len + 1);
      const heap = this.heapU8();
      encoder.encodeInto(value, heap.subarray(bytes, bytes + len));
      heap[bytes + len] = 0;
      this.#setWords(at, ArgumentKind.Str, len, bytes);
      return;
    }
    const view = new DataView(this.heapU8().buffer);
    if (value === null) {
      view.setInt32(at, ArgumentKind.Null, true);
    } else if (typeof value === 'boolean') {
      this.#setWords(at, ArgumentKind.Bool, value ? 1 : 0, 0);
    } else if (Number.isInteger(value) && value === (value | 0)) {
      this.#setWords(at, ArgumentKind.Int, value, 0);
    } else {
      view.setInt32(at, ArgumentKind.Float, true);
      view.setFloat64(at + 4, value, true);
    }
  }

  #setWords(at: number, kind: number, a: number, b: number): void {
    const view = new DataView(this.heapU8().buffer);
    view.setInt32(at, kind, true);
    view.setInt32(at + 4, a, true);
    view.setInt32(at + 8, b, true);
  }

  /**
   * Makes `module` importable from Python under `name`, sealed (see
   * host-surface.ts): Python sees its functions and primitive values and
   * nothing behind them. Its functions are called with Python
   * ints/floats/strs/None converted to JS, should return primitives, and must
   * not throw: report failures as return values (a JS exception would unwind
   * through the VM and leave it unusable).
   */
  registerJsModule(name: string, module: Readonly<Record<string, unknown>>): void {
    const m = this.#module;
    const out = m._malloc(OUT_BYTES);
    try {
      const surface = sealHostModule(name, module);
      m.setValue(out, JS_OBJECT_KIND, 'i32');
      m.setValue(out + 4, registerJsObject(this.#glueTable, surface), 'i32');
      m.ccall('mp_js_register_js_module', null, ['string', 'number'], [name, out]);
      this.#registered.push({ name, surface });
    } finally {
      m._free(out);
    }
  }

  /**
   * This interpreter's state as a boot image keeps it (runtime/boot-image.ts):
   * call between top-level runs, on an interpreter created with `capturing`.
   * @throws Error when the state cannot be kept: the glue holds Python
   *   objects for JS, or a JS object Python holds is not a registered module
   *   or one of its members
   */
  captureImage(): InterpreterImageState {
    if (this.#freshExtent === 0) throw new Error('mpy: this interpreter was not created for capturing');
    const contents = tableContents(this.#glueTable);
    if (contents === undefined) throw new Error('mpy: the glue holds Python objects for JS; a boot image cannot carry them');
    const slots: TableSlot[] = [];
    for (const [slot, obj] of contents.objects) {
      const found = this.#registeredAs(obj);
      if (found === undefined)
        throw new Error(`mpy: slot ${slot} of the JS-object table holds an object that is not a registered module or member`);
      slots.push({ slot, ...found });
    }
    const guard = this.#recovery?.arming ?? null;
    return {
      stackTop: this.#stackTop,
      stateIndex: this.#stateIndex,
      writableFrom: this.#writableFrom,
      guard,
      tableLength: contents.length,
      tableNext: contents.next,
      slots,
      freshExtent: this.#freshExtent,
      memoryBytes: this.#memory.buffer.byteLength,
    };
  }

  /** Which registered module `obj` is, or which module's member (the latest registration first). */
  #registeredAs(obj: object): { module: string; member: string | null } | undefined {
    for (let i = this.#registered.length - 1; i >= 0; i--) {
      const { name, surface } = this.#registered[i]!;
      if (surface === obj) return { module: name, member: null };
      for (const [member, value] of Object.entries(surface)) if (value === obj) return { module: name, member };
    }
    return undefined;
  }

  /**
   * Fills the JS-object table of an interpreter created from a boot image:
   * each slot gets the object of this run that stands where the captured one
   * stood, from `modules` (the host modules the boot registered, by name, as
   * given to {@link registerJsModule}) or this class's own. A module the image
   * names but neither has was registered for the boot alone (to probe the
   * VM): its slots get members that fail if called.
   * @throws BootImageMismatch when a module in `modules` lacks a member the image names (the interpreter is then unusable)
   */
  restoreTable(modules: Readonly<Record<string, Readonly<Record<string, unknown>>>>): void {
    const image = this.#image;
    if (image === undefined) throw new Error('mpy: this interpreter did not start from a boot image');
    this.#image = undefined;
    const surfaces = new Map(this.#ownModules);
    for (const [name, module] of Object.entries(modules)) surfaces.set(name, sealHostModule(name, module));
    const bootOnly = new Map<string, string[]>();
    for (const { module, member } of image.state.slots) {
      if (surfaces.has(module)) continue;
      const members = bootOnly.get(module) ?? [];
      if (member !== null) members.push(member);
      bootOnly.set(module, members);
    }
    for (const [name, members] of bootOnly) surfaces.set(name, bootOnlyModule(name, members));
    const objects = new Map<number, object>();
    for (const { slot, module, member } of image.state.slots) {
      const surface = surfaces.get(module)!;
      const obj = member === null ? surface : (surface as Record<string, unknown>)[member];
      if (typeof obj !== 'object' && typeof obj !== 'function') {
        throw new BootImageMismatch(`mpy: the boot image names ${module}.${member ?? ''}, which this run's host module does not have`);
      }
      objects.set(slot, obj as object);
    }
    restoreTableContents(this.#glueTable, { length: image.state.tableLength, next: image.state.tableNext, objects });
    for (const [name, surface] of surfaces) this.#registered.push({ name, surface });
  }

  /** Starts the build's event-driven REPL: prints the banner and the first prompt. */
  replInit(): void {
    this.#module.ccall('mp_js_repl_init', null, [], []);
  }

  /**
   * Feeds one input byte to the REPL (line editing, history, completion and
   * paste mode are the build's own). Runs any complete statement.
   * @returns 0 to go on; otherwise the REPL ended: bit 8 set means exit with
   *   the low 8 bits as the status (Ctrl-D at an empty prompt, or SystemExit)
   */
  replProcessChar(byte: number): number {
    const feed = (b: number): number => this.#module.ccall('mp_js_repl_process_char', 'number', ['number'], [b]) as number;
    try {
      return this.#guarded(() => feed(byte));
    } catch (e) {
      if (!(e instanceof StackExhaustedError)) throw e;
      // The line that ran was cut short: report it as the REPL reports an
      // exception, then cancel the line (Ctrl-C) for a fresh prompt.
      this.#stdio.write(1, new TextEncoder().encode(STACK_EXHAUSTED_TRACEBACK.replace('\n', '\r\n')));
      return feed(CTRL_C);
    }
  }

  /**
   * Runs a call into the VM. When V8's stack runs out inside it and no setjmp
   * point could turn that into a Python exception (see stack-overflow.ts),
   * puts the VM back as it was and throws the RuntimeError as a PythonError;
   * so too for a JS exception Python's code caused (see js-throw.ts).
   */
  #guarded<T>(call: () => T): T {
    const before = this.#recovery?.snapshot();
    try {
      return call();
    } catch (e) {
      if (before === undefined) throw e;
      const reported = isStackOverflow(e) ? new StackExhaustedError() : pythonErrorForJsThrow(e);
      if (reported === undefined) throw e;
      this.#recovery!.restore(before);
      throw reported;
    }
  }

  /**
   * What another thread needs to raise KeyboardInterrupt in this interpreter
   * while it runs (post it; see runtime/interrupt.ts); undefined when this
   * build's memory is not shared (`MPY_WASM=original`, or a build step that
   * found no interrupt state).
   */
  get interruptTarget(): InterruptTarget | undefined {
    return this.#target;
  }

  /** Blocking waits of host code that end early when an exception is pending. */
  get waits(): HostWaits {
    return this.#waits;
  }

  /**
   * Takes a KeyboardInterrupt that is pending while no Python runs (it came
   * after the code it was meant for had finished), so that it does not
   * strike the next code run. Call it between runs only.
   */
  dropPendingInterrupt(): void {
    if (!this.#waits.pending()) return;
    try {
      // A loop: its branch is where the VM raises what is pending.
      this.exec('for _ in ():\n    pass');
    } catch (e) {
      if (!(e instanceof PythonError)) throw e;
    }
  }

  /** Schedules a KeyboardInterrupt from this thread; it is raised at the VM's next check. */
  interrupt(): void {
    if (this.#target) requestKeyboardInterrupt(this.#target);
    else this.#module._mp_sched_keyboard_interrupt();
  }

  #readValue(out: number): SimpleValue {
    const m = this.#module;
    const kind = m.getValue(out, 'i32');
    switch (kind) {
      case ValueKind.Exception: {
        const ptr = m.getValue(out + 8, 'i32');
        const text = m.UTF8ToString(ptr, m.getValue(out + 4, 'i32'));
        m._free(ptr);
        const sep = text.indexOf(EXCEPTION_SEPARATOR);
        throw new PythonError(text.slice(0, sep), text.slice(sep + 1));
      }
      case ValueKind.None:
        return null;
      case ValueKind.Bool:
        return m.getValue(out + 4, 'i32') !== 0;
      case ValueKind.Int:
        return m.getValue(out + 4, 'i32');
      case ValueKind.Float: {
        const view = new DataView(this.heapU8().buffer);
        return view.getFloat64(out + 4, true);
      }
      case ValueKind.Str: {
        // By its length: the text may hold NULs (UTF8ToString stops at one).
        const heap = this.heapU8();
        const at = m.getValue(out + 8, 'i32');
        return Buffer.from(heap.buffer, heap.byteOffset + at, m.getValue(out + 4, 'i32')).toString('utf8');
      }
      case ValueKind.Null:
        return undefined;
      default:
        // A proxied object: not a simple value; release the VM's reference.
        m.ccall('proxy_c_free_obj', null, ['number'], [m.getValue(out + 4, 'i32')]);
        return undefined;
    }
  }
}
