import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ArchiveError, gunzipBounded, readDistribution, readTar, safeMemberPath, parseRequiresTxt } from '../host/archive/index.js';
import { distTarGz, tarBytes, tarGz } from './helpers/tar-fixture.js';

const tmp = mkdtempSync(join(tmpdir(), 'mpy-archive-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function archiveError(fn: () => unknown): ArchiveError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ArchiveError) return err;
    throw err;
  }
  throw new Error('expected an ArchiveError');
}

describe('gunzipBounded', () => {
  const plain = Buffer.from('hello MicroPython\n'.repeat(5000));
  const gz = zlib.gzipSync(plain);

  it('inflates and verifies', () => {
    expect(Buffer.from(gunzipBounded(gz, 'a.tar.gz')).equals(plain)).toBe(true);
  });

  it('inflates concatenated members, each verified', () => {
    const out = gunzipBounded(Buffer.concat([gz, gz]), 'two.gz');
    expect(out.length).toBe(plain.length * 2);
    const bad = Buffer.concat([gz, gz]);
    bad[gz.length - 5]! ^= 1; // first member's CRC
    expect(archiveError(() => gunzipBounded(bad, 'two.gz')).code).toBe('corrupt');
  });

  it.each([1, 3, 8, 9, 512, 4096])('accepts %i zero bytes of padding after the last member (as gzip(1) and CPython)', (n) => {
    expect(Buffer.from(gunzipBounded(Buffer.concat([gz, Buffer.alloc(n)]), 'pad.gz')).equals(plain)).toBe(true);
    expect(gunzipBounded(Buffer.concat([gz, gz, Buffer.alloc(n)]), 'pad2.gz').length).toBe(plain.length * 2);
  });

  it('refuses padding that is not all zeros, and a bad trailer hidden before padding', () => {
    expect(archiveError(() => gunzipBounded(Buffer.concat([gz, Buffer.alloc(16), Buffer.from([1])]), 'junk.gz')).code).toBe('corrupt');
    const flipped = Buffer.concat([gz, Buffer.alloc(64)]);
    flipped[gz.length - 8]! ^= 0xff;
    expect(archiveError(() => gunzipBounded(flipped, 'crc.gz')).code).toMatch(/corrupt|truncated/);
  });

  it.each([1, 9, 20, 100, gz.length - 8, gz.length - 1])('refuses a stream cut to %i bytes', (n) => {
    const err = archiveError(() => gunzipBounded(gz.subarray(0, n), 'cut.tar.gz'));
    expect(['truncated', 'corrupt']).toContain(err.code);
    expect(err.message).toContain('cut.tar.gz');
  });

  it('says truncated when the inflated length disagrees with the trailer', () => {
    const cut = gz.subarray(0, Math.floor(gz.length / 2));
    expect(archiveError(() => gunzipBounded(cut, 'half.tar.gz')).code).toBe('truncated');
  });

  it('refuses corrupt data and a CRC mismatch', () => {
    const flipped = Buffer.from(gz);
    flipped[gz.length - 8]! ^= 0xff;
    expect(archiveError(() => gunzipBounded(flipped, 'crc.gz')).message).toMatch(/CRC-32 mismatch/);
    const garbage = Buffer.from(gz);
    garbage.fill(0xff, 12, 40);
    expect(archiveError(() => gunzipBounded(garbage, 'bad.gz')).code).toMatch(/corrupt|truncated/);
    expect(archiveError(() => gunzipBounded(Buffer.from('PK\x03\x04 zip'), 'z.zip')).message).toMatch(/not gzip/);
  });

  it('stops a gzip bomb by ratio before inflating it all', () => {
    const bomb = zlib.gzipSync(Buffer.alloc(200 * 1024 * 1024), { level: 9 });
    const err = archiveError(() => gunzipBounded(bomb, 'bomb.tar.gz'));
    expect(err.code).toBe('compression-ratio');
    expect(err.message).toMatch(/gzip bomb/);
  });

  it('stops at the total limit', () => {
    const random = zlib.gzipSync(Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251)));
    const err = archiveError(() => gunzipBounded(random, 'big.tar.gz', { maxInflatedBytes: 100_000 }));
    expect(err.code).toBe('archive-too-large');
  });
});

describe('readTar', () => {
  it('reads ustar, pax and GNU long names written by GNU tar', () => {
    const long = `pkg-1.0/${'deep/'.repeat(30)}mod.py`;
    const src = join(tmp, 'src');
    mkdirSync(join(src, long, '..'), { recursive: true });
    writeFileSync(join(src, long), 'x = 1\n');
    writeFileSync(join(src, 'pkg-1.0', 'a.py'), 'a = 2\n');
    for (const format of ['gnu', 'pax', 'ustar']) {
      const out = join(tmp, `t-${format}.tar`);
      try {
        execFileSync('tar', [`--format=${format}`, '-cf', out, '-C', src, 'pkg-1.0'], { stdio: 'pipe' });
      } catch {
        expect(format).toBe('ustar'); // ustar cannot hold a 160-byte name without a split point; others must work
        continue;
      }
      const entries = readTar(readFileSync(out), out);
      const file = entries.find((e) => e.name === long);
      expect(file?.type).toBe('file');
      expect(Buffer.from(file!.data).toString()).toBe('x = 1\n');
      expect(entries.find((e) => e.name === 'pkg-1.0/a.py')?.size).toBe(6);
      expect(entries.find((e) => e.name === 'pkg-1.0/')?.type).toBe('directory');
    }
  });

  it('reads a pax path record from our own writer', () => {
    const name = `p-1/${'x'.repeat(120)}.py`;
    const [entry] = readTar(tarBytes([{ name, data: 'ok' }]), 't.tar');
    expect(entry!.name).toBe(name);
  });

  it('refuses a bad header checksum and a short archive', () => {
    const tar = tarBytes([{ name: 'p-1/a.py', data: 'a' }]);
    const bad = Buffer.from(tar);
    bad[0]! ^= 1;
    expect(archiveError(() => readTar(bad, 'bad.tar')).message).toMatch(/checksum/);
    const big = tarBytes([{ name: 'p-1/a.py', data: 'a'.repeat(2000) }], { endMarker: false });
    expect(archiveError(() => readTar(big.subarray(0, 1024), 'short.tar')).code).toBe('truncated');
    expect(archiveError(() => readTar(big.subarray(0, 700), 'short.tar')).code).toBe('truncated');
  });

  it('accepts an archive without the end-of-archive blocks', () => {
    expect(readTar(tarBytes([{ name: 'p-1/a.py', data: 'a' }], { endMarker: false }), 't').length).toBe(1);
  });
});

describe('install policy', () => {
  const cases: Array<[string, Parameters<typeof tarGz>[0], string]> = [
    ['absolute path', [{ name: '/etc/passwd', data: 'x' }], 'absolute-path'],
    ['drive letter', [{ name: 'C:/x.py', data: 'x' }], 'absolute-path'],
    ['.. component', [{ name: 'p-1/../../evil.py', data: 'x' }], 'parent-reference'],
    ['backslash', [{ name: 'p-1\\..\\evil.py', data: 'x' }], 'bad-path'],
    ['symlink', [{ name: 'p-1/link', type: '2', linkname: '/etc/passwd' }], 'link'],
    ['hardlink', [{ name: 'p-1/link', type: '1', linkname: 'p-1/a.py' }], 'link'],
    ['char device', [{ name: 'p-1/tty', type: '3' }], 'special-file'],
    ['block device', [{ name: 'p-1/sda', type: '4' }], 'special-file'],
    ['fifo', [{ name: 'p-1/pipe', type: '6' }], 'special-file'],
    ['oversized member', [{ name: 'p-1/big.bin', data: new Uint8Array(40_000) }], 'member-too-large'],
  ];
  it.each(cases)('refuses %s', (_label, members, code) => {
    const err = archiveError(() => readDistribution(tarGz(members), 'evil-1.tar.gz', { maxMemberBytes: 32_768 }));
    expect(err.code).toBe(code);
    expect(err.archive).toBe('evil-1.tar.gz');
    expect(err.member).toBe(members[0]!.name);
    expect(err.message).toContain(JSON.stringify(members[0]!.name));
  });

  it('normalises harmless paths', () => {
    expect(safeMemberPath('./p-1//a/./b.py', 'x')).toBe('p-1/a/b.py');
    expect(safeMemberPath('./', 'x')).toBe('');
  });
});

describe('metadata', () => {
  it('reads name, version, summary and requires.txt', () => {
    const d = readDistribution(distTarGz({ name: 'micropython-foo', version: '1.2.3', requires: ['bar', '', '# c', 'baz==2'] }), 'f');
    expect(d.metadata).toEqual({
      name: 'micropython-foo',
      version: '1.2.3',
      summary: 'the micropython-foo package',
      requires: ['bar', 'baz==2'],
    });
  });

  it('stops requires.txt at the first extras section', () => {
    expect(parseRequiresTxt('a\nb>=1\n\n[test]\npytest\n')).toEqual(['a', 'b>=1']);
  });
});
