/**
 * The error a failed Python test throws in vitest: the exception's message
 * first, then the traceback in host paths, a code frame of the failing line
 * and the test's output; the stack lists the Python frames as host
 * `file:line` locations, with no JS frames in the way.
 *
 * @module
 */
import { GUEST_LIB_DIR } from '../../runtime/guest-layout.js';
import { codeFrame, failingSource, type GuestToHost, stackLines, tracebackFrames, withHostPaths } from './python-frames.js';

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
  /** The Python traceback, with guest paths mapped to host files where a mount shows them. */
  readonly traceback: string;

  /**
   * @param type the exception type name
   * @param traceback the traceback text, as the interpreter printed it
   * @param output what the test wrote, appended to the message when not empty
   * @param toHost maps guest paths to host files (the instance's mounts); default: none mapped
   */
  constructor(type: string, traceback: string, output = '', toHost: GuestToHost = () => undefined) {
    const frames = tracebackFrames(traceback, toHost);
    const hostTraceback = withHostPaths(traceback, toHost);
    const parts = [hostTraceback, codeFrame(frames), output].filter((p) => p !== '');
    // A bare `assert` carries no message: the assert's own source says what failed.
    const message = exceptionMessage(type, traceback) || failingSource(frames);
    super(`${message}\n\n${parts.join('\n\n')}`);
    this.name = type;
    this.type = type;
    this.traceback = hostTraceback;
    this.stack = [`${this.name}: ${this.message}`, ...stackLines(frames)].join('\n');
  }
}

/** The exception's own message: the text after `TYPE: ` on the traceback's last line ('' when it has none). */
function exceptionMessage(type: string, traceback: string): string {
  const last = traceback.trimEnd().split('\n').pop() ?? '';
  if (last.startsWith(`${type}:`)) return last.slice(type.length + 1).trim();
  return last === type || last.startsWith('Traceback') ? '' : last;
}

/** The captured output of a test, labelled, for a failure message; '' when there was none. */
export function describeOutput(stdout: string, stderr: string): string {
  const parts: string[] = [];
  if (stdout) parts.push(`--- captured stdout ---\n${stdout.trimEnd()}`);
  if (stderr) parts.push(`--- captured stderr ---\n${stderr.trimEnd()}`);
  return parts.join('\n');
}

const RUNNER_FRAME = new RegExp(`^ {2}File "${GUEST_LIB_DIR}/unittest/[^"]*", line \\d+, in .*\n`, 'gm');

/** A traceback without the frames of mpy's unittest runner (they are the harness's, not the test's). */
export function stripRunnerFrames(traceback: string): string {
  return traceback.replace(RUNNER_FRAME, '');
}
