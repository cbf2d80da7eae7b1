/**
 * A tar reader for ustar, pax (POSIX.1-2001) and GNU archives, over a
 * complete in-memory buffer. It reports every member as it is, links and
 * devices included; whether a member may be installed is decided by
 * `member-policy.ts`.
 */
import { ArchiveError } from './errors.js';

/** The kind of a tar member. */
type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'char-device' | 'block-device' | 'fifo';

/** One member of a tar archive. */
export interface TarEntry {
  /** The member's path as stored (pax `path` or GNU long name applied). */
  readonly name: string;
  /** What the member is. */
  readonly type: TarEntryType;
  /** Size of the member's data in bytes (0 for everything but files). */
  readonly size: number;
  /** Permission bits. */
  readonly mode: number;
  /** Modification time, seconds since the epoch. */
  readonly mtime: number;
  /** Target of a link, else the empty string. */
  readonly linkname: string;
  /** The member's data: a view into the archive buffer, never a copy. */
  readonly data: Uint8Array;
}

const BLOCK = 512;
const decoder = new TextDecoder('utf-8');

const TYPES: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
};

function cString(block: Uint8Array, start: number, length: number): string {
  let end = start;
  while (end < start + length && block[end] !== 0) end++;
  return decoder.decode(block.subarray(start, end));
}

function numeric(block: Uint8Array, start: number, length: number, archive: string, field: string): number {
  // GNU base-256: high bit of the first byte set.
  if (block[start]! & 0x80) {
    if (block[start]! & 0x40) throw new ArchiveError('corrupt', archive, `negative ${field} in tar header`);
    let value = block[start]! & 0x3f;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + block[i]!;
    if (!Number.isSafeInteger(value)) throw new ArchiveError('corrupt', archive, `${field} too large in tar header`);
    return value;
  }
  const text = cString(block, start, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new ArchiveError('corrupt', archive, `bad ${field} ${JSON.stringify(text)} in tar header`);
  return parseInt(text, 8);
}

function checksumOk(block: Uint8Array, stored: number): boolean {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/** Parses pax extended-header records: `LEN KEY=VALUE\n` repeated. */
function parsePax(data: Uint8Array, archive: string): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    let space = at;
    while (space < data.length && data[space] !== 0x20) space++;
    const len = Number(decoder.decode(data.subarray(at, space)));
    if (!Number.isInteger(len) || len <= 0 || at + len > data.length || data[at + len - 1] !== 0x0a) {
      if (data.subarray(at).every((b) => b === 0)) break;
      throw new ArchiveError('corrupt', archive, 'malformed pax extended header');
    }
    const record = decoder.decode(data.subarray(space + 1, at + len - 1));
    const eq = record.indexOf('=');
    if (eq <= 0) throw new ArchiveError('corrupt', archive, 'malformed pax record');
    records.set(record.slice(0, eq), record.slice(eq + 1));
    at += len;
  }
  return records;
}

function paxSize(value: string, archive: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new ArchiveError('corrupt', archive, `bad pax size ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/**
 * Reads every member of an uncompressed tar archive.
 *
 * @param tar the archive bytes (for example the output of `gunzipBounded`)
 * @param archive the archive's name, for error messages
 * @param maxMembers stop with `too-many-members` past this many headers (default 20000)
 * @throws ArchiveError `corrupt`, `truncated`, `unsupported` or `too-many-members`
 */
export function readTar(tar: Uint8Array, archive: string, maxMembers = 20_000): TarEntry[] {
  const entries: TarEntry[] = [];
  const globalPax = new Map<string, string>();
  let pax: Map<string, string> | undefined;
  let longName: string | undefined;
  let longLink: string | undefined;
  let headers = 0;
  let at = 0;
  while (at + BLOCK <= tar.length) {
    const block = tar.subarray(at, at + BLOCK);
    if (isZeroBlock(block)) return entries;
    if (++headers > maxMembers) throw new ArchiveError('too-many-members', archive, `more than ${maxMembers} tar headers`);
    const rawName = cString(block, 0, 100);
    if (!checksumOk(block, numeric(block, 148, 8, archive, 'checksum'))) {
      throw new ArchiveError('corrupt', archive, `tar header checksum mismatch at offset ${at}`, rawName || undefined);
    }
    const typeflag = String.fromCharCode(block[156]!);
    const magic = cString(block, 257, 6);
    const headerSize = numeric(block, 124, 12, archive, 'size');
    const extSize = pax?.get('size') ?? globalPax.get('size');
    const size = extSize !== undefined && 'xgLK'.indexOf(typeflag) < 0 ? paxSize(extSize, archive) : headerSize;
    const dataStart = at + BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > tar.length) {
      throw new ArchiveError('truncated', archive, `member data ends past the end of the archive (${size} bytes declared)`, rawName);
    }
    const data = tar.subarray(dataStart, dataEnd);
    at = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    switch (typeflag) {
      case 'x':
        pax = parsePax(data, archive);
        continue;
      case 'g':
        for (const [k, v] of parsePax(data, archive)) globalPax.set(k, v);
        continue;
      case 'L':
        longName = cString(data, 0, data.length);
        continue;
      case 'K':
        longLink = cString(data, 0, data.length);
        continue;
      case 'S':
      case 'M':
      case 'V':
        throw new ArchiveError(
          'unsupported',
          archive,
          `GNU tar member type ${typeflag} (sparse/multi-volume/label) is not supported`,
          rawName,
        );
    }
    const type = TYPES[typeflag];
    if (type === undefined) throw new ArchiveError('unsupported', archive, `unknown tar member type ${JSON.stringify(typeflag)}`, rawName);
    let name = rawName;
    if (magic === 'ustar') {
      const prefix = cString(block, 345, 155);
      if (prefix) name = `${prefix}/${rawName}`;
    }
    name = pax?.get('path') ?? longName ?? name;
    const linkname = pax?.get('linkpath') ?? longLink ?? cString(block, 157, 100);
    const isDir = type === 'directory' || (type === 'file' && name.endsWith('/'));
    entries.push({
      name,
      type: isDir ? 'directory' : type,
      size: isDir ? 0 : size,
      mode: numeric(block, 100, 8, archive, 'mode'),
      mtime: numeric(block, 136, 12, archive, 'mtime'),
      linkname,
      data: isDir ? data.subarray(0, 0) : data,
    });
    pax = undefined;
    longName = undefined;
    longLink = undefined;
  }
  if (at < tar.length || entries.length === 0 || pax || longName !== undefined) {
    throw new ArchiveError('truncated', archive, 'tar data ends inside a header or before its end-of-archive marker');
  }
  return entries;
}
