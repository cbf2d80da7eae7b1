/**
 * How a `MicroPython` instance reaches its interpreter: a {@link Transport}
 * sends requests one at a time in the order they were made and settles each
 * with its result. Two kinds: the worker channel (channel.ts, the default) and
 * the in-thread one (in-thread.ts, `thread: 'current'`).
 *
 * @module
 */
import type { RecordedOutput } from './output.js';
import type { Request } from './protocol.js';

/** A request's result, with the output it wrote when recording was asked for. */
export interface JobResult {
  readonly value: unknown;
  readonly output: RecordedOutput | undefined;
}

/** How a request is sent: see {@link Transport.send}. */
export interface SendOptions {
  /** Collect the output the request writes into the result. */
  readonly record?: boolean;
  /** Interrupts the request (or drops it, while queued) when aborted. */
  readonly signal?: AbortSignal;
}

/** The requests of one instance, in order, to wherever its interpreter runs. */
export interface Transport {
  /** Whether it still takes requests. */
  readonly open: boolean;
  /**
   * Queues a request; it runs after those made before it.
   * @param op the API method, for messages (`exec`, `fs.readFile`, ...)
   */
  send(op: string, req: Request, options?: SendOptions): Promise<JobResult>;
  /**
   * Runs `action` on this side once the requests queued before it are done,
   * before those queued after it start (a setting that applies from a point
   * in the call order). Resolves when it ran; rejects as {@link send} does.
   */
  runInOrder(op: string, action: () => void): Promise<void>;
  /**
   * Raises KeyboardInterrupt in the running request, if any.
   * @returns whether a request was running
   * @throws Error when running Python cannot be interrupted
   */
  interrupt(): boolean;
  /** Ends the interpreter; a pending request rejects with `MicroPythonDisposedError`. */
  close(): Promise<void>;
}

/** What an aborted call rejects with: the signal's reason, as `fetch` does. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException(String(reason ?? 'This operation was aborted'), 'AbortError');
}
