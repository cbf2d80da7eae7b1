/**
 * The bytes received on one socket and not yet read by Python: a bounded
 * queue between a Node stream (the producer, paused when the queue is
 * full) and the interpreter's reads (one waiting read at a time).
 *
 * @module
 */
import { ERR, type NetError } from './errno.js';

/** Bytes queued before the producer is paused. */
export const HIGH_WATER_BYTES = 1024 * 1024;
/** Bytes left queued when a paused producer is resumed. */
export const LOW_WATER_BYTES = 256 * 1024;

/** What a read resolves to: bytes, 0 for end of stream, or the failure. */
export type ReadResult = Buffer | 0 | NetError;

/** Something that can be paused when the queue fills: a socket. */
export interface Producer {
  pause(): unknown;
  resume(): unknown;
}

/** The receive queue of one socket. */
export class Inbound {
  readonly #chunks: Buffer[] = [];
  #bytes = 0;
  #ended = false;
  #error: NetError | 0 = 0;
  #producer: Producer | undefined;
  #paused = false;
  #waiter: (() => void) | undefined;
  #cancel: (() => void) | undefined;
  readonly #onChange: (() => void) | undefined;

  /** @param onChange called whenever the queue becomes readable (for polls) */
  constructor(onChange?: () => void) {
    this.#onChange = onChange;
  }

  /** Bytes queued. */
  get size(): number {
    return this.#bytes;
  }

  /** True once end of stream or an error is queued behind the data. */
  get finished(): boolean {
    return this.#ended || this.#error !== 0;
  }

  /** Sets the stream to pause when the queue is full (replacing any earlier one). */
  attach(producer: Producer): void {
    this.#producer = producer;
    this.#paused = false;
  }

  /** Queues received bytes. */
  push(chunk: Buffer): void {
    if (this.finished || chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    if (this.#bytes >= HIGH_WATER_BYTES && this.#producer && !this.#paused) {
      this.#paused = true;
      this.#producer.pause();
    }
    this.#wake();
  }

  /** Marks end of stream (after the queued bytes). */
  end(): void {
    if (this.finished) return;
    this.#ended = true;
    this.#wake();
  }

  /** Queues a failure after the queued bytes. */
  fail(error: NetError): void {
    if (this.finished) return;
    this.#error = error;
    this.#wake();
  }

  /**
   * Reads up to `max` bytes: what is queued now, else waits for more.
   * @param timeoutMs 0: answer at once (-EAGAIN when nothing is queued);
   *   >0: -ETIMEDOUT after that long; <0: no limit
   */
  read(max: number, timeoutMs: number): Promise<ReadResult> | ReadResult {
    const now = this.#take(max);
    if (now !== undefined) return now;
    if (timeoutMs === 0) return ERR.EAGAIN;
    return new Promise<ReadResult>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = (result: ReadResult): void => {
        if (timer) clearTimeout(timer);
        this.#waiter = undefined;
        this.#cancel = undefined;
        resolve(result);
      };
      this.#waiter = () => {
        const got = this.#take(max);
        if (got !== undefined) settle(got);
      };
      this.#cancel = () => settle(ERR.EINTR);
      if (timeoutMs > 0) timer = setTimeout(() => settle(ERR.ETIMEDOUT), timeoutMs);
    });
  }

  /** Ends the waiting read, if any, with -EINTR (nothing is taken from the queue). */
  cancel(): void {
    this.#cancel?.();
  }

  /** Whether a read would answer at once. */
  get readable(): boolean {
    return this.#bytes > 0 || this.finished;
  }

  #take(max: number): ReadResult | undefined {
    if (this.#bytes === 0) {
      if (this.#error !== 0) return this.#error;
      if (this.#ended) return 0;
      return undefined;
    }
    const parts: Buffer[] = [];
    let n = 0;
    while (n < max && this.#chunks.length > 0) {
      const head = this.#chunks[0]!;
      const want = max - n;
      if (head.length <= want) {
        parts.push(head);
        n += head.length;
        this.#chunks.shift();
      } else {
        parts.push(head.subarray(0, want));
        this.#chunks[0] = head.subarray(want);
        n += want;
      }
    }
    this.#bytes -= n;
    if (this.#paused && this.#bytes <= LOW_WATER_BYTES) {
      this.#paused = false;
      this.#producer?.resume();
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, n);
  }

  #wake(): void {
    this.#waiter?.();
    this.#onChange?.();
  }
}
