/**
 * The stdio of an embedded interpreter, whichever thread it runs in: what the
 * request handling (embedded-vm.ts) needs beyond a session's stdio, and the
 * stdin both kinds share.
 *
 * @module
 */
import type { SessionStdio } from '../../runtime/session.js';

/** A session's stdio whose input can be replaced between requests (`setStdin`, `runFile`'s own stdin). */
export interface EmbedStdio extends SessionStdio {
  /**
   * Makes `data` what `sys.stdin` reads from now on (then end of file).
   * @returns a function that gives back the previous input, where reading had got to
   */
  replaceStdin(data: Uint8Array): () => void;
}

/** `sys.stdin` of an instance: a fixed buffer, then end of file. */
export class StdinBuffer {
  #data: Uint8Array;
  #at = 0;

  /** @param data everything `sys.stdin` will read */
  constructor(data: Uint8Array) {
    this.#data = data;
  }

  /** Copies the next bytes into `into`; returns how many (0 at end of file). */
  read(into: Uint8Array): number {
    const n = Math.min(into.length, this.#data.length - this.#at);
    into.set(this.#data.subarray(this.#at, this.#at + n));
    this.#at += n;
    return n;
  }

  /** See {@link EmbedStdio.replaceStdin}. */
  replace(data: Uint8Array): () => void {
    const [previous, at] = [this.#data, this.#at];
    this.#data = data;
    this.#at = 0;
    return () => {
      this.#data = previous;
      this.#at = at;
    };
  }
}
