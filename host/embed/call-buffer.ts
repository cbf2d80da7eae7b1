/**
 * The shared memory an instance's requests and replies cross in (see
 * channel.ts and worker.ts): two counters and one frame of UTF-8 text.
 * The main side writes a request frame and bumps {@link REQUEST}; the worker,
 * waiting on it in `Atomics.wait`, reads it, does the request, writes the
 * reply frame and sets {@link REPLY} to the same count; the main side waits
 * for that in `Atomics.waitAsync`. One request is in flight at a time, so
 * the two frames share one area. A frame that does not fit, or that carries
 * bytes, goes on the instance's message port instead ({@link ON_PORT}).
 *
 * @module
 */

/** Word: requests sent so far (the worker waits on it). */
export const REQUEST = 0;
/** Word: the count of the request last answered (the main side waits on it). */
export const REPLY = 1;
/** Word: the byte length of the frame in the area, or {@link ON_PORT}. */
const LENGTH = 2;
/** {@link LENGTH} of a frame sent as a message on the port. */
const ON_PORT = -1;
const HEADER_BYTES = 16;
/** Frames larger than this go on the port. */
const AREA_BYTES = 64 * 1024;

/** One instance's call buffer, as each side sees it. */
export class CallBuffer {
  /** The counters ({@link REQUEST}, {@link REPLY}, the frame length). */
  readonly words: Int32Array;
  readonly #area: Uint8Array;
  readonly #encoder = new TextEncoder();

  /** @param shared the buffer, made by {@link CallBuffer.allocate} on the main side */
  constructor(readonly shared: SharedArrayBuffer) {
    this.words = new Int32Array(shared, 0, HEADER_BYTES / 4);
    this.#area = new Uint8Array(shared, HEADER_BYTES);
  }

  /** A new buffer (main side; post `shared` to the worker). */
  static allocate(): CallBuffer {
    return new CallBuffer(new SharedArrayBuffer(HEADER_BYTES + AREA_BYTES));
  }

  /**
   * Writes `text` as the frame when it fits.
   * @returns false (and marks the frame as on the port) when it does not
   */
  write(text: string): boolean {
    if (text.length <= AREA_BYTES) {
      const { read, written } = this.#encoder.encodeInto(text, this.#area);
      if (read === text.length) {
        Atomics.store(this.words, LENGTH, written);
        return true;
      }
    }
    Atomics.store(this.words, LENGTH, ON_PORT);
    return false;
  }

  /** Marks the frame as sent on the port. */
  writeOnPort(): void {
    Atomics.store(this.words, LENGTH, ON_PORT);
  }

  /** The frame's text, or `undefined` when it was sent on the port. */
  read(): string | undefined {
    const length = Atomics.load(this.words, LENGTH);
    if (length === ON_PORT) return undefined;
    return Buffer.from(this.shared, HEADER_BYTES, length).toString('utf8');
  }
}

/** What `Atomics.waitAsync` returns (Node 20 has it; the ES2023 lib does not declare it). */
type AsyncWait =
  | { readonly async: false; readonly value: 'not-equal' | 'timed-out' }
  | { readonly async: true; readonly value: Promise<'ok' | 'timed-out'> };

/** `Atomics.waitAsync(words, index, value)`: waits for the word to move on from `value` without blocking the thread. */
export function waitAsync(words: Int32Array, index: number, value: number): AsyncWait {
  return (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): AsyncWait }).waitAsync(words, index, value);
}

/**
 * Polls `words[index]` while it still holds `value`, for up to `budgetUs`
 * microseconds: a thread that expects the other side's signal within a few
 * microseconds sees it at once, where `Atomics.wait` / `waitAsync` would pay
 * for going to sleep and being woken (~15 µs each on this 2-core machine).
 * @returns whether the word moved on within the budget
 */
export function pollWhile(words: Int32Array, index: number, value: number, budgetUs: number): boolean {
  const deadline = process.hrtime.bigint() + BigInt(budgetUs * 1000);
  for (let i = 1; ; i++) {
    if (Atomics.load(words, index) !== value) return true;
    if ((i & 63) === 0 && process.hrtime.bigint() >= deadline) return false;
  }
}
