/**
 * Deterministic gzip with a small deflate window. MicroPython's upip inflates
 * with a 4 KiB window on small boards (`uzlib.DecompIO(s, 16 + 12)`), so a
 * distribution package must never refer back further than 4 KiB: only zlib
 * can be told so (`windowBits: 12`); fflate cannot. The header is fixed
 * (no name, mtime 0, OS "unknown") so the same input gives the same bytes.
 */
import { constants, deflateRawSync } from 'node:zlib';
import { crc32 } from '../archive/crc32.js';

/** Options of {@link gzipSmallWindow}. */
export interface GzipOptions {
  /** log2 of the deflate window, 9..15. Default: 12 (4 KiB), what upip needs. */
  readonly windowBits?: number;
  /** zlib compression level, 0..9. Default: 9. */
  readonly level?: number;
}

/** The gzip OS byte written: 255, "unknown", so the host OS does not leak into the bytes. */
export const GZIP_OS_UNKNOWN = 255;

/**
 * Compresses `data` into a single-member gzip stream whose back-references
 * stay within `2 ** windowBits` bytes.
 * @throws RangeError for a window or level zlib does not accept
 */
export function gzipSmallWindow(data: Uint8Array, options: GzipOptions = {}): Uint8Array {
  const windowBits = options.windowBits ?? 12;
  const level = options.level ?? 9;
  if (!Number.isInteger(windowBits) || windowBits < 9 || windowBits > 15) {
    throw new RangeError(`gzip windowBits must be 9..15, got ${windowBits}`);
  }
  const body = deflateRawSync(data, { windowBits, level, memLevel: 9, strategy: constants.Z_DEFAULT_STRATEGY });
  const out = new Uint8Array(10 + body.length + 8);
  // ID1 ID2 CM FLG MTIME(4) XFL OS
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, level === 9 ? 2 : level === 1 ? 4 : 0, GZIP_OS_UNKNOWN]);
  out.set(body, 10);
  const trailer = new DataView(out.buffer, 10 + body.length, 8);
  trailer.setUint32(0, crc32(data, 0), true);
  trailer.setUint32(4, data.length >>> 0, true);
  return out;
}
