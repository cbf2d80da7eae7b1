/**
 * Output kept for one stream under a byte bound: everything while it fits,
 * then the first and the last half of the bound with a note saying how much
 * was cut between them. Memory and the decoded text stay bounded whatever
 * Python writes.
 *
 * @module
 */

/** Bytes collected for one stream, at most `limit` of them. */
export class BoundedBytes {
  readonly #limit: number;
  readonly #headLimit: number;
  readonly #tailLimit: number;
  #head: Uint8Array[] = [];
  #headSize = 0;
  #tail: Uint8Array[] = [];
  #tailSize = 0;
  #total = 0;
  #text: string | undefined = '';

  /** @param limit bytes kept at most (split evenly between head and tail once exceeded) */
  constructor(limit: number) {
    this.#limit = limit;
    this.#headLimit = Math.floor(limit / 2);
    this.#tailLimit = limit - this.#headLimit;
  }

  /** Bytes written since creation or {@link clear}, kept or not. */
  get total(): number {
    return this.#total;
  }

  /** Bytes written but not kept. */
  get cut(): number {
    return this.#total - this.#headSize - this.#tailSize;
  }

  /** Adds what was written. The caller must not change `bytes` afterwards. */
  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#total += bytes.length;
    this.#text = undefined;
    if (this.#headSize < this.#headLimit) {
      const take = Math.min(bytes.length, this.#headLimit - this.#headSize);
      this.#head.push(bytes.subarray(0, take));
      this.#headSize += take;
      bytes = bytes.subarray(take);
      if (bytes.length === 0) return;
    }
    this.#tail.push(bytes);
    this.#tailSize += bytes.length;
    while (this.#tailSize - this.#tail[0]!.length >= this.#tailLimit) this.#tailSize -= this.#tail.shift()!.length;
    if (this.#tailSize > this.#tailLimit) {
      // Copy, so the dropped front of a large chunk does not stay referenced.
      this.#tail[0] = this.#tail[0]!.slice(this.#tailSize - this.#tailLimit);
      this.#tailSize = this.#tailLimit;
    }
  }

  /**
   * The kept bytes as UTF-8 text (invalid sequences become U+FFFD). When
   * bytes were cut, a line `[mpy: N bytes of output cut here ...]` stands
   * between head and tail.
   */
  text(): string {
    if (this.#text !== undefined) return this.#text;
    const cut = this.cut;
    if (cut === 0) {
      this.#text = decode([...this.#head, ...this.#tail]);
    } else {
      const note = `\n[mpy: ${cut} bytes of output cut here; outputLimit (${this.#limit} bytes) keeps the first ${this.#headLimit} and the last ${this.#tailLimit}]\n`;
      this.#text = decode(this.#head) + note + decode(this.#tail);
    }
    return this.#text;
  }

  /** Forgets everything. */
  clear(): void {
    this.#head = [];
    this.#tail = [];
    this.#headSize = 0;
    this.#tailSize = 0;
    this.#total = 0;
    this.#text = '';
  }
}

function decode(chunks: Uint8Array[]): string {
  return new TextDecoder().decode(Buffer.concat(chunks));
}
