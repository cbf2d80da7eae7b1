/**
 * One shared `FS.ErrnoError` per errno, as the glue's own `FS.genericErrors`
 * already do for a few. The glue's class extends `Error`: each `new` asks
 * the wasm for the strerror text and captures a JS stack through the wasm
 * frames (about 40 µs), and a failed lookup or `mkdir` of an existing
 * directory makes one every time, when all the glue ever reads of it is
 * `name` and `errno` (its syscall wrappers turn it into `-errno`). Imports
 * probe missing files, and installers create files and directories, so the
 * misses are common.
 *
 * @module
 */
import type { EmFS } from '../../wasm/emscripten-module.js';

const SHARED = Symbol('mpy.sharedErrnoErrors');

type ErrnoErrorClass = EmFS['ErrnoError'];

/**
 * Replaces `FS.ErrnoError` with a constructor that hands out one shared
 * instance per errno (made by the original class the first time), so that
 * `new FS.ErrnoError(n)` everywhere, in the glue and in mpy, is a map
 * lookup. `instanceof` and `name` are as before. Idempotent.
 */
export function shareErrnoErrors(FS: EmFS): void {
  const current = FS.ErrnoError as ErrnoErrorClass & { [SHARED]?: true };
  if (current[SHARED]) return;
  const made = new Map<number, InstanceType<ErrnoErrorClass>>();
  function SharedErrnoError(errno: number): InstanceType<ErrnoErrorClass> {
    let error = made.get(errno);
    if (error === undefined) {
      error = new current(errno);
      error.stack = `ErrnoError: errno ${errno} (shared, no stack)`;
      made.set(errno, error);
    }
    return error;
  }
  SharedErrnoError.prototype = current.prototype;
  Object.defineProperty(SharedErrnoError, SHARED, { value: true });
  Object.defineProperty(FS, 'ErrnoError', { value: SharedErrnoError, writable: true, configurable: true, enumerable: true });
}
