/**
 * Filesystem errors on both sides of the interpreter's libc (the numbers
 * themselves are in the one table, base/errno.ts).
 *
 * - The emscripten glue's `FS` (and its `FS.ErrnoError`) uses the numbering of
 *   emscripten's musl, which follows WASI: ENOENT is 44, EEXIST is 20. The
 *   glue's FS core compares against these numbers (a lookup failing with 44
 *   is what lets `open(..., O_CREAT)` create a file), so every error a
 *   filesystem type throws must use them.
 * - MicroPython is built with its internal errno table, whose numbers are
 *   Linux's: inside the interpreter `errno.ENOENT == 2` and
 *   `errno.EEXIST == 17`. The libc errno of a failed call reaches Python
 *   untranslated, so on the stock build `open('/missing')` raises
 *   `OSError(44)` and `e.errno == errno.ENOENT` is false. See
 *   {@link linuxErrnoFromEmscripten} and `./syscall-errno.ts` for the
 *   translation at the syscall boundary that puts this right.
 *
 * @module
 */

import { EM_ERRNO, type ErrnoName, errnoNameOfCode, LINUX_ERRNO } from '../../base/errno.js';

const EM_TO_LINUX = new Map<number, number>((Object.keys(EM_ERRNO) as ErrnoName[]).map((name) => [EM_ERRNO[name], LINUX_ERRNO[name]]));

/**
 * The one mapper from a Node error to an emscripten errno: `err.code`
 * (`'ENOENT'`, ...) → the number `FS.ErrnoError` expects. A system error with
 * a code this table lacks maps to EIO. Returns `undefined` when `err` is not
 * a system error at all (a bug, an `ERR_*` argument error): callers rethrow
 * those unchanged.
 */
export function emscriptenErrnoFromNodeError(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code)) return undefined;
  const name = errnoNameOfCode(code);
  return name === undefined ? EM_ERRNO.EIO : EM_ERRNO[name];
}

/**
 * Translates an emscripten errno number to Linux's, the numbering of
 * MicroPython's `errno` module. Numbers with no counterpart pass unchanged.
 */
export function linuxErrnoFromEmscripten(errno: number): number {
  return EM_TO_LINUX.get(errno) ?? errno;
}
