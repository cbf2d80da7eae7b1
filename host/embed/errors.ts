/**
 * Errors of the embedding API besides the interpreter's own `PythonError`
 * and `ExitError` (runtime/errors.ts).
 *
 * @module
 */

/**
 * A call to a MicroPython instance ran longer than its `timeoutMs`. Python
 * was interrupted (KeyboardInterrupt); when it gave control back within the
 * grace period the instance is still usable (`terminated` false), otherwise
 * its worker was terminated and the instance cannot be used any more.
 * Its `name` is `'TimeoutError'`; the class is named apart from the DOM's
 * `TimeoutError` so that `instanceof` checks are unambiguous.
 */
export class MicroPythonTimeoutError extends Error {
  /** The limit that passed, in milliseconds. */
  readonly timeoutMs: number;
  /** What was running, e.g. `exec`. */
  readonly operation: string;
  /** Whether the worker had to be terminated (the instance is then gone). */
  readonly terminated: boolean;

  /**
   * @param operation what was running
   * @param timeoutMs the limit that passed
   * @param terminated whether the worker was terminated
   */
  constructor(operation: string, timeoutMs: number, terminated = true) {
    super(
      `MicroPython ${operation} did not finish within timeoutMs (${timeoutMs} ms); ` +
        (terminated
          ? 'it did not stop when interrupted, so its worker was terminated and this instance can no longer be used: create a new one'
          : 'it was interrupted with KeyboardInterrupt and the instance is still usable'),
    );
    this.name = 'TimeoutError';
    this.operation = operation;
    this.timeoutMs = timeoutMs;
    this.terminated = terminated;
  }
}

/**
 * A call was made to, or was still pending on, a MicroPython instance that
 * was disposed, or whose worker ended (after a timeout or a crash).
 */
export class MicroPythonDisposedError extends Error {
  /**
   * @param message what happened and what to do
   * @param options the underlying error, if any
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DisposedError';
  }
}

/** An error of the instance's filesystem, with the errno name as `code` (like Node's fs errors). */
export class MicroPythonFsError extends Error {
  /** The errno name, e.g. `ENOENT`. */
  readonly code: string;
  /** The guest path involved. */
  readonly path: string;

  /**
   * @param code the errno name
   * @param operation the fs helper, e.g. `readFile`
   * @param path the guest path
   */
  constructor(code: string, operation: string, path: string) {
    super(`${code}: ${operation} '${path}' failed`);
    this.name = 'MicroPythonFsError';
    this.code = code;
    this.path = path;
  }
}
