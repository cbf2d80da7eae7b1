// mp.fs.stat, mp.fs.rename and mp.mount after create.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist } from './helpers/dist.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';
import type * as Api from '../dist/index.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython, MicroPythonFsError } = (await import('../dist/index.js')) as typeof Api;

let host: string;
beforeAll(() => {
  host = tempDir('mpy-embed-mount-');
  mkdirSync(join(host, 'data'));
  mkdirSync(join(host, 'rw'));
  mkdirSync(join(host, 'outside'));
  writeFileSync(join(host, 'data', 'in.txt'), 'data file');
  writeFileSync(join(host, 'outside', 'secret.txt'), 'secret');
  symlinkSync(join(host, 'outside', 'secret.txt'), join(host, 'data', 'escape.txt'));
});
afterAll(() => removeDir(host));

describe('mp.fs.stat and mp.fs.rename', () => {
  let mp: Api.MicroPython;
  beforeAll(async () => {
    mp = await MicroPython.create({ mounts: { '/rw': join(host, 'rw') } });
  });
  afterAll(() => mp.dispose());

  it('stat tells type, size and mode, as Python sees them', async () => {
    await mp.fs.writeFile('/note.txt', 'hello');
    await mp.fs.mkdir('/dir');
    const file = await mp.fs.stat('/note.txt');
    expect(file).toMatchObject({ type: 'file', size: 5 });
    expect(file.mode).toBe(await mp.eval('__import__("os").stat("/note.txt")[0]'));
    expect(file.mtimeMs).toBeGreaterThan(0);
    expect((await mp.fs.stat('/dir')).type).toBe('directory');
    expect((await mp.fs.stat('/dev/null')).type).toBe('other');
    await mp.fs.writeFile('/rw/host.bin', new Uint8Array(3));
    expect(await mp.fs.stat('/rw/host.bin')).toMatchObject({ type: 'file', size: 3 });
    await expect(mp.fs.stat('/missing')).rejects.toMatchObject({ code: 'ENOENT', path: '/missing' });
  });

  it('rename moves within memory and within a mount; across them is EXDEV', async () => {
    await mp.fs.writeFile('/a.txt', 'A');
    await mp.fs.rename('/a.txt', '/dir/b.txt');
    expect(await mp.fs.exists('/a.txt')).toBe(false);
    expect(await mp.fs.readFile('/dir/b.txt', 'utf8')).toBe('A');
    await mp.fs.writeFile('/rw/one.txt', '1');
    await mp.fs.rename('/rw/one.txt', '/rw/two.txt');
    expect(readFileSync(join(host, 'rw', 'two.txt'), 'utf8')).toBe('1');
    expect(existsSync(join(host, 'rw', 'one.txt'))).toBe(false);
    const error = await mp.fs.rename('/dir/b.txt', '/rw/b.txt').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MicroPythonFsError);
    expect(error).toMatchObject({ code: 'EXDEV' });
    await expect(mp.fs.rename('/nothing', '/x')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('mp.mount after create', () => {
  it('shows a host directory, confined like a create-time mount; read-only writes fail with EROFS in Python', async () => {
    const mp = await MicroPython.create();
    try {
      await mp.mount('/data', join(host, 'data'), { readOnly: true });
      expect(await mp.eval('open("/data/in.txt").read()')).toBe('data file');
      await mp.exec(`
try:
    open("/data/new.txt", "w")
except OSError as e:
    code = e.errno`);
      expect(await mp.eval('code')).toBe(30); // EROFS on Linux (this errno module has no name for it)
      await expect(mp.fs.writeFile('/data/x', 'x')).rejects.toMatchObject({ code: 'EROFS' });
      expect(existsSync(join(host, 'data', 'new.txt'))).toBe(false);
      // A symlink in the mount cannot lead out of it.
      await expect(mp.eval('open("/data/escape.txt").read()')).rejects.toMatchObject({ type: 'OSError' });

      await mp.mount('/deep/rw', join(host, 'rw'));
      await mp.exec('open("/deep/rw/from_python.txt", "w").write("py")');
      expect(readFileSync(join(host, 'rw', 'from_python.txt'), 'utf8')).toBe('py');
    } finally {
      await mp.dispose();
    }
  });

  it('refuses what the mounts option refuses, and a path already used', async () => {
    const mp = await MicroPython.create({ mounts: { '/app': join(host, 'rw') } });
    try {
      await expect(mp.mount('/proc/x', join(host, 'data'))).rejects.toThrow(
        "mount /proc/x: /proc is the interpreter's own; choose another guest path",
      );
      await expect(mp.mount('/usr/lib/micropython/x', join(host, 'data'))).rejects.toThrow(TypeError);
      await expect(mp.mount('/', join(host, 'data'))).rejects.toThrow("a mount cannot be '/'");
      await expect(mp.mount('data', join(host, 'data'))).rejects.toThrow('must be an absolute guest path');
      await expect(mp.mount('/d', join(host, 'missing'))).rejects.toThrow(
        `mount /d: host directory ${join(host, 'missing')} does not exist`,
      );
      await expect(mp.mount('/d', join(host, 'data'), { readOnly: 'yes' as never })).rejects.toThrow('readOnly must be a boolean');
      await expect(mp.mount('/app', join(host, 'data'))).rejects.toMatchObject({ code: 'EBUSY' });
      await mp.fs.writeFile('/file', 'keep me');
      await expect(mp.mount('/file', join(host, 'data'))).rejects.toMatchObject({ code: 'ENOTDIR' });
      expect(await mp.fs.readFile('/file', 'utf8')).toBe('keep me');
      expect(await mp.fs.exists('/d')).toBe(false);
    } finally {
      await mp.dispose();
    }
  });
});
