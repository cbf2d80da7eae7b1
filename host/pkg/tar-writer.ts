/**
 * A deterministic ustar writer. The same entries always give the same bytes:
 * entries sorted by the UTF-8 bytes of their path, one fixed mtime, uid/gid 0,
 * empty user and group names, mode 0644 (files) or 0755 (directories and
 * executables), padded to the 10 KiB record size `tar` and Python use.
 */
import { PackagingError } from './errors.js';

/** One member to write. */
export interface TarInput {
  /** Relative POSIX path (`a/b.py`); a directory may end in `/`. */
  readonly path: string;
  /** File contents; ignored for directories. Default: empty. */
  readonly data?: Uint8Array;
  /** A directory entry instead of a file. Default: false. */
  readonly directory?: boolean;
  /** Mode 0755 instead of 0644 for a file. Default: false. */
  readonly executable?: boolean;
}

/** Options of {@link writeTar}. */
export interface TarWriterOptions {
  /** Modification time of every member, seconds since the epoch. Default: 0. */
  readonly mtime?: number;
}

const BLOCK = 512;
const RECORD = 20 * BLOCK;
const encoder = new TextEncoder();

function octal(value: number, width: number): string {
  // width counts the NUL terminator.
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function put(block: Uint8Array, offset: number, text: string | Uint8Array, width: number): void {
  const bytes = typeof text === 'string' ? encoder.encode(text) : text;
  if (bytes.length > width) throw new Error(`tar field overflow at ${offset}`);
  block.set(bytes, offset);
}

/** Splits a UTF-8 name into ustar `prefix` and `name` fields, or throws. */
function splitName(path: string, bytes: Uint8Array): { prefix: Uint8Array; name: Uint8Array } {
  if (bytes.length <= 100) return { prefix: new Uint8Array(0), name: bytes };
  // Split at a slash so that prefix <= 155 bytes and name <= 100 bytes.
  for (let i = Math.min(bytes.length - 1, 155); i > 0; i--) {
    if (bytes[i] === 0x2f && bytes.length - i - 1 <= 100 && bytes.length - i - 1 > 0) {
      return { prefix: bytes.subarray(0, i), name: bytes.subarray(i + 1) };
    }
  }
  throw new PackagingError('path', `path too long for a ustar archive (${bytes.length} bytes): ${path}`);
}

function checkPath(path: string): void {
  const parts = path.replace(/\/$/, '').split('/');
  if (path === '' || path.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..') || path.includes('\\')) {
    throw new PackagingError('path', `not a relative archive path: ${JSON.stringify(path)}`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) throw new PackagingError('path', `control character in archive path: ${JSON.stringify(path)}`);
}

function header(path: string, size: number, mode: number, type: '0' | '5', mtime: number): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const { prefix, name } = splitName(path, encoder.encode(path));
  put(block, 0, name, 100);
  put(block, 100, octal(mode, 8), 8);
  put(block, 108, octal(0, 8), 8);
  put(block, 116, octal(0, 8), 8);
  put(block, 124, octal(size, 12), 12);
  put(block, 136, octal(mtime, 12), 12);
  block.fill(0x20, 148, 156); // checksum is computed with spaces here
  put(block, 156, type, 1);
  put(block, 257, 'ustar\0', 6);
  put(block, 263, '00', 2);
  put(block, 329, octal(0, 8), 8);
  put(block, 337, octal(0, 8), 8);
  put(block, 345, prefix, 155);
  let sum = 0;
  for (const b of block) sum += b;
  put(block, 148, `${octal(sum, 7)} `, 8);
  return block;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * Writes a ustar archive of `entries`, sorted by path.
 * @throws PackagingError (`path`) for an unsafe, duplicate or over-long path, or a file over 8 GiB
 */
export function writeTar(entries: readonly TarInput[], options: TarWriterOptions = {}): Uint8Array {
  const mtime = options.mtime ?? 0;
  if (!Number.isInteger(mtime) || mtime < 0 || mtime > 0o77777777777) {
    throw new PackagingError('path', `tar mtime out of range: ${mtime}`);
  }
  const items = entries.map((e) => {
    const path = e.directory ? e.path.replace(/\/?$/, '/') : e.path;
    checkPath(path);
    if (!e.directory && path.endsWith('/')) throw new PackagingError('path', `file path ends in "/": ${path}`);
    return { entry: e, path, key: encoder.encode(path) };
  });
  items.sort((a, b) => compareBytes(a.key, b.key));
  const seen = new Set<string>();
  const blocks: Uint8Array[] = [];
  let total = 0;
  for (const { entry, path } of items) {
    const bare = path.replace(/\/$/, '');
    if (seen.has(bare)) throw new PackagingError('path', `duplicate archive path: ${path}`);
    seen.add(bare);
    const data = entry.directory ? new Uint8Array(0) : (entry.data ?? new Uint8Array(0));
    if (data.length > 0o77777777777) throw new PackagingError('path', `file too large for ustar: ${path}`);
    const mode = entry.directory || entry.executable ? 0o755 : 0o644;
    blocks.push(header(path, data.length, mode, entry.directory ? '5' : '0', mtime));
    blocks.push(data);
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    total += BLOCK + data.length + pad;
    if (pad) blocks.push(new Uint8Array(pad));
  }
  total += 2 * BLOCK;
  const size = Math.ceil(total / RECORD) * RECORD;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const b of blocks) {
    out.set(b, offset);
    offset += b.length;
  }
  return out;
}
