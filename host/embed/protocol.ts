/**
 * Messages between a `MicroPython` instance (main side) and its worker.
 * The main side sends one request at a time (a JSON frame in the call
 * buffer, or the request itself on the port) and waits for its reply (a
 * reply frame, or a port message); output messages come before the reply,
 * in the order Python wrote.
 *
 * @module
 */
import type { WorkerSettings } from './options.js';
import type { InterruptTarget } from '../../runtime/interrupt.js';
import type { JsCallsInit } from './js-module-host.js';
import type { MessagePort } from 'node:worker_threads';

/** What the worker is started with (`workerData`). */
export interface WorkerInit {
  readonly settings: WorkerSettings;
  /**
   * The interpreter's compiled wasm, compiled once per process: what
   * `shareInterpreterModule()` (wasm/shared-module.ts) returned. Typed
   * `unknown` so that the published types never name `WebAssembly` (Node-only
   * `lib` settings lack it); the worker checks it before use.
   */
  readonly interpreter: unknown;
  /** mpy's runtime/lib directory on the host. */
  readonly runtimeLibDir: string;
  /** The V8 stack size the worker was given, in bytes (for the recursion limit). */
  readonly v8StackBytes: number;
  /** One Int32: the id of the request the main side last interrupted (a late interrupt for an earlier one is dropped). */
  readonly interruptedRequest: SharedArrayBuffer;
  /** Output bytes in flight to the main side (see output-credit.ts). */
  readonly outputCredit: Int32Array;
  /** The call buffer (call-buffer.ts): requests and replies that fit cross in it. */
  readonly calls: SharedArrayBuffer;
  /**
   * The worker's end of the instance's port: output, and the requests and
   * replies that do not fit the call buffer or carry bytes. Both sides take
   * from it with `receiveMessageOnPort` when the buffer says a frame is there.
   */
  readonly port: MessagePort;
  /** With `js: true`: where Python calls registered JS modules (js-module-host.ts). */
  readonly jsCalls?: JsCallsInit;
}

/** An fs helper call. */
export type FsRequest =
  | { readonly op: 'fs'; readonly action: 'readFile'; readonly path: string }
  | { readonly op: 'fs'; readonly action: 'writeFile'; readonly path: string; readonly data: string | Uint8Array }
  | { readonly op: 'fs'; readonly action: 'mkdir'; readonly path: string; readonly recursive: boolean }
  | { readonly op: 'fs'; readonly action: 'readdir'; readonly path: string }
  | { readonly op: 'fs'; readonly action: 'rm'; readonly path: string; readonly recursive: boolean; readonly force: boolean }
  | { readonly op: 'fs'; readonly action: 'exists'; readonly path: string }
  | { readonly op: 'fs'; readonly action: 'stat'; readonly path: string }
  | { readonly op: 'fs'; readonly action: 'rename'; readonly path: string; readonly to: string }
  | MountRequest;

/** `mp.mount`: a host directory (already checked on the main side) shown at guest `path`. */
export interface MountRequest {
  readonly op: 'fs';
  readonly action: 'mount';
  readonly path: string;
  readonly host: string;
  readonly readOnly: boolean;
}

/** `runFile`, with the run's own argv, environment and stdin when given. */
export interface RunFileRequest {
  readonly op: 'runFile';
  readonly path: string;
  readonly argv?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly stdin?: Uint8Array;
}

/** An `mp.globals` call (run by `_mpy_embed.py`); `value` is in the tagged encoding. */
export type GlobalsRequest =
  | { readonly op: 'globals'; readonly action: 'get' | 'has' | 'delete'; readonly name: string }
  | { readonly op: 'globals'; readonly action: 'set'; readonly name: string; readonly value: string };

/** A request on a `PyHandle` (py-handle.ts): the object is the worker's handle `ref` (not `id`: that names the request). */
export type HandleRequest =
  | { readonly op: 'handle.call'; readonly ref: number; readonly args: string; readonly kwargs: string; readonly handle: true }
  | { readonly op: 'handle.get'; readonly ref: number; readonly attr: string; readonly handle: true }
  | { readonly op: 'handle.repr' | 'handle.release'; readonly ref: number };

/**
 * A request the main side sends (with an `id` added). With `handle`, the
 * reply's value is `{ value }`, or `{ handle: [id, typeName] }` for a value
 * the codec cannot copy.
 */
export type Request =
  | { readonly op: 'exec'; readonly code: string }
  | { readonly op: 'eval'; readonly code: string; readonly handle?: boolean }
  | { readonly op: 'call'; readonly target: string; readonly args: string; readonly kwargs: string; readonly handle?: boolean }
  | { readonly op: 'get'; readonly target: string; readonly handle?: boolean }
  | { readonly op: 'import'; readonly target: string }
  | { readonly op: 'jsModule'; readonly name: string; readonly functions: string[]; readonly values: string }
  | { readonly op: 'runAsync'; readonly withReturn: string | null; readonly plain: string; readonly handle?: boolean }
  | HandleRequest
  | RunFileRequest
  | GlobalsRequest
  | { readonly op: 'setStdin'; readonly data: Uint8Array }
  | FsRequest;

/** How a request failed. */
export type Failure =
  | { readonly kind: 'python'; readonly type: string; readonly traceback: string }
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'fs'; readonly code: string; readonly action: string; readonly path: string }
  | { readonly kind: 'host'; readonly message: string };

/**
 * A reply frame starts with one of these: `w` and the value in the tagged
 * encoding (codec.ts), `s` and a string value, `f` and a {@link Failure} as JSON.
 */
export const FRAME_WIRE = 'w';
/** See {@link FRAME_WIRE}. */
export const FRAME_STRING = 's';
/** See {@link FRAME_WIRE}. */
export const FRAME_FAILURE = 'f';

/** A message from the worker on `parentPort`, during start-up. */
export type StartMessage =
  | { readonly kind: 'ready'; readonly interrupt: InterruptTarget | null }
  | { readonly kind: 'bootError'; readonly message: string };

/**
 * A message from the worker on the instance's port: output, in the order
 * Python wrote it, or a reply that did not go in the call buffer: a frame
 * too large for it, or a value (fs helpers, runFile) sent as it is.
 */
export type PortMessage =
  | { readonly kind: 'output'; readonly fd: 1 | 2; readonly bytes: Uint8Array }
  | { readonly kind: 'reply'; readonly frame: string }
  | { readonly kind: 'reply'; readonly value: unknown };
