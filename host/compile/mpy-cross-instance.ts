/**
 * One emscripten instance of mpy-cross, driven directly: the glue's factory
 * is called with the precompiled `WebAssembly.Module` (its own `compile()`
 * wrapper fetch()es a file path and fails on Node 20), `noInitialRun` and
 * `noExitRuntime`, and `main()` is then called once per file with argv built
 * on the wasm stack.
 *
 * mpy-cross's `main()` mallocs its GC heap and never frees it, and this build
 * cannot grow its 16 MiB memory: every call spends its `-X heapsize` for good.
 * The instance therefore keeps a budget, and its owner replaces it when the
 * next call would not fit. The glue's `process` listeners (which rethrow any
 * uncaught exception or rejection in the thread) are removed at once.
 */
import { SyscallFiles } from './syscall-files.js';

/** The glue's module factory, as its CommonJS export. */
export type MpyCrossFactory = (options: Record<string, unknown>) => Promise<GlueModule>;

/** What the glue's module exposes that this host uses. */
export interface GlueModule {
  _main(argc: number, argv: number): number;
  stackSave(): number;
  stackRestore(sp: number): void;
  stackAlloc(bytes: number): number;
}

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

/**
 * Bytes of the 16 MiB memory that `main()` calls can leak before malloc fails: measured 10.95 MiB
 * (701 calls with a 16 KiB heap, 175 with 64 KiB: each call leaks exactly its heap).
 */
export const INSTANCE_HEAP_CAPACITY = 10 * 1024 * 1024;

/** Budget charged per `main()` call besides its GC heap: a margin, since none was measured. */
export const PER_CALL_OVERHEAD = 4 * 1024;

const LISTENED: readonly string[] = ['uncaughtException', 'unhandledRejection'];

// process.listeners()/removeListener() by a plain event name.
type Listener = (...args: unknown[]) => void;
const emitter = process as unknown as { listeners(e: string): Listener[]; removeListener(e: string, l: Listener): void };

/** A live mpy-cross instance with a heap budget. */
export class MpyCrossInstance {
  readonly #glue: GlueModule;
  readonly #files: SyscallFiles;
  readonly #memory: WebAssembly.Memory;
  #remaining = INSTANCE_HEAP_CAPACITY;
  #failed = false;

  private constructor(glue: GlueModule, files: SyscallFiles, memory: WebAssembly.Memory) {
    this.#glue = glue;
    this.#files = files;
    this.#memory = memory;
  }

  /**
   * Instantiates mpy-cross from an already compiled module.
   * @param factory the glue's factory
   * @param module the compiled mpy-cross wasm
   */
  static async create(factory: MpyCrossFactory, module: WebAssembly.Module): Promise<MpyCrossInstance> {
    const files = new SyscallFiles();
    let memory: WebAssembly.Memory | undefined;
    const before = LISTENED.map((e) => new Set(emitter.listeners(e)));
    let fail: (err: unknown) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (fail = reject));
    let ready: Promise<GlueModule>;
    try {
      ready = factory({
        arguments: ['unused.py'],
        inputFileContents: '',
        noInitialRun: true,
        noExitRuntime: true,
        callback: () => undefined,
        instantiateWasm(
          imports: Record<string, Record<string, unknown>>,
          receive: (i: WebAssembly.Instance, m: WebAssembly.Module) => void,
        ) {
          const [space, fns] = Object.entries(imports)[0]!;
          const wrapped = files.wrap(fns);
          for (const [key, fn] of Object.entries(wrapped)) {
            if (typeof fn === 'function' && (fn as { name: string }).name === '_exit') {
              wrapped[key] = (status: number) => {
                throw new ExitSignal(status);
              };
            }
          }
          WebAssembly.instantiate(module, { [space]: wrapped } as WebAssembly.Imports)
            .then((instance) => {
              memory = Object.values(instance.exports).find((v): v is WebAssembly.Memory => v instanceof WebAssembly.Memory);
              files.attach(memory!);
              receive(instance, module);
            })
            .catch(fail);
          return {};
        },
      });
    } finally {
      // The glue adds listeners that rethrow every uncaught error of this thread: take them out again.
      LISTENED.forEach((event, i) => {
        for (const l of emitter.listeners(event)) if (!before[i]!.has(l)) emitter.removeListener(event, l);
      });
    }
    const glue = await Promise.race([ready, failed]);
    return new MpyCrossInstance(glue, files, memory!);
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
    this.#files.reset(name, data);
    const argv = ['mpy-cross', ...args, name];
    const g = this.#glue;
    const sp = g.stackSave();
    let status: number;
    try {
      const ptrs = argv.map((a) => {
        const bytes = new TextEncoder().encode(`${a}\0`);
        const p = g.stackAlloc(bytes.length);
        new Uint8Array(this.#memory.buffer).set(bytes, p);
        return p;
      });
      const table = g.stackAlloc((argv.length + 1) * 4);
      const view = new DataView(this.#memory.buffer);
      for (const [i, p] of ptrs.entries()) view.setUint32(table + i * 4, p, true);
      view.setUint32(table + argv.length * 4, 0, true);
      status = g._main(argv.length, table);
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
