/**
 * The files one mpy-cross run sees, served at the syscall level: this host's
 * own `open`/`read`/`write`/`seek`/`close` imports (named as in the glue:
 * `___syscall_open`, `_fd_read`, `_fd_write`, `_fd_close`, `_fd_seek`) give
 * the input file, the output .mpy (written sequentially: mpy-cross never
 * seeks back) and stdout/stderr as plain buffers on the JS side. That is what
 * lets one wasm instance compile file after file.
 *
 * mpy-cross reads its source 20 bytes at a time and writes the .mpy a few
 * bytes at a time, so these run thousands of times per file: they work on
 * typed-array views made once per instance (its memory never grows) and
 * append the output to one growing buffer. The optimised wasm serves the
 * reads of the source itself when the source was placed in its memory
 * ({@link InputGlobals}, `wasm/build/mpy-cross-input.ts`): opening it then
 * hands the wasm the fd and the bytes' place.
 */
import { EM_ERRNO } from '../../base/errno.js';

const ENOENT = EM_ERRNO.ENOENT;
const EBADF = EM_ERRNO.EBADF;
const O_ACCMODE = 3;
const FIRST_FD = 100;
const STDOUT = 1;
const STDERR = 2;

/** A byte sink that grows by doubling. */
class ByteSink {
  #bytes = new Uint8Array(0);
  length = 0;

  /** Appends `n` bytes of `heap` from `ptr`. */
  append(heap: Uint8Array, ptr: number, n: number): void {
    const end = this.length + n;
    if (end > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(end, this.#bytes.length * 2, 4096));
      grown.set(this.#bytes.subarray(0, this.length));
      this.#bytes = grown;
    }
    if (n <= 16) for (let k = 0; k < n; k++) this.#bytes[this.length + k] = heap[ptr + k]!;
    else this.#bytes.set(heap.subarray(ptr, ptr + n), this.length);
    this.length = end;
  }

  /** A copy of what was appended. */
  take(): Uint8Array {
    return this.#bytes.slice(0, this.length);
  }
}

/** The syscalls, as imports named like the glue's functions. */
export type SyscallImports = Readonly<
  Record<'___syscall_open' | '_fd_read' | '_fd_write' | '_fd_close' | '_fd_seek', (...args: number[]) => number>
>;

/** The export names of the optimised wasm's input globals (see {@link InputGlobals}). */
export const INPUT_GLOBAL_EXPORTS = { fd: 'mpy_input_fd', pos: 'mpy_input_pos', end: 'mpy_input_end' } as const;

/** The optimised wasm's globals through which it serves the reads of one fd from its own memory. */
export interface InputGlobals {
  /** The fd the wasm serves, or -1. */
  readonly fd: WebAssembly.Global;
  /** Address of the next byte. */
  readonly pos: WebAssembly.Global;
  /** Address after the last byte. */
  readonly end: WebAssembly.Global;
}

/** Buffers of one run and the syscalls that serve them. */
export class SyscallFiles {
  #heap = new Uint8Array(0);
  #u32 = new Uint32Array(0);
  #inputName = '';
  #input: Uint8Array = new Uint8Array(0);
  /** Open fds: the input's read position, or -1 for the output file. */
  #fds = new Map<number, number>();
  #nextFd = FIRST_FD;
  #output: ByteSink | undefined;
  #stdout = new ByteSink();
  #stderr = new ByteSink();
  #wasmInput: InputGlobals | undefined;
  /** Where the run's input is in the instance's memory, when the wasm serves its reads. */
  #inputAddress: number | undefined;

  /**
   * Sets the instance memory once the wasm module is instantiated (it never grows).
   * @param input the wasm's input globals, when it serves the source's reads itself
   */
  attach(memory: WebAssembly.Memory, input?: InputGlobals): void {
    this.#heap = new Uint8Array(memory.buffer);
    this.#u32 = new Uint32Array(memory.buffer);
    this.#wasmInput = input;
  }

  /** Whether the wasm can serve the source's reads ({@link reset} with an address). */
  get servesInputInWasm(): boolean {
    return this.#wasmInput !== undefined;
  }

  /**
   * Starts a run: `name` opened for reading gives `data`; everything else is reset.
   * @param address where `data` was copied into the instance's memory, for the wasm to serve its reads. Default: served here
   */
  reset(name: string, data: Uint8Array, address?: number): void {
    this.#inputName = name;
    this.#input = data;
    this.#inputAddress = this.#wasmInput ? address : undefined;
    if (this.#wasmInput) this.#wasmInput.fd.value = -1;
    this.#fds.clear();
    this.#nextFd = FIRST_FD;
    this.#output = undefined;
    this.#stdout = new ByteSink();
    this.#stderr = new ByteSink();
  }

  /** What the run wrote: the output file (undefined if never opened) and the two streams. */
  results(): { output: Uint8Array | undefined; stdout: string; stderr: string } {
    const text = (sink: ByteSink): string => (sink.length ? new TextDecoder().decode(sink.take()) : '');
    return { output: this.#output?.take(), stdout: text(this.#stdout), stderr: text(this.#stderr) };
  }

  /** The five file syscalls. */
  imports(): SyscallImports {
    return {
      ___syscall_open: (path, flags) => this.#open(path!, flags!),
      _fd_read: (fd, iov, n, pnum) => this.#read(fd!, iov!, n!, pnum!),
      _fd_write: (fd, iov, n, pnum) => this.#write(fd!, iov!, n!, pnum!),
      _fd_close: (fd) => this.#close(fd!),
      _fd_seek: (fd, low, high, whence, newOffset) => this.#seek(fd!, high! * 2 ** 32 + (low! >>> 0), whence!, newOffset!),
    };
  }

  #cString(ptr: number): string {
    const heap = this.#heap;
    let end = ptr;
    while (heap[end] !== 0) end++;
    return new TextDecoder().decode(heap.subarray(ptr, end));
  }

  #open(path: number, flags: number): number {
    if ((flags & O_ACCMODE) !== 0) {
      this.#output = new ByteSink();
      this.#fds.set(this.#nextFd, -1);
      return this.#nextFd++;
    }
    if (this.#cString(path) !== this.#inputName) return -ENOENT;
    this.#fds.set(this.#nextFd, 0);
    const w = this.#wasmInput;
    if (w && this.#inputAddress !== undefined) {
      w.fd.value = this.#nextFd;
      w.pos.value = this.#inputAddress;
      w.end.value = this.#inputAddress + this.#input.length;
    }
    return this.#nextFd++;
  }

  #close(fd: number): number {
    if (this.#wasmInput?.fd.value === fd) this.#wasmInput.fd.value = -1;
    return this.#fds.delete(fd) ? 0 : EBADF;
  }

  /** The input's read position of `fd` when the wasm serves it, else undefined. */
  #wasmPosition(fd: number): number | undefined {
    const w = this.#wasmInput;
    return w && this.#inputAddress !== undefined && w.fd.value === fd ? (w.pos.value as number) - this.#inputAddress : undefined;
  }

  #read(fd: number, iov: number, count: number, pnum: number): number {
    let pos = this.#fds.get(fd);
    if (pos === undefined || pos < 0) return EBADF;
    const heap = this.#heap;
    const u32 = this.#u32;
    const data = this.#input;
    let total = 0;
    for (let i = 0; i < count; i++) {
      const ptr = u32[(iov >>> 2) + i * 2]!;
      const len = u32[(iov >>> 2) + i * 2 + 1]!;
      const n = Math.min(len, data.length - pos);
      if (n <= 32) for (let k = 0; k < n; k++) heap[ptr + k] = data[pos + k]!;
      else heap.set(data.subarray(pos, pos + n), ptr);
      pos += n;
      total += n;
      if (n < len) break;
    }
    this.#fds.set(fd, pos);
    u32[pnum >>> 2] = total;
    return 0;
  }

  #write(fd: number, iov: number, count: number, pnum: number): number {
    const sink = fd === STDOUT ? this.#stdout : fd === STDERR ? this.#stderr : this.#fds.get(fd) === -1 ? this.#output : undefined;
    if (sink === undefined) return EBADF;
    const heap = this.#heap;
    const u32 = this.#u32;
    let total = 0;
    for (let i = 0; i < count; i++) {
      const ptr = u32[(iov >>> 2) + i * 2]!;
      const len = u32[(iov >>> 2) + i * 2 + 1]!;
      if (len) sink.append(heap, ptr, len);
      total += len;
    }
    u32[pnum >>> 2] = total;
    return 0;
  }

  #seek(fd: number, offset: number, whence: number, newOffset: number): number {
    const inWasm = this.#wasmPosition(fd);
    const pos = inWasm ?? this.#fds.get(fd);
    if (pos === undefined) return EBADF;
    const size = pos < 0 ? this.#output!.length : this.#input.length;
    const current = pos < 0 ? size : pos;
    const base = whence === 0 ? 0 : whence === 1 ? current : size;
    const next = Math.max(0, base + offset);
    // The output is append-only: a seek there only reports the position.
    if (inWasm !== undefined) this.#wasmInput!.pos.value = this.#inputAddress! + Math.min(next, size);
    else if (pos >= 0) this.#fds.set(fd, next);
    this.#u32[newOffset >>> 2] = next >>> 0;
    this.#u32[(newOffset >>> 2) + 1] = Math.floor(next / 2 ** 32);
    return 0;
  }
}
