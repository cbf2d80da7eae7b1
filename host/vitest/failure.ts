/**
 * The error a failed Python test throws in vitest: the Python traceback is
 * the message, with no JS stack frames in the way.
 *
 * @module
 */

/** What a test or fixture run reports (see runtime/lib/unittest/_mpy_runner.py). */
export interface Outcome {
  readonly status: 'pass' | 'fail' | 'skip' | 'xfail' | 'xpass';
  readonly type: string | null;
  readonly traceback: string | null;
  readonly reason: string | null;
}

/** A failed Python test; `name` is the Python exception type (e.g. `AssertionError`). */
export class PythonTestFailure extends Error {
  /** The Python exception type name. */
  readonly type: string;
  /** The Python traceback. */
  readonly traceback: string;

  /**
   * @param type the exception type name
   * @param traceback the traceback text
   * @param output what the test wrote, appended to the message when not empty
   */
  constructor(type: string, traceback: string, output = '') {
    super(output ? `${traceback}\n${output}` : traceback);
    this.name = type;
    this.type = type;
    this.traceback = traceback;
    this.stack = `${this.name}: ${this.message}`;
  }
}

/** The captured output of a test, labelled, for a failure message; '' when there was none. */
export function describeOutput(stdout: string, stderr: string): string {
  const parts: string[] = [];
  if (stdout) parts.push(`--- captured stdout ---\n${stdout.trimEnd()}`);
  if (stderr) parts.push(`--- captured stderr ---\n${stderr.trimEnd()}`);
  return parts.join('\n');
}

const RUNNER_FRAME = /^ {2}File "\/usr\/lib\/micropython\/unittest\/[^"]*", line \d+, in .*\n/gm;

/** A traceback without the frames of mpy's unittest runner (they are the harness's, not the test's). */
export function stripRunnerFrames(traceback: string): string {
  return traceback.replace(RUNNER_FRAME, '');
}
