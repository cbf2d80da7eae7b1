/**
 * Messages between the `mpy` process's main thread (signals, the terminal,
 * stdin; see supervisor.ts) and the worker thread its interpreter runs in
 * (program-worker.ts). The interpreter blocks its thread while Python runs,
 * and Node delivers signals to the main thread's event loop only, so the
 * main thread stays free to turn SIGINT (or Ctrl-C typed at the REPL) into a
 * KeyboardInterrupt through the interpreter's shared memory.
 *
 * @module
 */
import type { InterruptTarget } from '../../runtime/interrupt.js';
import type { InterpreterFiles } from '../../wasm/locate.js';
import type { MessagePort } from 'node:worker_threads';
import type { RunArgs } from './args.js';
import type { ServiceInit } from '../net/protocol.js';

/** What the worker is started with (`workerData`). */
export interface ProgramWorkerInit {
  readonly args: RunArgs;
  readonly cwd: string;
  readonly stdinIsTTY: boolean;
  readonly stdoutIsTTY: boolean;
  /** Where stdin chunks arrive ({@link StdinMessage}), read synchronously with `receiveMessageOnPort`. */
  readonly stdinPort: MessagePort;
  /** The REPL's activity word (repl-activity.ts): whether a Ctrl-C typed in raw mode is a keystroke or an interrupt. */
  readonly replActivity: SharedArrayBuffer;
}

/**
 * What the main thread sends on the stdin port: a piece of stdin (bytes, or
 * `null` at end of input), or the word that the terminal is now in the mode
 * the worker asked for (so that no prompt shows before it is).
 */
export type StdinMessage = { readonly data: Uint8Array | null } | { readonly ttyMode: 'raw' | 'cooked' };

/** Main thread → worker, on `parentPort`: the compiled interpreter, and where its package is (the worker then resolves nothing). */
export type SupervisorMessage = { readonly kind: 'module'; readonly module: WebAssembly.Module; readonly files: InterpreterFiles };

/** Worker → main thread. */
export type ProgramWorkerMessage =
  /**
   * The thread has set the command's V8 flags (program-worker-entry.ts): the
   * main thread may now compile the interpreter's module, which must compile
   * under them.
   */
  | { readonly kind: 'flags' }
  /**
   * The thread's code is compiled (from its bundle's code cache, under the
   * command's V8 flags) and waits for the module: the main thread may now
   * set the boot's flags, which that cache would not be taken under.
   */
  | { readonly kind: 'loaded' }
  /** The interpreter is up: `wake` is rung after each stdin chunk; `target` is null without interrupt support. */
  | { readonly kind: 'booted'; readonly wake: SharedArrayBuffer; readonly target: InterruptTarget | null }
  /** The worker waits for stdin; `prompt`: the REPL waits for a keystroke (not running code). */
  | { readonly kind: 'read'; readonly prompt: boolean }
  /**
   * The program's first socket operation: serve its network on the main
   * thread (host/net/service.ts), taking requests on `port` (closed: close
   * every socket).
   */
  | { readonly kind: 'net'; readonly port: MessagePort; readonly init: ServiceInit }
  /** Puts the terminal in raw mode (the REPL's line editor) or back to cooked (code reading a line); answered on the stdin port. */
  | { readonly kind: 'tty'; readonly raw: boolean }
  /** The program ended with this exit status. */
  | { readonly kind: 'done'; readonly status: number }
  /** The worker failed outside Python. */
  | { readonly kind: 'failed'; readonly message: string; readonly stack: string | undefined };
