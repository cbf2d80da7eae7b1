import { describe, expect, it } from 'vitest';
import { readTar } from '../host/archive/tar.js';
import { PackagingError } from '../host/pkg/errors.js';
import { writeTar } from '../host/pkg/tar-writer.js';

const enc = new TextEncoder();
const field = (block: Uint8Array, start: number, len: number): string =>
  new TextDecoder().decode(block.subarray(start, start + len)).replace(/\0.*$/s, '');

describe('tar writer', () => {
  const entries = [
    { path: 'pkg-1.0/pkg/b.py', data: enc.encode('B = 2\n') },
    { path: 'pkg-1.0/pkg/a.py', data: enc.encode('A = 1\n') },
    { path: 'pkg-1.0/', directory: true },
    { path: 'pkg-1.0/pkg', directory: true },
    { path: 'pkg-1.0/run.py', data: enc.encode('x'), executable: true },
  ];

  it('writes sorted ustar members that a tar reader reads back', () => {
    const tar = writeTar(entries, { mtime: 1_700_000_000 });
    expect(tar.length % 10240).toBe(0);
    const read = readTar(tar, 't.tar');
    expect(read.map((e) => e.name)).toEqual(['pkg-1.0/', 'pkg-1.0/pkg/', 'pkg-1.0/pkg/a.py', 'pkg-1.0/pkg/b.py', 'pkg-1.0/run.py']);
    expect(read.map((e) => e.type)).toEqual(['directory', 'directory', 'file', 'file', 'file']);
    expect(read.map((e) => e.mode)).toEqual([0o755, 0o755, 0o644, 0o644, 0o755]);
    expect(read.every((e) => e.mtime === 1_700_000_000)).toBe(true);
    expect(new TextDecoder().decode(read[2]!.data)).toBe('A = 1\n');
  });

  it('fixes owner fields and writes a valid checksum', () => {
    const tar = writeTar([{ path: 'f', data: enc.encode('hello') }]);
    const h = tar.subarray(0, 512);
    expect(field(h, 108, 8)).toBe('0000000'); // uid
    expect(field(h, 116, 8)).toBe('0000000'); // gid
    expect(field(h, 136, 12)).toBe('00000000000'); // mtime defaults to 0
    expect(field(h, 257, 6)).toBe('ustar');
    expect(field(h, 263, 2)).toBe('00');
    expect(field(h, 265, 32)).toBe(''); // uname
    expect(field(h, 297, 32)).toBe(''); // gname
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    expect(parseInt(field(h, 148, 8), 8)).toBe(sum);
    expect(tar.subarray(1024, 2048).every((b) => b === 0)).toBe(true); // end-of-archive blocks
  });

  it('is deterministic whatever the input order', () => {
    const a = writeTar(entries);
    const b = writeTar([...entries].reverse());
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('sorts by UTF-8 bytes, not UTF-16 units', () => {
    const tar = writeTar([{ path: '\u{1F600}' }, { path: '\uFF61' }, { path: 'a' }]);
    expect(readTar(tar, 't').map((e) => e.name)).toEqual(['a', '\uFF61', '\u{1F600}']);
  });

  it('stores a long path in the ustar prefix field', () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(90)}.py`;
    const read = readTar(writeTar([{ path: long, data: enc.encode('x') }]), 't');
    expect(read[0]!.name).toBe(long);
  });

  it('refuses unsafe, duplicate and unstorable paths', () => {
    for (const path of ['/abs', '../up', 'a/../b', 'a//b', '', 'a\\b', 'tab\there']) {
      expect(() => writeTar([{ path }])).toThrow(PackagingError);
    }
    expect(() => writeTar([{ path: 'a' }, { path: 'a', directory: true }])).toThrow(/duplicate/);
    expect(() => writeTar([{ path: 'x'.repeat(300) }])).toThrow(/too long/);
  });
});
