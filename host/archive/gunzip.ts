/**
 * Bounded, verified gunzip over fflate. fflate's streaming inflater neither
 * checks the gzip trailer nor notices a stream that simply stops, so this
 * module checks CRC-32 and length of every member itself, and stops a gzip
 * bomb while it inflates rather than after.
 *
 * As gzip(1) and CPython's gzip module, it reads every member of a
 * multi-member file and accepts zero bytes after the last member (tape
 * blocking pads files so); any other trailing byte is refused.
 */
import { Gunzip } from 'fflate';
import { crc32 } from './crc32.js';
import { ArchiveError } from './errors.js';
import { type ArchiveLimits, resolveLimits } from './limits.js';

// Small input slices bound how much one push can inflate (deflate peaks near 1032:1).
const SLICE = 8 * 1024;
const HEADER_MIN = 10;
const TRAILER = 8;

interface MemberState {
  crc: number;
  length: number;
}

function readTrailer(input: Uint8Array, end: number): { crc: number; length: number } {
  const view = new DataView(input.buffer, input.byteOffset + end - TRAILER, TRAILER);
  return { crc: view.getUint32(0, true), length: view.getUint32(4, true) };
}

function checkMember(input: Uint8Array, end: number, state: MemberState, archive: string): void {
  if (end - TRAILER < HEADER_MIN) throw new ArchiveError('truncated', archive, 'gzip data ends before its trailer');
  const trailer = readTrailer(input, end);
  const length = state.length >>> 0;
  if (trailer.length !== length) {
    throw new ArchiveError(
      'truncated',
      archive,
      `gzip stream ends early or is damaged: inflated ${state.length} bytes, trailer says ${trailer.length} (incomplete download?)`,
    );
  }
  if (trailer.crc !== state.crc) {
    throw new ArchiveError('corrupt', archive, `gzip CRC-32 mismatch: computed ${hex(state.crc)}, trailer says ${hex(trailer.crc)}`);
  }
}

/**
 * Where the last member ends when zero padding follows it: the end `e` with
 * only zeros after it whose trailer matches `state` (a trailer may itself
 * end in zero bytes, so the few candidates are tried), or -1.
 */
function endBeforePadding(input: Uint8Array, state: MemberState): number {
  let last = input.length - 1;
  while (last >= 0 && input[last] === 0) last--;
  for (let end = last + 1; end <= Math.min(input.length, last + 1 + TRAILER); end++) {
    if (end - TRAILER < HEADER_MIN) continue;
    const t = readTrailer(input, end);
    if (t.crc === state.crc && t.length === state.length >>> 0) return end;
  }
  return -1;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/**
 * Inflates a complete gzip file (one or more members) into one buffer.
 *
 * @param input the compressed bytes
 * @param archive the archive's name, for error messages
 * @param limits bounds on the inflated size and ratio; see {@link ArchiveLimits}
 * @throws ArchiveError `corrupt`, `truncated`, `archive-too-large` or `compression-ratio`
 */
export function gunzipBounded(input: Uint8Array, archive: string, limits?: Partial<ArchiveLimits>): Uint8Array {
  const lim = resolveLimits(limits);
  if (input.length < 2 || input[0] !== 0x1f || input[1] !== 0x8b) {
    throw new ArchiveError('corrupt', archive, 'not gzip data (bad magic number)');
  }
  if (input.length < HEADER_MIN + TRAILER) throw new ArchiveError('truncated', archive, 'gzip data ends inside its header');
  const chunks: Uint8Array[] = [];
  let total = 0;
  let consumed = 0;
  let member: MemberState = { crc: 0, length: 0 };
  const inflater = new Gunzip((chunk) => {
    total += chunk.length;
    if (total > lim.maxInflatedBytes) {
      throw new ArchiveError('archive-too-large', archive, `inflates to more than ${lim.maxInflatedBytes} bytes (limit)`);
    }
    if (total > lim.ratioGraceBytes && total > consumed * lim.maxRatio) {
      throw new ArchiveError(
        'compression-ratio',
        archive,
        `inflates more than ${lim.maxRatio}:1 (${total} bytes from ${consumed}); refusing a likely gzip bomb`,
      );
    }
    member.crc = crc32(chunk, member.crc);
    member.length += chunk.length;
    chunks.push(chunk);
  });
  inflater.onmember = (offset) => {
    checkMember(input, offset, member, archive);
    member = { crc: 0, length: 0 };
  };
  try {
    for (let at = 0; at < input.length; at += SLICE) {
      const end = Math.min(at + SLICE, input.length);
      consumed = end;
      inflater.push(input.subarray(at, end), end === input.length);
    }
  } catch (err) {
    if (err instanceof ArchiveError) throw err;
    // Zeros after the last member were taken for the header of another one.
    if (endBeforePadding(input, member) > 0) return concat(chunks, total);
    const message = err instanceof Error ? err.message : String(err);
    const code = /EOF/i.test(message) ? 'truncated' : 'corrupt';
    throw new ArchiveError(code, archive, `gzip data is damaged: ${message}`);
  }
  const padded = endBeforePadding(input, member);
  checkMember(input, padded > 0 ? padded : input.length, member, archive);
  return concat(chunks, total);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
