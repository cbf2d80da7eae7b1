/**
 * The files one mpy-cross run sees, served at the syscall level: the glue's
 * `open`/`read`/`write`/`seek`/`close` imports are wrapped so that the input
 * file, the output .mpy (written sequentially: mpy-cross never seeks back)
 * and stdout/stderr are plain buffers on the JS side. The wrappers are found
 * by the glue functions' names (`___syscall_open`, `_fd_read`, `_fd_write`,
 * `_fd_close`, `_fd_seek`), not by the minified import keys.
 * That is what lets one wasm instance compile file after file (the glue's own
 * FS is not exported, and its `Module.arguments` fix one input file per
 * instance).
 */
import { EM_ERRNO } from '../../base/errno.js';

const ENOENT = EM_ERRNO.ENOENT;
const EBADF = 8;
const O_ACCMODE = 3;
const FIRST_FD = 100;

interface OpenFile {
  readonly data: Uint8Array | undefined; // undefined: the output file
  pos: number;
}

type Syscall = (...args: number[]) => number;

/** Buffers of one run and the syscall wrappers that serve them. */
export class SyscallFiles {
  #memory: WebAssembly.Memory | undefined;
  #inputName = '';
  #input: Uint8Array = new Uint8Array(0);
  #fds = new Map<number, OpenFile>();
  #nextFd = FIRST_FD;
  #output: Uint8Array[] | undefined;
  #stdout: Uint8Array[] = [];
  #stderr: Uint8Array[] = [];

  /** Sets the instance memory once the wasm module is instantiated. */
  attach(memory: WebAssembly.Memory): void {
    this.#memory = memory;
  }

  /** Starts a run: `name` opened for reading gives `data`; everything else is reset. */
  reset(name: string, data: Uint8Array): void {
    this.#inputName = name;
    this.#input = data;
    this.#fds.clear();
    this.#nextFd = FIRST_FD;
    this.#output = undefined;
    this.#stdout = [];
    this.#stderr = [];
  }

  /** What the run wrote: the output file (undefined if never opened) and the two streams. */
  results(): { output: Uint8Array | undefined; stdout: string; stderr: string } {
    const join = (parts: Uint8Array[]): Uint8Array => {
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      return out;
    };
    const text = (parts: Uint8Array[]): string => new TextDecoder().decode(join(parts));
    return { output: this.#output && join(this.#output), stdout: text(this.#stdout), stderr: text(this.#stderr) };
  }

  #heap: Uint8Array = new Uint8Array(0);
  #dataView: DataView = new DataView(new ArrayBuffer(0));

  // mpy-cross reads its source 20 bytes at a time, so these run thousands of times per file: the views
  // are kept, and remade only when the buffer was detached (a grown memory; this build never grows).
  #bytes(): Uint8Array {
    if (this.#heap.byteLength === 0) {
      const buffer = this.#memory!.buffer;
      this.#heap = new Uint8Array(buffer);
      this.#dataView = new DataView(buffer);
    }
    return this.#heap;
  }

  #view(): DataView {
    this.#bytes();
    return this.#dataView;
  }

  #cString(ptr: number): string {
    const heap = this.#bytes();
    let end = ptr;
    while (heap[end] !== 0) end++;
    return new TextDecoder().decode(heap.subarray(ptr, end));
  }

  /** Replaces the five file syscalls among the glue's `imports` (keyed by minified names) with wrappers. */
  wrap(imports: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...imports };
    for (const [key, fn] of Object.entries(imports)) {
      if (typeof fn !== 'function') continue;
      const original = fn as Syscall;
      switch (fn.name) {
        case '___syscall_open':
          out[key] = (path: number, flags: number) => this.#open(path, flags);
          break;
        case '_fd_read':
          out[key] = (fd: number, iov: number, n: number, pnum: number) =>
            this.#fds.has(fd) ? this.#read(fd, iov, n, pnum) : original(fd, iov, n, pnum);
          break;
        case '_fd_write':
          out[key] = (fd: number, iov: number, n: number, pnum: number) =>
            this.#fds.has(fd) || fd === 1 || fd === 2 ? this.#write(fd, iov, n, pnum) : original(fd, iov, n, pnum);
          break;
        case '_fd_close':
          out[key] = (fd: number) => (this.#fds.delete(fd) ? 0 : original(fd));
          break;
        case '_fd_seek':
          out[key] = (fd: number, low: number, high: number, whence: number, newOffset: number) =>
            this.#fds.has(fd)
              ? this.#seek(fd, high * 2 ** 32 + (low >>> 0), whence, newOffset)
              : original(fd, low, high, whence, newOffset);
          break;
      }
    }
    return out;
  }

  #open(path: number, flags: number): number {
    const name = this.#cString(path);
    if ((flags & O_ACCMODE) !== 0) {
      this.#output = [];
      this.#fds.set(this.#nextFd, { data: undefined, pos: 0 });
      return this.#nextFd++;
    }
    if (name !== this.#inputName) return -ENOENT;
    this.#fds.set(this.#nextFd, { data: this.#input, pos: 0 });
    return this.#nextFd++;
  }

  #read(fd: number, iov: number, count: number, pnum: number): number {
    const file = this.#fds.get(fd)!;
    if (file.data === undefined) return EBADF;
    const heap = this.#bytes();
    let total = 0;
    const view = this.#view();
    for (let i = 0; i < count; i++) {
      const ptr = view.getUint32(iov + i * 8, true);
      const len = view.getUint32(iov + i * 8 + 4, true);
      const n = Math.min(len, file.data.length - file.pos);
      if (n <= 32) for (let k = 0; k < n; k++) heap[ptr + k] = file.data[file.pos + k]!;
      else heap.set(file.data.subarray(file.pos, file.pos + n), ptr);
      file.pos += n;
      total += n;
      if (n < len) break;
    }
    view.setInt32(pnum, total, true);
    return 0;
  }

  #write(fd: number, iov: number, count: number, pnum: number): number {
    const sink = fd === 1 ? this.#stdout : fd === 2 ? this.#stderr : this.#fds.get(fd)!.data === undefined ? this.#output! : undefined;
    if (sink === undefined) return EBADF;
    const heap = this.#bytes();
    let total = 0;
    const view = this.#view();
    for (let i = 0; i < count; i++) {
      const ptr = view.getUint32(iov + i * 8, true);
      const len = view.getUint32(iov + i * 8 + 4, true);
      if (len) sink.push(heap.slice(ptr, ptr + len));
      total += len;
    }
    view.setInt32(pnum, total, true);
    return 0;
  }

  #seek(fd: number, offset: number, whence: number, newOffset: number): number {
    const file = this.#fds.get(fd)!;
    const size = file.data?.length ?? this.#output!.reduce((n, p) => n + p.length, 0);
    const base = whence === 0 ? 0 : whence === 1 ? file.pos : size;
    file.pos = Math.max(0, base + offset);
    const view = this.#view();
    view.setUint32(newOffset, file.pos >>> 0, true);
    view.setUint32(newOffset + 4, Math.floor(file.pos / 2 ** 32), true);
    return 0;
  }
}
