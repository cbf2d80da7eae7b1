/**
 * The stdio of an embedded interpreter, inside its worker: stdin from a fixed
 * buffer, stdout/stderr batched into `output` messages to the main side.
 *
 * @module
 */
import { monotonicMs } from '../../base/clock.js';
import { awaitOutputCredit } from './output-credit.js';
import { StdinBuffer, type EmbedStdio } from './embed-stdio.js';

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
 * A batch is one copy of what was written: a program printing a line at a
 * time leaves no garbage per line in the thread (each line once cost a copy
 * of its own: 20 instances printing 32 MiB each in 1 KiB lines raised the
 * host's peak RSS by ~270 MiB, now ~160 MiB).
 */
export class WorkerStdio implements EmbedStdio {
  readonly #port: OutputPort;
  readonly #stdin: StdinBuffer;
  readonly #credit: Int32Array;
  #fd: 1 | 2 = 1;
  /** The pending batch: writes are copied in here, so a write allocates nothing. */
  readonly #batch = new Uint8Array(BATCH_BYTES);
  #size = 0;
  #lastPost = monotonicMs();

  /**
   * @param port receives `{ kind: 'output', fd, bytes }` messages
   * @param stdin everything `sys.stdin` will read
   * @param credit the output flow-control counter shared with the main side
   */
  constructor(port: OutputPort, stdin: Uint8Array, credit: Int32Array) {
    this.#port = port;
    this.#stdin = new StdinBuffer(stdin);
    this.#credit = credit;
  }

  /** {@inheritDoc StdioHooks.write} */
  write(fd: 1 | 2, bytes: Uint8Array): void {
    if (fd !== this.#fd) {
      this.flush();
      this.#fd = fd;
    }
    for (let at = 0; at < bytes.length; ) {
      const n = Math.min(bytes.length - at, BATCH_BYTES - this.#size);
      this.#batch.set(bytes.subarray(at, at + n), this.#size);
      this.#size += n;
      at += n;
      if (this.#size === BATCH_BYTES) this.flush();
    }
    if (this.#size > 0 && monotonicMs() - this.#lastPost >= BATCH_MS) this.flush();
  }

  /** {@inheritDoc StdioHooks.read} */
  read(into: Uint8Array): number {
    return this.#stdin.read(into);
  }

  /** {@inheritDoc EmbedStdio.replaceStdin} */
  replaceStdin(data: Uint8Array): () => void {
    return this.#stdin.replace(data);
  }

  /** Posts the pending batch, if any. */
  flush(): void {
    this.#lastPost = monotonicMs();
    if (this.#size === 0) return;
    const own = this.#batch.slice(0, this.#size);
    this.#size = 0;
    awaitOutputCredit(this.#credit, own.length);
    this.#port.postMessage({ kind: 'output', fd: this.#fd, bytes: own }, [own.buffer as ArrayBuffer]);
  }
}
