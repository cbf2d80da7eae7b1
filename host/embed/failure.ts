/**
 * Turns a failure reported by the worker into the error the caller sees.
 *
 * @module
 */
import { ExitError, PythonError } from '../../runtime/errors.js';
import { MicroPythonFsError } from './errors.js';
import type { Failure } from './protocol.js';

/**
 * `PythonError` for an uncaught exception, `ExitError` for SystemExit,
 * `MicroPythonFsError` for an fs helper, `Error` for a host-side fault.
 */
export function failureToError(failure: Failure): Error {
  switch (failure.kind) {
    case 'python':
      return new PythonError(failure.type, failure.traceback);
    case 'exit':
      return new ExitError(failure.code);
    case 'fs':
      return new MicroPythonFsError(failure.code, failure.action, failure.path);
    case 'host':
      return new Error(failure.message);
  }
}
