/**
 * Stdin of the interpreter's worker thread, fed by the main thread
 * (supervisor.ts): the worker asks for input, then waits on the
 * interpreter's wake word until a chunk arrives or a KeyboardInterrupt is
 * pending, so that `input()` can be interrupted (a read of fd 0 in this
 * thread could not be). Asking first lets the main thread read the
 * terminal only when someone wants input, except at the REPL, where it reads
 * all the time to see Ctrl-C.
 *
 * @module
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { HostWaits } from '../../runtime/interrupt.js';
import { WASI_EINTR } from '../../wasm/stdio-imports.js';
import type { StdinMessage } from './program-protocol.js';
import { ReplActivity } from './repl-activity.js';

const CR = 13;
const LF = 10;

/** The worker side of stdin. */
export class StdinChannel {
  readonly #port: MessagePort;
  readonly #ask: (prompt: boolean) => void;
  readonly #askTty: (raw: boolean) => void;
  readonly #activity: ReplActivity;
  #waits: HostWaits | undefined;
  #buffer: Uint8Array = new Uint8Array(0);
  #asked = false;
  #ended = false;

  /**
   * @param port where chunks arrive
   * @param ask tells the main thread that input is wanted (once per outstanding request)
   * @param askTty asks the main thread for the terminal in raw or cooked mode
   * @param activity the REPL's activity, told when keys that may run code and other bytes are taken
   */
  constructor(port: MessagePort, ask: (prompt: boolean) => void, askTty: (raw: boolean) => void, activity: ReplActivity) {
    this.#port = port;
    this.#ask = ask;
    this.#askTty = askTty;
    this.#activity = activity;
  }

  /**
   * Puts the terminal in raw or cooked mode and waits until the main thread
   * has done it: a prompt written before would let keys typed at it be read
   * in the wrong mode.
   */
  setTerminalMode(raw: boolean): void {
    this.#askTty(raw);
    const want = raw ? 'raw' : 'cooked';
    for (;;) {
      const seen = this.#waits?.snapshot() ?? 0;
      const got = receiveMessageOnPort(this.#port);
      if (got !== undefined) {
        const message = got.message as StdinMessage;
        if ('ttyMode' in message) {
          if (message.ttyMode === want) return;
        } else this.#take(message.data);
        continue;
      }
      this.#wait(seen);
    }
  }

  /** Makes waits interruptible (once the interpreter exists). */
  setWaits(waits: HostWaits): void {
    this.#waits = waits;
  }

  /** The wake word the main thread rings after each chunk. */
  get wake(): SharedArrayBuffer | undefined {
    return this.#waits?.wake.buffer as SharedArrayBuffer | undefined;
  }

  /**
   * Fills `into` (the interpreter's stdin read).
   * @returns bytes read, 0 at end of input, or -EINTR when a KeyboardInterrupt became pending
   */
  read(into: Uint8Array): number {
    if (!this.#fill(false)) return -WASI_EINTR;
    const n = Math.min(into.length, this.#buffer.length);
    into.set(this.#buffer.subarray(0, n));
    this.#buffer = this.#buffer.subarray(n);
    this.#activity.took(n);
    return n;
  }

  /** The next keystroke for the REPL, or -1 at end of input. Not interruptible: the REPL is not running code. */
  readKey(): number {
    this.#fill(true);
    if (this.#buffer.length === 0) return -1;
    const key = this.#buffer[0]!;
    // Before the key counts as taken: a Ctrl-C typed from then on must interrupt the code it runs.
    if (ReplActivity.mayRunCode(key)) this.#activity.running();
    this.#buffer = this.#buffer.subarray(1);
    this.#activity.took(1);
    return key;
  }

  /** Turns the CRs of keystrokes typed ahead in raw mode into the LFs a cooked terminal would have given. */
  cookTypedAhead(): void {
    if (this.#buffer.includes(CR)) this.#buffer = Uint8Array.from(this.#buffer, (b) => (b === CR ? LF : b));
  }

  /** Waits until the buffer has bytes or input ended; false when interrupted first. */
  #fill(prompt: boolean): boolean {
    while (this.#buffer.length === 0 && !this.#ended) {
      const seen = this.#waits?.snapshot() ?? 0;
      const got = receiveMessageOnPort(this.#port);
      if (got !== undefined) {
        const message = got.message as StdinMessage;
        if (!('ttyMode' in message)) this.#take(message.data);
        continue;
      }
      if (!prompt && this.#waits?.pending()) return false;
      if (!this.#asked) {
        this.#asked = true;
        this.#ask(prompt);
      }
      this.#wait(seen);
    }
    return true;
  }

  #take(chunk: Uint8Array | null): void {
    this.#asked = false;
    if (chunk === null) this.#ended = true;
    else this.#buffer = this.#buffer.length === 0 ? chunk : Uint8Array.from([...this.#buffer, ...chunk]);
  }

  #wait(seen: number): void {
    if (this.#waits) this.#waits.waitFrom(seen, Infinity);
    else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}
