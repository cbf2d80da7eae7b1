/**
 * What a JavaScript exception thrown through a running VM becomes.
 *
 * JS code the VM calls can throw: the glue's proxy functions when Python
 * misuses a JS object it holds (`host_fn.new()` is `Reflect.construct` on an
 * arrow function; storing an attribute on a frozen host module; iterating a
 * function), the sandbox's closed JS factories, a host call refusing an
 * address outside the heap. Such an exception unwinds the wasm frames
 * without passing MicroPython's nlr handlers, so Python cannot catch it.
 * The interpreter then puts the VM back as it was before the call (as after
 * a stack overflow, see stack-overflow.ts) and reports the exception as the
 * run's uncaught Python exception: engine `TypeError` and `RangeError` as
 * Python's `TypeError` and `ValueError`, the glue's own `PythonError` with its
 * type. Anything else (a wasm trap, a bug in mpy's host code) is not Python's
 * doing and stays a JS error.
 *
 * @module
 */
import { PythonError } from './errors.js';

/** The glue's `PythonError` (its own class, thrown by its proxy code). */
interface GluePythonError extends Error {
  readonly type: string;
}

function isGluePythonError(e: Error): e is GluePythonError {
  return e.name === 'PythonError' && typeof (e as Partial<GluePythonError>).type === 'string';
}

/**
 * The Python exception a JS exception thrown through the VM stands for, or
 * undefined when it is not one Python's code can cause.
 */
export function pythonErrorForJsThrow(e: unknown): PythonError | undefined {
  if (e instanceof PythonError) return e;
  if (!(e instanceof Error) || e instanceof WebAssembly.RuntimeError) return undefined;
  const type = isGluePythonError(e) ? e.type : e instanceof TypeError ? 'TypeError' : e instanceof RangeError ? 'ValueError' : undefined;
  if (type === undefined) return undefined;
  return new PythonError(type, `${type}: ${e.message}\n`);
}
