import { getInterpreterModuleAsync } from './compiled-module.js';
import { createInvokeImports, type ForeignExceptionHandler, type TrampolineTarget } from './trampolines.js';
import type { EmscriptenModule } from './emscripten-module.js';
import { type GlueTable, loadGlue } from './glue-script.js';
import { createStdioImports, type StdioHooks, type StdioImports } from './stdio-imports.js';

export type { StdioHooks } from './stdio-imports.js';

/** Options of {@link instantiateInterpreter}. */
export interface InstantiateOptions {
  /** Where fd 0, 1 and 2 go. */
  readonly stdio: StdioHooks;
  /**
   * Upper bound, in bytes, on the wasm memory, read each time the heap asks to
   * grow; `undefined` means the build's own 2 GiB ceiling. Default: no bound.
   */
  readonly memoryLimit?: () => number | undefined;
  /**
   * Offered every exception other than a longjmp that unwinds to one of the
   * VM's JS `invoke_*` trampolines (a V8 stack overflow, or a JS error thrown
   * by an import), with the stack pointer the trampoline restored; returns
   * true when it turned it into a MicroPython raise. Only the original wasm
   * has JS trampolines: the optimised one's are wasm, and V8 does not let
   * wasm catch a stack overflow. Default: every such exception propagates.
   */
  readonly onForeignException?: ForeignExceptionHandler;
  /**
   * Rewrites the glue's own wasm imports before the host's overrides go on
   * top (the runtime makes syscalls report Linux errnos with it). Default:
   * the imports as the glue made them.
   */
  readonly adaptGlueImports?: (imports: GlueImports) => GlueImports;
}

/** The wasm imports the glue builds (one object may serve as both namespaces). */
type GlueImports = { env: Record<string, unknown>; wasi_snapshot_preview1: Record<string, unknown> };

/** An instantiated interpreter module with direct access to its exports and memory. */
export interface InstantiatedInterpreter {
  /** The emscripten module object (FS, ccall, ...). */
  readonly module: EmscriptenModule;
  /** The raw wasm exports. */
  readonly exports: WebAssembly.Exports;
  /** The wasm memory (its buffer changes when the heap grows). */
  readonly memory: WebAssembly.Memory;
  /** The compiled module it was instantiated from. */
  readonly compiled: WebAssembly.Module;
  /** The state its glue's proxy code shares (this interpreter's own; see `runtime/js-proxy-table.ts`). */
  readonly glueTable: GlueTable;
  /** Grows the memory to at least `bytes` as the heap's own growth does (the glue's views follow); false when it cannot. */
  readonly resizeHeap: (bytes: number) => boolean;
}

/** Whether `error` is V8 running out of stack. */
export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack size/i.test(error.message);
}

/**
 * Instantiates the official interpreter through the glue's supported
 * `instantiateWasm` hook, with the host's own imports where they matter:
 * bulk stdio on fds 0-2, a bounded heap, and, for the original wasm only (the
 * optimised one has none), lean `invoke_*` trampolines. Uses the thread's
 * compiled module (see `compiled-module.ts`), compiling it in the background
 * if need be.
 */
export async function instantiateInterpreter(options: InstantiateOptions): Promise<InstantiatedInterpreter> {
  // The module compiles on V8's background threads while the glue loads and
  // sets itself up on this one.
  const compiling = getInterpreterModuleAsync();
  compiling.catch(() => {}); // observed below, once the glue asks for the instance
  const { createModule, table } = await loadGlue();
  let instance: WebAssembly.Instance | undefined;
  let compiledModule: WebAssembly.Module | undefined;
  let resizeHeap: (bytes: number) => boolean = () => false;
  const { stdio, memoryLimit } = options;
  const onForeign = options.onForeignException ?? ((): boolean => false);
  let failed!: (e: unknown) => void;
  const failure = new Promise<never>((_, reject) => {
    failed = reject;
  });

  const instantiate = (compiled: WebAssembly.Module, glueImports: GlueImports): WebAssembly.Instance => {
    const info = options.adaptGlueImports?.(glueImports) ?? glueImports;
    const envNames = WebAssembly.Module.imports(compiled)
      .filter((i) => i.module === 'env')
      .map((i) => i.name);
    const invokes = createInvokeImports(envNames, () => instance!.exports as unknown as TrampolineTarget, onForeign);
    const glueResize = info.env.emscripten_resize_heap as (size: number) => boolean;
    resizeHeap = glueResize;
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
      ...createStdioImports(
        stdio,
        () => instance!.exports.memory as WebAssembly.Memory,
        info.wasi_snapshot_preview1 as unknown as StdioImports,
      ),
    };
    return new WebAssembly.Instance(compiled, { env, wasi_snapshot_preview1: wasi } as WebAssembly.Imports);
  };

  const module = await Promise.race([
    failure,
    createModule({
      // The glue waits for `receive`, which may come later (asynchronous instantiation).
      instantiateWasm(glueImports: GlueImports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) {
        compiling
          .then((compiled) => {
            instance = instantiate(compiled, glueImports);
            compiledModule = compiled;
            receive(instance, compiled);
          })
          .catch(failed);
        return {};
      },
    }),
  ]);
  return {
    module,
    exports: instance!.exports,
    memory: instance!.exports.memory as WebAssembly.Memory,
    compiled: compiledModule!,
    glueTable: table,
    resizeHeap,
  };
}
