// Filesystem attacks: the in-memory filesystem is bounded by fsSize (bytes
// and a cost per node, ENOSPC past it, space back on delete), host mounts are
// not charged, and the confinement that already holds keeps holding: `..`,
// symlinks out of a mount, /proc.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist } from '../helpers/dist.js';
import { removeDir, tempDir } from '../helpers/fixture-dir.js';
import type * as Api from '../../dist/index.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython, MicroPythonFsError } = (await import('../../dist/index.js')) as typeof Api;

const MiB = 1024 * 1024;
const ATTEMPT = `R = {}
def attempt(name, fn):
    try:
        v = fn()
        R[name] = 'value ' + repr(v)
    except Exception as e:
        R[name] = type(e).__name__ + ': ' + str(e)
def fill(path, chunks, size=65536):
    buf = b'x' * size
    with open(path, 'wb') as f:
        for _ in range(chunks):
            f.write(buf)
import os
`;

async function probe(mp: Api.MicroPython, body: string): Promise<Record<string, string>> {
  await mp.exec(ATTEMPT + body);
  return (await mp.eval('R')) as Record<string, string>;
}

let host: string;
beforeAll(() => {
  host = tempDir('mpy-sec-fs-');
  mkdirSync(join(host, 'app'));
  writeFileSync(join(host, 'secret.txt'), 'secret');
  symlinkSync(join(host, 'secret.txt'), join(host, 'app', 'link'));
});
afterAll(() => removeDir(host));

describe('fsSize', () => {
  it.each(['worker', 'current'] as const)(
    'fails a write past the bound with ENOSPC and gives the space back on delete (thread: %s)',
    async (thread) => {
      await using mp = await MicroPython.create({ fsSize: '1M', thread });
      const r = await probe(
        mp,
        `attempt('fill 2M', lambda: fill('/big', 32))
attempt('size kept', lambda: os.stat('/big')[6] <= 1024 * 1024)
os.remove('/big')
attempt('after delete', lambda: fill('/again', 8))`,
      );
      expect(r['fill 2M']).toBe('OSError: 28');
      expect(r['size kept']).toBe('value True');
      expect(r['after delete']).toBe('value None');
    },
  );

  it('bounds the default at 64 MiB', async () => {
    await using mp = await MicroPython.create();
    const r = await probe(mp, `attempt('fill 65M', lambda: fill('/big', 65, 1024 * 1024))\nattempt('size', lambda: os.stat('/big')[6])`);
    expect(r['fill 65M']).toBe('OSError: 28');
    expect(Number(r.size!.slice('value '.length))).toBeLessThanOrEqual(64 * MiB);
  });

  it('bounds a bomb of empty files by the cost per node', async () => {
    await using mp = await MicroPython.create({ fsSize: '1M' });
    const r = await probe(
      mp,
      `def many():
    n = 0
    try:
        while True:
            open('/f%d' % n, 'w').close()
            n += 1
    finally:
        R['count'] = n
attempt('many', many)`,
    );
    expect(r.many).toBe('OSError: 28');
    expect(await mp.eval('R["count"]')).toBe(2048);
    await expect(mp.exec("os.mkdir('/d')")).rejects.toMatchObject({ type: 'OSError' });
  });

  it('keeps charging an unlinked file while it is open', async () => {
    await using mp = await MicroPython.create({ fsSize: '1M' });
    const r = await probe(
      mp,
      `held = open('/held', 'wb')
held.write(b'x' * 600000)
os.remove('/held')
attempt('while held', lambda: fill('/other', 10))
held.close()
os.remove('/other')
attempt('after close', lambda: fill('/other', 10))`,
    );
    expect(r['while held']).toBe('OSError: 28');
    expect(r['after close']).toBe('value None');
  });

  it('applies to the fs helpers too, and not to host mounts', async () => {
    await using mp = await MicroPython.create({ fsSize: '64K', mounts: { '/app': join(host, 'app') } });
    const e = await mp.fs.writeFile('/x', new Uint8Array(MiB)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MicroPythonFsError);
    expect((e as Api.MicroPythonFsError).code).toBe('ENOSPC');
    await mp.exec("with open('/app/big', 'wb') as f:\n    f.write(b'y' * 200000)");
    expect(readFileSync(join(host, 'app', 'big')).length).toBe(200000);
  });

  it.each([
    ['1K', 'fsSize "1K" is below the minimum \'64K\''],
    ['2G', 'fsSize "2G" is not a size'],
  ])('refuses fsSize %j', async (value, message) => {
    await expect(MicroPython.create({ fsSize: value })).rejects.toThrow(`MicroPython.create: ${message}`);
  });
});

describe('confinement', () => {
  it.each(['worker', 'current'] as const)('keeps .., symlinks and /proc from reaching host files (thread: %s)', async (thread) => {
    await using mp = await MicroPython.create({ mounts: { '/app': join(host, 'app') }, thread });
    const secret = join(host, 'secret.txt');
    const r = await probe(
      mp,
      `attempt('dotdot', lambda: open('/app/../secret.txt').read())
attempt('dotdot host path', lambda: open('/app/../..${secret}').read())
attempt('symlink out', lambda: open('/app/link').read())
attempt('host path', lambda: open('${secret}').read())
attempt('proc environ', lambda: open('/proc/self/environ').read())
attempt('etc', lambda: os.listdir('/etc'))`,
    );
    expect(r).toEqual({
      dotdot: 'OSError: [Errno 2] ENOENT',
      'dotdot host path': 'OSError: [Errno 2] ENOENT',
      'symlink out': 'OSError: [Errno 13] EACCES',
      'host path': 'OSError: [Errno 2] ENOENT',
      'proc environ': 'OSError: [Errno 2] ENOENT',
      etc: 'OSError: [Errno 2] ENOENT',
    });
  });

  it('refuses a NUL in a path with ValueError, as CPython does, instead of cutting the path at it', async () => {
    await using mp = await MicroPython.create({ mounts: { '/app': join(host, 'app') } });
    const r = await probe(
      mp,
      `attempt('open', lambda: open('/app/x.txt\\0/../../secret.txt', 'w'))
attempt('open bytes', lambda: open(b'/app/x\\0'))
attempt('stat', lambda: os.stat('/app\\0/etc'))
attempt('listdir', lambda: os.listdir('/\\0'))
attempt('mkdir', lambda: os.mkdir('/app/d\\0'))
attempt('remove', lambda: os.remove('/app/x\\0'))
attempt('rename to', lambda: os.rename('/app/a', '/app/b\\0'))
attempt('plain open still works', lambda: open('/app/plain.txt', 'w').write('ok'))`,
    );
    const refused = 'ValueError: embedded null byte';
    expect(r).toEqual({
      open: refused,
      'open bytes': refused,
      stat: refused,
      listdir: refused,
      mkdir: refused,
      remove: refused,
      'rename to': refused,
      'plain open still works': 'value 2',
    });
  });
});
