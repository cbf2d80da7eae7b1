/**
 * Writing a whole buffer to a file descriptor synchronously, from any
 * thread: the way the interpreter's stdio and the host's diagnostics reach
 * the process's stdout and stderr.
 *
 * @module
 */
import { writeSync } from 'node:fs';

/** How long to wait before retrying a write that found a non-blocking pipe full. */
const RETRY_WAIT_MS = 2;
const waiter = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of `bytes` to `fd`, waiting out a full non-blocking pipe (EAGAIN).
 * @returns false when the reader is gone (EPIPE and other errors): the rest is dropped
 */
export function writeFully(fd: number, bytes: Uint8Array): boolean {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return false;
      Atomics.wait(waiter, 0, 0, RETRY_WAIT_MS);
    }
  }
  return true;
}
