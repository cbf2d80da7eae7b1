/**
 * The main thread's side of the interpreter's stdin (see stdin-channel.ts):
 * reads `process.stdin` when the worker asks, and passes each chunk on.
 * Once the REPL asks for a keystroke it reads all the time instead, so that
 * a Ctrl-C typed while a statement runs (the terminal is raw: no SIGINT) is
 * seen at once and becomes a KeyboardInterrupt rather than a queued key.
 * Which of the two a Ctrl-C is, the REPL's shared activity says (see
 * repl-activity.ts), not whether the REPL has asked for a key yet: it asks
 * only after its prompt is on the terminal.
 *
 * @module
 */
import type { MessagePort } from 'node:worker_threads';
import { ringWake } from '../../runtime/interrupt.js';
import type { StdinMessage } from './program-protocol.js';
import type { ReplActivity } from './repl-activity.js';

const CTRL_C = 3;

/** Forwards stdin to the worker on request. */
export class StdinPump {
  readonly #port: MessagePort;
  readonly #onCtrlC: () => void;
  readonly #repl: ReplActivity;
  #wake: Int32Array | undefined;
  /** What the worker waits for: nothing, a keystroke at the REPL prompt, or input for running code. */
  #wanted: 'none' | 'key' | 'input' = 'none';
  readonly #queued: Buffer[] = [];
  #started = false;
  #flowing = false;
  #ended = false;

  /**
   * @param port where chunks go
   * @param onCtrlC a Ctrl-C keystroke arrived while REPL code runs
   * @param repl the REPL's activity word
   */
  constructor(port: MessagePort, onCtrlC: () => void, repl: ReplActivity) {
    this.#port = port;
    this.#onCtrlC = onCtrlC;
    this.#repl = repl;
  }

  /** The word to ring after each chunk (the interpreter's wake word). */
  setWake(wake: SharedArrayBuffer): void {
    this.#wake = new Int32Array(wake);
  }

  /**
   * A Ctrl-C that is no keystroke (SIGINT): at the REPL's prompt it is one
   * (it abandons the line), else it interrupts the running code.
   */
  ctrlC(): void {
    if (this.#flowing) this.#onData(Buffer.of(CTRL_C));
    else this.#onCtrlC();
  }

  /** The worker asks for input; `key`: the REPL wants a keystroke. */
  request(key: boolean): void {
    this.#wanted = key ? 'key' : 'input';
    if (key) this.#flowing = true;
    if (this.#queued.length > 0) {
      this.#deliver(Buffer.concat(this.#queued.splice(0)));
      return;
    }
    if (this.#ended) {
      this.#deliver(null);
      return;
    }
    this.#start();
    process.stdin.resume();
  }

  #start(): void {
    if (this.#started) return;
    this.#started = true;
    process.stdin.on('data', (chunk: Buffer) => this.#onData(chunk));
    process.stdin.on('end', () => {
      this.#ended = true;
      if (this.#wanted !== 'none') this.#deliver(null);
    });
    // A closed or unreadable stdin is end of input.
    process.stdin.on('error', () => {
      this.#ended = true;
      if (this.#wanted !== 'none') this.#deliver(null);
    });
  }

  #onData(chunk: Buffer): void {
    if (this.#flowing && chunk.includes(CTRL_C)) {
      chunk = this.#takeInterrupts(chunk);
      if (chunk.length === 0) return;
    } else this.#repl.sent(chunk, this.#flowing);
    if (this.#wanted !== 'none') this.#deliver(chunk);
    else {
      this.#queued.push(chunk);
      if (!this.#flowing) process.stdin.pause();
    }
  }

  /**
   * Takes out of `chunk` each Ctrl-C that interrupts running code (each
   * counts: a second one while the first is not taken ends the process); one
   * typed at the prompt stays in its place among the keys. The keys before a
   * Ctrl-C count as passed on before it is looked at: an Enter just before it
   * makes it an interrupt of the statement that Enter runs.
   * @returns the bytes to pass on, all told to the REPL's activity
   */
  #takeInterrupts(chunk: Buffer): Buffer {
    const kept: number[] = [];
    let from = 0;
    for (let at = chunk.indexOf(CTRL_C); at >= 0; at = chunk.indexOf(CTRL_C, from)) {
      const before = chunk.subarray(from, at);
      this.#repl.sent(before, true);
      for (const byte of before) kept.push(byte);
      from = at + 1;
      if (this.#repl.interruptIfRunning(this.#onCtrlC)) continue;
      this.#repl.sent(chunk.subarray(at, from), true);
      kept.push(CTRL_C);
    }
    const rest = chunk.subarray(from);
    this.#repl.sent(rest, true);
    for (const byte of rest) kept.push(byte);
    return Buffer.from(kept);
  }

  #deliver(data: Buffer | null): void {
    this.#wanted = 'none';
    if (!this.#flowing) process.stdin.pause();
    this.#send({ data: data === null ? null : new Uint8Array(data) });
  }

  /** Tells the worker the terminal is now in the mode it asked for. */
  ttyModeSet(raw: boolean): void {
    this.#send({ ttyMode: raw ? 'raw' : 'cooked' });
  }

  #send(message: StdinMessage): void {
    this.#port.postMessage(message);
    if (this.#wake) ringWake(this.#wake);
  }
}
