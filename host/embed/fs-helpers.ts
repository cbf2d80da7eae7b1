/**
 * `mp.fs`: file helpers over an instance's filesystem (memory plus mounts),
 * run in its worker in order with the instance's other calls.
 *
 * @module
 */
import type { FsRequest } from './protocol.js';

/** What {@link MicroPythonFs.stat} tells about a path (symlinks followed). */
export interface MicroPythonStat {
  /** `'other'` for a device, FIFO or socket. */
  readonly type: 'file' | 'directory' | 'other';
  /** Bytes (of a file; for a directory whatever its filesystem says). */
  readonly size: number;
  /** `st_mode`: type and permission bits, as Python's `os.stat(path)[0]`. */
  readonly mode: number;
  /** Last access, in milliseconds since the epoch. */
  readonly atimeMs: number;
  /** Last change of the contents, in milliseconds since the epoch. */
  readonly mtimeMs: number;
  /** Last change of the metadata, in milliseconds since the epoch. */
  readonly ctimeMs: number;
}

/** Sends one fs request to the worker (the instance's queue). */
export type FsSender = (req: FsRequest) => Promise<unknown>;

/**
 * File helpers over the instance's filesystem. Paths are guest paths;
 * relative ones resolve against the instance's cwd. Calls run in the order
 * they are made, interleaved with `exec`/`eval`/... in that order, so a
 * `writeFile` made before an `exec` is done before the `exec` starts. A
 * failure rejects with `MicroPythonFsError` (`code` is the errno name, e.g.
 * `ENOENT`, `EROFS` on a read-only mount).
 */
export class MicroPythonFs {
  readonly #send: FsSender;

  /** @param send the instance's request function */
  constructor(send: FsSender) {
    this.#send = send;
  }

  /** A file's bytes, or its text when `encoding` is `'utf8'` (invalid sequences become U+FFFD). */
  readFile(path: string): Promise<Uint8Array>;
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  async readFile(path: string, encoding?: 'utf8'): Promise<Uint8Array | string> {
    const bytes = (await this.#send({ op: 'fs', action: 'readFile', path: checkPath(path) })) as Uint8Array;
    return encoding === 'utf8' ? new TextDecoder().decode(bytes) : bytes;
  }

  /** Creates or replaces a file; a string is written as UTF-8. The directory must exist. */
  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) throw new TypeError('writeFile: data must be a string or a Uint8Array');
    await this.#send({ op: 'fs', action: 'writeFile', path: checkPath(path), data });
  }

  /** Creates a directory; with `recursive`, its missing parents too and no error if it exists. Default: not recursive. */
  async mkdir(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    await this.#send({ op: 'fs', action: 'mkdir', path: checkPath(path), recursive: options.recursive === true });
  }

  /** The names in a directory, sorted, without `.` and `..`. */
  async readdir(path: string): Promise<string[]> {
    return (await this.#send({ op: 'fs', action: 'readdir', path: checkPath(path) })) as string[];
  }

  /**
   * Removes a file or link; a directory needs `recursive` (its contents go
   * too). With `force`, a missing path is not an error. Defaults: both false.
   */
  async rm(path: string, options: { recursive?: boolean; force?: boolean } = {}): Promise<void> {
    await this.#send({
      op: 'fs',
      action: 'rm',
      path: checkPath(path),
      recursive: options.recursive === true,
      force: options.force === true,
    });
  }

  /** Whether a path exists. */
  async exists(path: string): Promise<boolean> {
    return (await this.#send({ op: 'fs', action: 'exists', path: checkPath(path) })) as boolean;
  }

  /** Type, size, mode and times of a path (a symlink is followed); `ENOENT` when there is nothing there. */
  async stat(path: string): Promise<MicroPythonStat> {
    return (await this.#send({ op: 'fs', action: 'stat', path: checkPath(path) })) as MicroPythonStat;
  }

  /**
   * Renames or moves a file or directory, replacing a file at `to`, as
   * Python's `os.rename` does; `EXDEV` between two mounts, or between a
   * mount and memory.
   */
  async rename(from: string, to: string): Promise<void> {
    await this.#send({ op: 'fs', action: 'rename', path: checkPath(from), to: checkPath(to) });
  }
}

function checkPath(path: unknown): string {
  if (typeof path !== 'string' || path === '') throw new TypeError('mp.fs: path must be a non-empty string');
  return path;
}
