/**
 * One compiled interpreter module per process, shared with every worker.
 *
 * A `WebAssembly.Module` can be posted between threads of one process (in
 * `workerData` or a message); the receiving thread instantiates it without
 * compiling. The parent calls {@link shareInterpreterModule} and passes the
 * result in `workerData` (for piscina: the pool's `workerData` option); the
 * worker calls {@link adoptSharedInterpreterModule} on its `workerData` before
 * creating an interpreter.
 *
 * ```ts
 * // parent
 * new Worker(url, { workerData: { interpreter: shareInterpreterModule() } });
 * // worker
 * adoptSharedInterpreterModule(workerData.interpreter);
 * const interp = await Interpreter.create({ stdio });
 * ```
 */
import { adoptInterpreterModule, getInterpreterModule } from './compiled-module.js';
import { adoptInterpreterFiles, type InterpreterFiles, locateInterpreter } from './locate.js';

const TAG = 'mpy.interpreter-module';

/** What a parent hands a worker: the compiled module, tagged so it can be recognised. */
export interface SharedInterpreterModule {
  /** Marks the value as one of ours. */
  readonly tag: typeof TAG;
  /** The compiled interpreter module (structured-cloneable within the process). */
  readonly module: WebAssembly.Module;
  /** Where the interpreter package is, as this thread found it. */
  readonly files: InterpreterFiles;
}

/**
 * The value to post to a worker: this thread's compiled module (compiled now if
 * it was not yet, then reused for every later worker).
 */
export function shareInterpreterModule(): SharedInterpreterModule {
  return { tag: TAG, module: getInterpreterModule(), files: locateInterpreter() };
}

/** Whether `value` is what {@link shareInterpreterModule} returned, after a trip through a thread boundary. */
export function isSharedInterpreterModule(value: unknown): value is SharedInterpreterModule {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { tag?: unknown }).tag === TAG &&
    (value as { module?: unknown }).module instanceof WebAssembly.Module &&
    typeof (value as { files?: { glue?: unknown } }).files?.glue === 'string' &&
    typeof (value as { files?: { wasm?: unknown } }).files?.wasm === 'string'
  );
}

/**
 * In a worker: uses the module the parent shared, so that this thread never
 * compiles the interpreter, and the package location it found.
 * @returns false (and changes nothing) when `value` is not a shared module,
 *   e.g. a worker started without one, which then compiles on first use
 */
export function adoptSharedInterpreterModule(value: unknown): boolean {
  if (!isSharedInterpreterModule(value)) return false;
  adoptInterpreterModule(value.module);
  adoptInterpreterFiles(value.files);
  return true;
}
