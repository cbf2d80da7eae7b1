/**
 * Messages between `MicroPythonSync` (the blocked calling thread) and its
 * bridge worker, which owns an ordinary async `MicroPython` instance.
 *
 * @module
 */
import type { MessagePort } from 'node:worker_threads';
import type { MicroPythonOptions } from './options.js';

/** What the bridge worker is started with (`workerData`). */
export interface SyncBridgeInit {
  /** Options for `MicroPython.create` (already checked to be cloneable). */
  readonly options: MicroPythonOptions;
  /** One Int32, set to 1 and notified once a reply is on the port. */
  readonly signal: SharedArrayBuffer;
  /** Where calls come in and replies go out (read with `receiveMessageOnPort` by the blocked thread). */
  readonly port: MessagePort;
}

/** A call of the blocking API: a method of the async instance and its arguments. */
export interface SyncCall {
  readonly method: 'exec' | 'eval' | 'callKw' | 'get' | 'runFile' | 'stdout' | 'stderr' | 'clearOutput' | 'dispose';
  readonly args: readonly unknown[];
}

/** An error as it crosses back: enough to rebuild the class the async API throws. */
export type SyncError =
  | { readonly kind: 'PythonError'; readonly type: string; readonly traceback: string }
  | { readonly kind: 'ExitError'; readonly exitCode: number }
  | { readonly kind: 'TimeoutError'; readonly operation: string; readonly timeoutMs: number; readonly terminated: boolean }
  | { readonly kind: 'DisposedError' | 'TypeError' | 'Error'; readonly message: string };

/** The bridge's answer to a call (and, first, to the start-up). */
export type SyncReply = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: SyncError };
