/**
 * Errors that cross from MicroPython into JavaScript.
 */

/** A Python exception that escaped to the host. */
export class PythonError extends Error {
  /** The exception's type name, e.g. `ZeroDivisionError`. */
  readonly type: string;
  /** The traceback exactly as MicroPython prints it, ending with `Type: message`. */
  readonly traceback: string;

  /**
   * @param type the exception type name
   * @param traceback the printed traceback
   */
  constructor(type: string, traceback: string) {
    super(traceback.trimEnd());
    this.name = 'PythonError';
    this.type = type;
    this.traceback = traceback;
  }

  /** The last line of the traceback without the type, e.g. `divide by zero`. */
  get pythonMessage(): string {
    const last = this.traceback.trimEnd().split('\n').pop() ?? '';
    const prefix = `${this.type}: `;
    return last.startsWith(prefix) ? last.slice(prefix.length) : last === this.type ? '' : last;
  }
}

/** Python code called `sys.exit()` (raised SystemExit) where the host expected a value. */
export class ExitError extends Error {
  /** The process exit status SystemExit asks for (0-255, as the Unix port computes it). */
  readonly exitCode: number;

  /** @param exitCode the exit status */
  constructor(exitCode: number) {
    super(`Python code exited with status ${exitCode} (SystemExit)`);
    this.name = 'ExitError';
    this.exitCode = exitCode;
  }
}
