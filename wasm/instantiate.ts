import { getInterpreterModule } from './compiled-module.js';
import { createInvokeImports, type TrampolineTarget } from './trampolines.js';
import type { EmscriptenModule } from './emscripten-module.js';
import { INTERPRETER_PACKAGE } from './locate.js';
import { withLinuxErrnos } from '../host/fs/syscall-errno.js';

/** The process-level streams the interpreter writes to and reads from. */
export interface StdioHooks {
  /**
   * Receives bytes written to fd 1 or 2. `bytes` is a view into the wasm heap,
   * valid only during the call: copy or consume it before returning.
   */
  write(fd: 1 | 2, bytes: Uint8Array): void;
  /** Fills `into` with up to `into.length` bytes of stdin; returns 0 at end of input. */
  read(into: Uint8Array): number;
}

/** Options of {@link instantiateInterpreter}. */
export interface InstantiateOptions {
  /** Where fd 0, 1 and 2 go. */
  readonly stdio: StdioHooks;
  /**
   * Upper bound, in bytes, on the wasm memory, read each time the heap asks to
   * grow; `undefined` means the build's own 2 GiB ceiling. Default: no bound.
   */
  readonly memoryLimit?: () => number | undefined;
}

/** An instantiated interpreter module with direct access to its exports and memory. */
export interface InstantiatedInterpreter {
  /** The emscripten module object (FS, ccall, ...). */
  readonly module: EmscriptenModule;
  /** The raw wasm exports. */
  readonly exports: WebAssembly.Exports;
  /** The wasm memory (its buffer changes when the heap grows). */
  readonly memory: WebAssembly.Memory;
}

type CreateModule = (moduleArg: Record<string, unknown>) => Promise<EmscriptenModule>;
let createModule: CreateModule | undefined;

/**
 * Instantiates the official interpreter through the glue's supported
 * `instantiateWasm` hook, with the host's own imports where they matter:
 * lean `invoke_*` trampolines, bulk stdio on fds 0-2 and a bounded heap.
 */
export async function instantiateInterpreter(options: InstantiateOptions): Promise<InstantiatedInterpreter> {
  createModule ??= ((await import(INTERPRETER_PACKAGE)) as { default: CreateModule }).default;
  const compiled = getInterpreterModule();
  let instance: WebAssembly.Instance | undefined;
  let heap = new Uint8Array(0);
  const heapU8 = (): Uint8Array => {
    const buffer = (instance!.exports.memory as WebAssembly.Memory).buffer;
    if (heap.buffer !== buffer) heap = new Uint8Array(buffer);
    return heap;
  };
  const { stdio, memoryLimit } = options;

  const module = await createModule({
    instantiateWasm(
      glueImports: { env: Record<string, unknown>; wasi_snapshot_preview1: Record<string, unknown> },
      receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
    ) {
      // Syscalls report errors in Linux numbering, as MicroPython's errno module expects.
      const info = withLinuxErrnos(glueImports);
      const envNames = WebAssembly.Module.imports(compiled)
        .filter((i) => i.module === 'env')
        .map((i) => i.name);
      const invokes = createInvokeImports(envNames, () => instance!.exports as unknown as TrampolineTarget);
      const glueResize = info.env.emscripten_resize_heap as (size: number) => boolean;
      const glueWrite = info.wasi_snapshot_preview1.fd_write as (...a: number[]) => number;
      const glueRead = info.wasi_snapshot_preview1.fd_read as (...a: number[]) => number;
      const env = {
        ...info.env,
        ...invokes,
        emscripten_resize_heap(requested: number): boolean {
          const limit = memoryLimit?.();
          if (limit !== undefined && requested >>> 0 > limit) return false;
          return glueResize(requested);
        },
      };
      const wasi = {
        ...info.wasi_snapshot_preview1,
        fd_write(fd: number, iov: number, iovcnt: number, pnum: number): number {
          if (fd !== 1 && fd !== 2) return glueWrite(fd, iov, iovcnt, pnum);
          const mem = heapU8();
          const view = new DataView(mem.buffer);
          let total = 0;
          for (let i = 0; i < iovcnt; i++) {
            const ptr = view.getUint32(iov + 8 * i, true);
            const len = view.getUint32(iov + 8 * i + 4, true);
            if (len > 0) stdio.write(fd, mem.subarray(ptr, ptr + len));
            total += len;
          }
          view.setUint32(pnum, total, true);
          return 0;
        },
        fd_read(fd: number, iov: number, iovcnt: number, pnum: number): number {
          if (fd !== 0) return glueRead(fd, iov, iovcnt, pnum);
          const mem = heapU8();
          const view = new DataView(mem.buffer);
          let total = 0;
          for (let i = 0; i < iovcnt; i++) {
            const ptr = view.getUint32(iov + 8 * i, true);
            const len = view.getUint32(iov + 8 * i + 4, true);
            const n = stdio.read(heapU8().subarray(ptr, ptr + len));
            total += n;
            if (n < len) break;
          }
          new DataView(heapU8().buffer).setUint32(pnum, total, true);
          return 0;
        },
      };
      instance = new WebAssembly.Instance(compiled, { env, wasi_snapshot_preview1: wasi } as WebAssembly.Imports);
      receive(instance, compiled);
      return instance.exports;
    },
  });
  return {
    module,
    exports: instance!.exports,
    memory: instance!.exports.memory as WebAssembly.Memory,
  };
}
