/**
 * The stdio of an embedded interpreter, inside its worker: stdin from a fixed
 * buffer, stdout/stderr batched into `output` messages to the main side.
 *
 * @module
 */
import type { SessionStdio } from '../../runtime/session.js';
import { awaitOutputCredit } from './output-credit.js';

/** Where output messages go (the worker's `parentPort`). */
export interface OutputPort {
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void;
}

/** Post at once when the batch is this large. */
const BATCH_BYTES = 64 * 1024;
/** Post at once when the last post is this old, so slow output streams out promptly. */
const BATCH_MS = 10;

/**
 * Batches writes per stream: a batch is posted when the other stream is
 * written, when it reaches 64 KiB, when 10 ms passed since the last post,
 * and at every {@link WorkerStdio.flush} (before each reply and each sleep).
 */
export class WorkerStdio implements SessionStdio {
  readonly #port: OutputPort;
  #stdin: Uint8Array;
  readonly #credit: Int32Array;
  #stdinAt = 0;
  #fd: 1 | 2 = 1;
  #chunks: Uint8Array[] = [];
  #size = 0;
  #lastPost = performance.now();

  /**
   * @param port receives `{ kind: 'output', fd, bytes }` messages
   * @param stdin everything `sys.stdin` will read
   * @param credit the output flow-control counter shared with the main side
   */
  constructor(port: OutputPort, stdin: Uint8Array, credit: Int32Array) {
    this.#port = port;
    this.#stdin = stdin;
    this.#credit = credit;
  }

  /** {@inheritDoc StdioHooks.write} */
  write(fd: 1 | 2, bytes: Uint8Array): void {
    if (fd !== this.#fd) {
      this.flush();
      this.#fd = fd;
    }
    this.#chunks.push(bytes.slice());
    this.#size += bytes.length;
    if (this.#size >= BATCH_BYTES || performance.now() - this.#lastPost >= BATCH_MS) this.flush();
  }

  /** {@inheritDoc StdioHooks.read} */
  read(into: Uint8Array): number {
    const n = Math.min(into.length, this.#stdin.length - this.#stdinAt);
    into.set(this.#stdin.subarray(this.#stdinAt, this.#stdinAt + n));
    this.#stdinAt += n;
    return n;
  }

  /**
   * Makes `data` what `sys.stdin` reads from now on (then end of file).
   * @returns a function that gives back the previous input, where reading had got to
   */
  replaceStdin(data: Uint8Array): () => void {
    const [stdin, at] = [this.#stdin, this.#stdinAt];
    this.#stdin = data;
    this.#stdinAt = 0;
    return () => {
      this.#stdin = stdin;
      this.#stdinAt = at;
    };
  }

  /** Posts the pending batch, if any. */
  flush(): void {
    this.#lastPost = performance.now();
    if (this.#size === 0) return;
    let own = this.#chunks[0]!;
    if (this.#chunks.length > 1) {
      own = new Uint8Array(this.#size);
      let at = 0;
      for (const chunk of this.#chunks) {
        own.set(chunk, at);
        at += chunk.length;
      }
    }
    this.#chunks = [];
    this.#size = 0;
    awaitOutputCredit(this.#credit, own.length);
    this.#port.postMessage({ kind: 'output', fd: this.#fd, bytes: own }, [own.buffer as ArrayBuffer]);
  }
}
