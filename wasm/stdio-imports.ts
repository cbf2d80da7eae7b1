/**
 * The WASI `fd_write`/`fd_read` imports for fds 0-2: whole iovecs go to the
 * host's {@link StdioHooks} in one call each, instead of the glue's one
 * callback per byte. Other fds go to the glue's own versions (its FS).
 *
 * These run once per `print` piece, so they are kept lean: typed-array views
 * of the heap are made again only when the memory has grown (reading
 * `memory.buffer` on every call cost as much as the rest of the call), and the
 * iovec array is read through a `Uint32Array` (wasm is little-endian, iovecs
 * are 4-byte aligned).
 */
import { EM_ERRNO } from '../base/errno.js';

/** The process-level streams the interpreter writes to and reads from. */
export interface StdioHooks {
  /**
   * Receives bytes written to fd 1 or 2. `bytes` is a view into the wasm heap,
   * valid only during the call: copy or consume it before returning.
   */
  write(fd: 1 | 2, bytes: Uint8Array): void;
  /**
   * Optional faster form of {@link StdioHooks.write}: receives the bytes
   * `heap[start..end)` with no view made for them (one `print` makes two
   * writes, so a view per write was most of the garbage a print loop made).
   * `heap` is valid only during the call.
   */
  writeRange?(fd: 1 | 2, heap: Uint8Array, start: number, end: number): void;
  /**
   * Fills `into` with up to `into.length` bytes of stdin; returns 0 at end of
   * input, or a negative WASI errno (e.g. -{@link WASI_EINTR} when an
   * interrupt ended the wait).
   */
  read(into: Uint8Array): number;
}

/** WASI's errno for "interrupted": a stdin read that an interrupt woke returns its negative. */
export const WASI_EINTR = EM_ERRNO.EINTR;

type WasiFd = (fd: number, iov: number, iovcnt: number, pnum: number) => number;

/** What {@link createStdioImports} returns, to be placed in `wasi_snapshot_preview1`. */
export interface StdioImports {
  readonly fd_write: WasiFd;
  readonly fd_read: WasiFd;
}

/**
 * @param stdio where fds 0-2 go
 * @param memory resolves the instance's memory; called lazily, after instantiation
 * @param glue the glue's own `fd_write` and `fd_read`, for every other fd
 */
export function createStdioImports(stdio: StdioHooks, memory: () => WebAssembly.Memory, glue: StdioImports): StdioImports {
  let u8 = new Uint8Array(0);
  let u32 = new Uint32Array(0);
  // Growing an unshared memory detaches its old buffer, which empties views
  // of it; a shared one keeps the old, shorter views working. Either way a
  // view too short for the bytes asked for is the (cheap) sign to look at
  // `memory.buffer` again.
  const refresh = (end: number): void => {
    if (end <= u8.length) return;
    const buffer = memory().buffer;
    u8 = new Uint8Array(buffer);
    u32 = new Uint32Array(buffer);
  };
  const glueWrite = glue.fd_write;
  const write = stdio.writeRange
    ? stdio.writeRange.bind(stdio)
    : (fd: 1 | 2, heap: Uint8Array, start: number, end: number) => stdio.write(fd, heap.subarray(start, end));
  const glueRead = glue.fd_read;
  return {
    fd_write(fd, iov, iovcnt, pnum) {
      if (fd !== 1 && fd !== 2) return glueWrite(fd, iov, iovcnt, pnum);
      refresh(Math.max(iov + 8 * iovcnt, pnum + 4));
      let total = 0;
      for (let i = 0, at = iov >>> 2; i < iovcnt; i++, at += 2) {
        const ptr = u32[at]!;
        const len = u32[at + 1]!;
        if (len > 0) {
          refresh(ptr + len);
          write(fd, u8, ptr, ptr + len);
        }
        total += len;
      }
      u32[pnum >>> 2] = total;
      return 0;
    },
    fd_read(fd, iov, iovcnt, pnum) {
      if (fd !== 0) return glueRead(fd, iov, iovcnt, pnum);
      let total = 0;
      for (let i = 0; i < iovcnt; i++) {
        refresh(iov + 8 * iovcnt);
        const at = (iov >>> 2) + 2 * i;
        const ptr = u32[at]!;
        const len = u32[at + 1]!;
        refresh(ptr + len);
        const n = stdio.read(u8.subarray(ptr, ptr + len));
        if (n < 0) {
          if (total > 0) break;
          return -n;
        }
        total += n;
        if (n < len) break;
      }
      refresh(pnum + 4);
      u32[pnum >>> 2] = total;
      return 0;
    },
  };
}
