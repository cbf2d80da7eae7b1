import { readSync } from 'node:fs';
import { writeFully } from './fd-write.js';
import type { StdioHooks } from '../wasm/instantiate.js';

const OUT_BUFFER_BYTES = 64 * 1024;
const IN_BUFFER_BYTES = 64 * 1024;
const RETRY_WAIT_MS = 2;
const SMALL_WRITE_BYTES = 32;

/** Options of {@link ProcessStdio}. */
export interface ProcessStdioOptions {
  /** Flush stdout at every newline (true when stdout is a terminal). Default: false. */
  readonly lineBuffered?: boolean;
  /**
   * Where stdin bytes come from instead of reading fd 0 here: fills `into`,
   * returns the count, 0 at end of input, or a negative WASI errno (the read
   * was interrupted; nothing is lost). Default: fd 0, read synchronously.
   */
  readonly source?: (into: Uint8Array) => number;
}

/** Called around a blocking read of stdin, e.g. to leave a terminal's raw mode. */
export interface ReadHooks {
  /** Runs before reading; may return input already taken from stdin by someone else, to be read first. */
  before(): Uint8Array | undefined;
  after(): void;
}

/**
 * The interpreter's stdio on the process's own file descriptors, written and
 * read synchronously (the interpreter is synchronous). Stdout is buffered, as
 * C stdio does: by line on a terminal, by block otherwise, and always flushed
 * before stderr output, before reading stdin, before blocking and at exit, so
 * the order a reader sees is the order the program wrote. A closed stdout
 * (EPIPE) discards further output silently, as the Unix port does.
 */
export class ProcessStdio implements StdioHooks {
  readonly #out = Buffer.allocUnsafe(OUT_BUFFER_BYTES);
  #outLength = 0;
  readonly #lineBuffered: boolean;
  readonly #in = Buffer.allocUnsafe(IN_BUFFER_BYTES);
  #inStart = 0;
  #inEnd = 0;
  #inEof = false;
  readonly #closed = new Set<number>();
  readonly #waiter = new Int32Array(new SharedArrayBuffer(4));
  #aroundRead: ReadHooks | undefined;
  readonly #source: ((into: Uint8Array) => number) | undefined;

  /** @param options see {@link ProcessStdioOptions} */
  constructor(options: ProcessStdioOptions = {}) {
    this.#lineBuffered = options.lineBuffered ?? false;
    this.#source = options.source;
  }

  /** {@inheritDoc StdioHooks.write} */
  write(fd: 1 | 2, bytes: Uint8Array): void {
    this.writeRange(fd, bytes, 0, bytes.length);
  }

  /** {@inheritDoc StdioHooks.writeRange} */
  writeRange(fd: 1 | 2, heap: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (fd === 2) {
      this.flush();
      this.#writeAll(2, heap.subarray(start, end));
      return;
    }
    if (length > OUT_BUFFER_BYTES - this.#outLength) {
      this.flush();
      if (length >= OUT_BUFFER_BYTES) {
        this.#writeAll(1, heap.subarray(start, end));
        return;
      }
    }
    const out = this.#out;
    let at = this.#outLength;
    let newline = false;
    if (length <= SMALL_WRITE_BYTES) {
      // A byte loop beats making a view to copy from, for the short pieces print writes.
      for (let i = start; i < end; i++) {
        const byte = heap[i]!;
        out[at++] = byte;
        if (byte === 10) newline = true;
      }
    } else {
      out.set(heap.subarray(start, end), at);
      at += length;
      newline = this.#lineBuffered && out.subarray(at - length, at).includes(10);
    }
    this.#outLength = at;
    if (this.#lineBuffered && newline) this.flush();
  }

  /** {@inheritDoc StdioHooks.read} (a negative WASI errno when the source was interrupted) */
  read(into: Uint8Array): number {
    if (this.#inStart === this.#inEnd) {
      if (this.#inEof) return 0;
      this.#inStart = 0;
      // Before the prompt shows: a terminal must be in the reading mode before anyone types.
      const taken = this.#aroundRead?.before();
      this.flush();
      try {
        if (taken !== undefined && taken.length > 0) {
          this.#inEnd = Math.min(taken.length, IN_BUFFER_BYTES);
          this.#in.set(taken.subarray(0, this.#inEnd));
        } else {
          this.#inEnd = this.#source ? this.#source(this.#in) : this.#readSome();
        }
      } finally {
        this.#aroundRead?.after();
      }
      if (this.#inEnd < 0) {
        const error = this.#inEnd;
        this.#inEnd = 0;
        return error;
      }
      if (this.#inEnd === 0) {
        this.#inEof = true;
        return 0;
      }
    }
    const n = Math.min(into.length, this.#inEnd - this.#inStart);
    into.set(this.#in.subarray(this.#inStart, this.#inStart + n));
    this.#inStart += n;
    return n;
  }

  /** Sets (or clears) the hooks run around each blocking read of stdin. */
  setReadHooks(hooks: ReadHooks | undefined): void {
    this.#aroundRead = hooks;
  }

  /** Writes out buffered stdout. */
  flush(): void {
    if (this.#outLength === 0) return;
    const length = this.#outLength;
    this.#outLength = 0;
    this.#writeAll(1, this.#out.subarray(0, length));
  }

  #readSome(): number {
    for (;;) {
      try {
        return readSync(0, this.#in, 0, IN_BUFFER_BYTES, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          Atomics.wait(this.#waiter, 0, 0, RETRY_WAIT_MS);
          continue;
        }
        if (code === 'EOF') return 0;
        return 0;
      }
    }
  }

  #writeAll(fd: number, bytes: Uint8Array): void {
    if (this.#closed.has(fd)) return;
    // EPIPE and friends: the reader is gone; drop output like the Unix port.
    if (!writeFully(fd, bytes)) this.#closed.add(fd);
  }
}
