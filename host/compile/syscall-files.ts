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
 * reads of the source and the writes of the .mpy itself when the caller set
 * regions of its memory aside ({@link WasmFileGlobals},
 * `wasm/build/mpy-cross-io.ts`): opening the file then hands the wasm the fd
 * and the region; the .mpy is the region's bytes followed by whatever the
 * wasm gave back to the host once the region was full.
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

/** The export names of the optimised wasm's globals for reading the source (see {@link WasmFileGlobals}). */
export const INPUT_GLOBAL_EXPORTS = { fd: 'mpy_input_fd', pos: 'mpy_input_pos', end: 'mpy_input_end' } as const;

/** The export names of the optimised wasm's globals for writing the .mpy (see {@link WasmFileGlobals}). */
export const OUTPUT_GLOBAL_EXPORTS = { fd: 'mpy_output_fd', pos: 'mpy_output_pos', end: 'mpy_output_end' } as const;

/** The optimised wasm's globals through which it serves one fd from a region of its own memory. */
export interface WasmFileGlobals {
  /** The fd the wasm serves, or -1. */
  readonly fd: WebAssembly.Global;
  /** Address of the next byte. */
  readonly pos: WebAssembly.Global;
  /** Address of the region's end. */
  readonly end: WebAssembly.Global;
}

/** Where the caller put the source and set room aside for the .mpy in the instance's memory. */
export interface WasmRegions {
  /** Address of a copy of the source. */
  readonly input: number;
  /** Address of the room for the .mpy. */
  readonly output: number;
  /** Bytes of that room. */
  readonly outputSize: number;
}

/** Hands `fd` to the wasm, with the region `[address, address + size)`. */
function serve(g: WasmFileGlobals, fd: number, address: number, size: number): void {
  g.fd.value = fd;
  g.pos.value = address;
  g.end.value = address + size;
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
  #wasm: { readonly input: WasmFileGlobals; readonly output: WasmFileGlobals } | undefined;
  /** The run's regions, when the wasm serves its files. */
  #regions: WasmRegions | undefined;

  /**
   * Sets the instance memory once the wasm module is instantiated (it never grows).
   * @param wasm the wasm's file globals, when it serves the source and the .mpy itself
   */
  attach(memory: WebAssembly.Memory, wasm?: { readonly input: WasmFileGlobals; readonly output: WasmFileGlobals }): void {
    this.#heap = new Uint8Array(memory.buffer);
    this.#u32 = new Uint32Array(memory.buffer);
    this.#wasm = wasm;
  }

  /** Whether the wasm can serve the files itself ({@link reset} with regions). */
  get servesFilesInWasm(): boolean {
    return this.#wasm !== undefined;
  }

  /**
   * Starts a run: `name` opened for reading gives `data`; everything else is reset.
   * @param regions where `data` was copied and the room for the .mpy, for the wasm to serve the files. Default: served here
   */
  reset(name: string, data: Uint8Array, regions?: WasmRegions): void {
    this.#inputName = name;
    this.#input = data;
    this.#regions = this.#wasm ? regions : undefined;
    if (this.#wasm) {
      this.#wasm.input.fd.value = -1;
      this.#wasm.output.fd.value = -1;
    }
    this.#fds.clear();
    this.#nextFd = FIRST_FD;
    this.#output = undefined;
    this.#stdout = new ByteSink();
    this.#stderr = new ByteSink();
  }

  /** Bytes of the .mpy the wasm wrote into its region (0 when it does not serve the output). */
  #outputInWasm(): number {
    return this.#regions ? (this.#wasm!.output.pos.value as number) - this.#regions.output : 0;
  }

  /** What the run wrote: the output file (undefined if never opened) and the two streams. */
  results(): { output: Uint8Array | undefined; stdout: string; stderr: string } {
    const text = (sink: ByteSink): string => (sink.length ? new TextDecoder().decode(sink.take()) : '');
    let output: Uint8Array | undefined;
    if (this.#output) {
      const inWasm = this.#outputInWasm();
      const start = this.#regions?.output ?? 0;
      output = new Uint8Array(inWasm + this.#output.length);
      output.set(this.#heap.subarray(start, start + inWasm));
      output.set(this.#output.take(), inWasm);
    }
    return { output, stdout: text(this.#stdout), stderr: text(this.#stderr) };
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
    const regions = this.#regions;
    if ((flags & O_ACCMODE) !== 0) {
      this.#output = new ByteSink();
      this.#fds.set(this.#nextFd, -1);
      if (regions) serve(this.#wasm!.output, this.#nextFd, regions.output, regions.outputSize);
      return this.#nextFd++;
    }
    if (this.#cString(path) !== this.#inputName) return -ENOENT;
    this.#fds.set(this.#nextFd, 0);
    if (regions) serve(this.#wasm!.input, this.#nextFd, regions.input, this.#input.length);
    return this.#nextFd++;
  }

  #close(fd: number): number {
    for (const g of this.#wasm ? [this.#wasm.input, this.#wasm.output] : []) if (g.fd.value === fd) g.fd.value = -1;
    return this.#fds.delete(fd) ? 0 : EBADF;
  }

  /** The input's read position of `fd` when the wasm serves it, else undefined. */
  #wasmPosition(fd: number): number | undefined {
    const w = this.#wasm?.input;
    return w && this.#regions && w.fd.value === fd ? (w.pos.value as number) - this.#regions.input : undefined;
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
    const size = pos < 0 ? this.#outputInWasm() + this.#output!.length : this.#input.length;
    const current = pos < 0 ? size : pos;
    const base = whence === 0 ? 0 : whence === 1 ? current : size;
    const next = Math.max(0, base + offset);
    // The output is append-only: a seek there only reports the position.
    if (inWasm !== undefined) this.#wasm!.input.pos.value = this.#regions!.input + Math.min(next, size);
    else if (pos >= 0) this.#fds.set(fd, next);
    this.#u32[newOffset >>> 2] = next >>> 0;
    this.#u32[(newOffset >>> 2) + 1] = Math.floor(next / 2 ** 32);
    return 0;
  }
}
