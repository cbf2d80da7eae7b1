/**
 * One instance of mpy-cross's wasm, driven directly: instantiated
 * synchronously from the precompiled `WebAssembly.Module` with this host's own
 * imports (the file syscalls of {@link SyscallFiles}, `exit`, and for the
 * original wasm its `invoke_*` trampolines), its constructors run, and then
 * `main()` called once per file with argv built on the wasm stack. The
 * emscripten glue is never run: its set-up (a filesystem, TTYs, process
 * listeners) served one `main()` per instance and cost more than the compile
 * of a small file.
 *
 * mpy-cross's `main()` mallocs its GC heap and never frees it, and this build
 * cannot grow its 16 MiB memory: every call spends its `-X heapsize` for good.
 * The instance therefore keeps a budget, and its owner replaces it when the
 * next call would not fit.
 */
import { type MpyCrossAbi, mpyCrossAbi } from './mpy-cross-abi.js';
import { INPUT_GLOBAL_EXPORTS, OUTPUT_GLOBAL_EXPORTS, SyscallFiles, type WasmFileGlobals } from './syscall-files.js';

/** The result of one `main()` call. */
export interface MainResult {
  /** mpy-cross's exit status. */
  readonly status: number;
  /** The .mpy written, if any. */
  readonly output: Uint8Array | undefined;
  /** What it printed. */
  readonly stdout: string;
  /** What it printed on stderr (tracebacks, usage). */
  readonly stderr: string;
}

/** The instance is unusable (it aborted: out of memory, a trap); the call may be retried on a fresh one. */
export class InstanceFailure extends Error {
  /**
   * @param cause the error thrown out of the wasm call
   */
  constructor(cause: unknown) {
    super(`mpy-cross instance failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'InstanceFailure';
  }
}

class ExitSignal {
  constructor(readonly status: number) {}
}

/** What the original wasm's `emscripten_throw_longjmp` throws and its `invoke_*` trampolines catch. */
const LONGJMP = Symbol('longjmp');

const encoder = new TextEncoder();

type WasmFunction = (...args: number[]) => number;

/** The exports this host calls. */
interface Exports {
  readonly main: (argc: number, argv: number) => number;
  readonly stackSave: () => number;
  readonly stackRestore: (sp: number) => void;
  readonly stackAlloc: (bytes: number) => number;
}

function exported(instance: WebAssembly.Instance, abi: MpyCrossAbi, name: string): WasmFunction {
  const fn = instance.exports[abi.exports.get(name) ?? ''];
  if (typeof fn !== 'function') throw new Error(`mpy: mpy-cross's wasm does not export ${name}`);
  return fn as WasmFunction;
}

/**
 * Bytes of the 16 MiB memory that `main()` calls can leak before malloc fails: measured 10.95 MiB
 * (701 calls with a 16 KiB heap, 175 with 64 KiB: each call leaks exactly its heap).
 */
export const INSTANCE_HEAP_CAPACITY = 10 * 1024 * 1024;

/** Budget charged per `main()` call besides its GC heap: a margin, since none was measured. */
export const PER_CALL_OVERHEAD = 4 * 1024;

/**
 * Largest source placed in the instance's memory for the wasm to read itself, and the most room set
 * aside there for the .mpy (on its 5 MiB stack, of which mpy-cross uses at most 40 KB: it checks its
 * recursion against that). A larger source is read through the host, and a .mpy that outgrows its
 * room goes on through the host.
 */
const IN_WASM_SOURCE_LIMIT = 1024 * 1024;
const IN_WASM_OUTPUT_LIMIT = 2 * 1024 * 1024;

/** Room for the .mpy of a source of `bytes` bytes (a .mpy is mostly smaller than its source). */
function outputRoom(bytes: number): number {
  return Math.min(IN_WASM_OUTPUT_LIMIT, 2 * bytes + 4096);
}

/** The optimised wasm's file globals (`wasm/build/mpy-cross-io.ts`), when it has them. */
function wasmFileGlobals(instance: WebAssembly.Instance): { input: WasmFileGlobals; output: WasmFileGlobals } | undefined {
  const globals = (names: Readonly<Record<'fd' | 'pos' | 'end', string>>): WasmFileGlobals | undefined => {
    const [fd, pos, end] = [names.fd, names.pos, names.end].map((name) => instance.exports[name]);
    return fd instanceof WebAssembly.Global && pos instanceof WebAssembly.Global && end instanceof WebAssembly.Global
      ? { fd, pos, end }
      : undefined;
  };
  const input = globals(INPUT_GLOBAL_EXPORTS);
  const output = globals(OUTPUT_GLOBAL_EXPORTS);
  return input && output ? { input, output } : undefined;
}

/** A live mpy-cross instance with a heap budget. */
export class MpyCrossInstance {
  readonly #exports: Exports;
  readonly #files: SyscallFiles;
  readonly #heap: Uint8Array;
  readonly #u32: Uint32Array;
  #remaining = INSTANCE_HEAP_CAPACITY;
  #failed = false;

  private constructor(exports: Exports, files: SyscallFiles, memory: WebAssembly.Memory) {
    this.#exports = exports;
    this.#files = files;
    this.#heap = new Uint8Array(memory.buffer);
    this.#u32 = new Uint32Array(memory.buffer);
  }

  /**
   * Instantiates mpy-cross from an already compiled module and runs its constructors.
   * @param module the compiled mpy-cross wasm (the original or the optimised one)
   * @throws Error when the module needs an import this host does not provide
   */
  static create(module: WebAssembly.Module): MpyCrossInstance {
    const abi = mpyCrossAbi();
    const files = new SyscallFiles();
    const syscalls: Record<string, WasmFunction> = files.imports();
    let tempRet0 = 0;
    /** What the `invoke_*` trampolines call into, once the instance exists. */
    let longjmp: { stackSave: WasmFunction; stackRestore: WasmFunction; setThrew: WasmFunction; table: WebAssembly.Table } | undefined;
    const own: Record<string, WasmFunction> = {
      ...syscalls,
      _exit(status) {
        throw new ExitSignal(status!);
      },
      ___assert_fail() {
        throw new Error('mpy-cross: assertion failed');
      },
      _emscripten_resize_heap() {
        throw new Error('mpy-cross: out of memory (its memory cannot grow)');
      },
      _getTempRet0: () => tempRet0,
      _setTempRet0(value) {
        tempRet0 = value!;
        return 0;
      },
      __emscripten_throw_longjmp() {
        throw LONGJMP;
      },
    };
    const fns: Record<string, WasmFunction> = {};
    for (const { module: space, name: key, kind } of WebAssembly.Module.imports(module)) {
      const name = abi.imports.get(key);
      if (space !== abi.importModule || kind !== 'function' || name === undefined)
        throw new Error(`mpy: mpy-cross's wasm imports ${space}.${key}, unknown to this host`);
      if (name.startsWith('invoke_')) {
        // The original wasm's setjmp/longjmp: call through the table, catch a longjmp, flag it.
        fns[key] = (index, ...args) => {
          const j = longjmp!;
          const sp = j.stackSave();
          try {
            return (j.table.get(index!) as WasmFunction)(...args);
          } catch (e) {
            j.stackRestore(sp);
            if (e !== LONGJMP) throw e;
            j.setThrew(1, 0);
            return 0;
          }
        };
      } else if (own[name]) fns[key] = own[name];
      else throw new Error(`mpy: mpy-cross's wasm imports ${name}, which this host does not provide`);
    }
    const instance = new WebAssembly.Instance(module, { [abi.importModule]: fns });
    longjmp = {
      stackSave: exported(instance, abi, 'stackSave'),
      stackRestore: exported(instance, abi, 'stackRestore'),
      setThrew: exported(instance, abi, '_setThrew'),
      table: instance.exports[abi.table] as WebAssembly.Table,
    };
    const memory = instance.exports[abi.memory] as WebAssembly.Memory;
    files.attach(memory, wasmFileGlobals(instance));
    exported(instance, abi, '___wasm_call_ctors')();
    const exports: Exports = {
      main: exported(instance, abi, '_main'),
      stackSave: exported(instance, abi, 'stackSave'),
      stackRestore: exported(instance, abi, 'stackRestore'),
      stackAlloc: exported(instance, abi, 'stackAlloc'),
    };
    return new MpyCrossInstance(exports, files, memory);
  }

  /** True while the instance has not failed and can afford a call with `heapBytes` of GC heap. */
  canRun(heapBytes: number): boolean {
    return !this.#failed && this.#remaining >= heapBytes + PER_CALL_OVERHEAD;
  }

  /**
   * Runs `mpy-cross ARGS... NAME` with `data` as the file NAME.
   * @throws InstanceFailure when the wasm code aborts; the instance is then unusable
   */
  main(args: readonly string[], name: string, data: Uint8Array, heapBytes: number): MainResult {
    if (!this.canRun(heapBytes)) throw new Error('mpy-cross instance used beyond its heap budget');
    this.#remaining -= heapBytes + PER_CALL_OVERHEAD;
    const argv = ['mpy-cross', ...args, name];
    const g = this.#exports;
    const sp = g.stackSave();
    let status: number;
    try {
      if (this.#files.servesFilesInWasm && data.length <= IN_WASM_SOURCE_LIMIT) {
        const outputSize = outputRoom(data.length);
        const output = g.stackAlloc(outputSize);
        const input = g.stackAlloc(data.length);
        this.#heap.set(data, input);
        this.#files.reset(name, data, { input, output, outputSize });
      } else this.#files.reset(name, data);
      // Each argument as a C string, encoded straight into the stack (a UTF-8 byte per UTF-16 unit at most three).
      const ptrs = argv.map((a) => {
        const room = a.length * 3;
        const p = g.stackAlloc(room + 1);
        this.#heap[p + encoder.encodeInto(a, this.#heap.subarray(p, p + room)).written] = 0;
        return p;
      });
      const table = g.stackAlloc((argv.length + 1) * 4);
      for (const [i, p] of ptrs.entries()) this.#u32[(table >>> 2) + i] = p;
      this.#u32[(table >>> 2) + argv.length] = 0;
      status = g.main(argv.length, table);
    } catch (err) {
      if (!(err instanceof ExitSignal)) {
        this.#failed = true;
        throw new InstanceFailure(err);
      }
      status = err.status;
    } finally {
      g.stackRestore(sp);
    }
    return { status, ...this.#files.results() };
  }
}
