import { randomBytes } from 'node:crypto';
import { deflateRawSync, gunzipSync, gzipSync, inflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { GZIP_OS_UNKNOWN, gzipSmallWindow } from '../host/pkg/gzip-writer.js';
import { loadRawInterpreter, type RawInterpreter } from './helpers/raw-interpreter.js';

// 6 KiB of noise repeated: a 32 KiB window would copy it from 6 KiB back.
const block = randomBytes(6 * 1024);
const data = Buffer.concat([block, block, block, Buffer.from('tail '.repeat(2000))]);

describe('gzip with a 4 KiB window', () => {
  let mp: RawInterpreter;
  beforeAll(async () => {
    mp = await loadRawInterpreter();
  });

  it('writes a fixed header: no name, mtime 0, OS unknown', () => {
    const gz = gzipSmallWindow(data);
    expect([...gz.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, GZIP_OS_UNKNOWN]);
  });

  it('inflates with a 4 KiB window in zlib', () => {
    const gz = gzipSmallWindow(data);
    expect(Buffer.from(gunzipSync(gz, { windowBits: 12 })).equals(data)).toBe(true);
    expect(Buffer.from(inflateRawSync(gz.subarray(10, gz.length - 8), { windowBits: 12 })).equals(data)).toBe(true);
  });

  it('really restricts distances (a 32 KiB-window stream does not inflate with 4 KiB)', () => {
    const wide = deflateRawSync(data, { windowBits: 15, level: 9 });
    expect(() => inflateRawSync(wide, { windowBits: 12 })).toThrow();
  });

  it('is deterministic', () => {
    expect(Buffer.from(gzipSmallWindow(data)).equals(Buffer.from(gzipSmallWindow(Buffer.from(data))))).toBe(true);
  });

  it('inflates inside MicroPython with deflate.DeflateIO(stream, deflate.GZIP, 12)', () => {
    mp.writeFile('/t/raw', data);
    mp.writeFile('/t/small.gz', gzipSmallWindow(data));
    const out = mp.run(
      [
        'import deflate',
        "with open('/t/small.gz', 'rb') as f:",
        '    got = deflate.DeflateIO(f, deflate.GZIP, 12).read()',
        "print(got == open('/t/raw', 'rb').read(), len(got))",
      ].join('\n'),
    );
    expect(out.trim()).toBe(`True ${data.length}`);
  });

  it('a stream written with the default 32 KiB window fails in MicroPython with window 12 (the check is real)', () => {
    mp.writeFile('/t/wide.gz', gzipSync(data, { level: 9 }));
    const out = mp.run(
      [
        'import deflate',
        'try:',
        "    deflate.DeflateIO(open('/t/wide.gz', 'rb'), deflate.GZIP, 12).read() == open('/t/raw', 'rb').read()",
        "    print('inflated')",
        'except OSError as e:',
        "    print('failed')",
      ].join('\n'),
    );
    expect(out.trim()).toBe('failed');
  });
});
