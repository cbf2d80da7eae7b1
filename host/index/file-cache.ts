/**
 * Small package files kept in memory by the server, keyed by file name and
 * valid only for the stamp (size, mtime, inode) they were read at. A
 * MicroPython package is a few kilobytes: answering from memory spares an
 * open, an fstat and a stream per request.
 */

/** Options of {@link FileCache}. */
export interface FileCacheOptions {
  /** Largest file kept, in bytes. Default 1 MiB. */
  maxFileBytes?: number;
  /** Total bytes kept; the oldest entries go first. Default 64 MiB. */
  maxTotalBytes?: number;
}

/** Bytes of served files, by name and stamp. */
export class FileCache {
  #entries = new Map<string, { stamp: string; bytes: Buffer }>();
  #total = 0;
  #maxFile: number;
  #maxTotal: number;

  constructor(options: FileCacheOptions = {}) {
    this.#maxFile = options.maxFileBytes ?? 1024 * 1024;
    this.#maxTotal = options.maxTotalBytes ?? 64 * 1024 * 1024;
  }

  /** Whether a file of this size would be kept. */
  fits(size: number): boolean {
    return size <= this.#maxFile && size <= this.#maxTotal;
  }

  /** The bytes of `filename` as read at `stamp`, if kept. */
  get(filename: string, stamp: string): Buffer | undefined {
    const e = this.#entries.get(filename);
    return e && e.stamp === stamp ? e.bytes : undefined;
  }

  /** Keeps the bytes of `filename` read at `stamp`, evicting the oldest entries past the budget. */
  put(filename: string, stamp: string, bytes: Buffer): void {
    if (!this.fits(bytes.length)) return;
    this.#drop(filename);
    this.#entries.set(filename, { stamp, bytes });
    this.#total += bytes.length;
    for (const name of this.#entries.keys()) {
      if (this.#total <= this.#maxTotal) break;
      this.#drop(name);
    }
  }

  #drop(filename: string): void {
    const e = this.#entries.get(filename);
    if (!e) return;
    this.#total -= e.bytes.length;
    this.#entries.delete(filename);
  }
}
