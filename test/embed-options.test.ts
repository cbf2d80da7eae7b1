// Option validation: wrong or contradictory options are TypeErrors that say what to change.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDist } from './helpers/dist.js';
import type * as Api from '../dist/index.js';
import type * as Options from '../dist/host/embed/options.js';
import type * as Channel from '../dist/host/embed/channel.js';
import type * as Layout from '../dist/runtime/guest-layout.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython } = (await import('../dist/index.js')) as typeof Api;
const { validateOptions } = (await import('../dist/host/embed/options.js')) as typeof Options;
const { EMBED_HEAP_LIMIT_BYTES } = (await import('../dist/runtime/guest-layout.js')) as typeof Layout;
const { liveWorkerCount } = (await import('../dist/host/embed/channel.js')) as typeof Channel;

const dir = mkdtempSync(join(tmpdir(), 'mpy-embed-opt-'));
writeFileSync(join(dir, 'file.txt'), '');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bad = (options: unknown): void => {
  validateOptions(options as Api.MicroPythonOptions);
};

describe('validateOptions', () => {
  it('fills in the documented defaults', () => {
    const r = validateOptions(undefined);
    expect(r.worker).toMatchObject({
      mounts: {},
      cwd: '/',
      env: {},
      argv: [],
      path: ['', '.frozen', '/lib', '/usr/lib/micropython'],
      heapLimitBytes: EMBED_HEAP_LIMIT_BYTES,
      networkAllow: [],
      networkListen: [],
    });
    expect(r.timeoutMs).toBeUndefined();
    expect(r.stdout).toBe('capture');
    expect(r.stderr).toBe('capture');
  });

  it.each([
    [{ mounts: { '/app': join(dir, 'missing') } }, /mount \/app: host directory .*missing does not exist/],
    [{ mounts: { '/app': join(dir, 'file.txt') } }, /is not a directory/],
    [{ mounts: { app: dir } }, /must be an absolute guest path/],
    [{ mounts: { '/a/../b': dir } }, /is not normalised: write "\/b"/],
    [{ mounts: { '/': dir } }, /cannot be '\/'/],
    [{ mounts: { '/dev/x': dir } }, /\/dev is the interpreter's own/],
    [{ mounts: { '/usr/lib/micropython': dir } }, /holds mpy's own modules/],
    [{ mounts: { '/app': 42 } }, /give a host directory/],
    [{ cwd: '/elsewhere', mounts: { '/app': dir } }, /cwd \/elsewhere is not inside any mount \(\/app\)/],
    [{ cwd: '/app' }, /not inside any mount \(there are none\)/],
    [{ heapSize: 'lots' }, /heapSize "lots" is not a size/],
    [{ heapSize: '1K' }, /below the minimum '256K'/],
    [{ heapSize: 4096 * 1024 * 1024 }, /above the maximum/],
    [{ heapSize: 1.5 }, /is not a size/],
    [{ timeoutMs: 0 }, /timeoutMs must be greater than 0/],
    [{ timeoutMs: -5 }, /greater than 0/],
    [{ timeoutMs: NaN }, /must be a number/],
    [{ timeoutMs: 2 ** 40 }, /use Infinity or omit it/],
    [{ env: { A: 1 } }, /env.A must be a string/],
    [{ argv: 'main.py' }, /argv must be an array of strings/],
    [{ stdout: 'pipe' }, /stdout must be 'capture', 'inherit', 'ignore' or a function/],
    [{ stdin: 5 }, /stdin must be a string or a Uint8Array/],
    [{ network: true }, /network must be false or/],
    [{ network: { allow: ['example.com'] } }, /network.allow: "example.com" is not HOST:PORT/],
    [{ heapsize: '4M' }, /unknown option 'heapsize'; did you mean 'heapSize'\?/],
    [{ bogus: 1 }, /unknown option 'bogus'; the options are/],
  ])('%o is refused', (options, message) => {
    expect(() => bad(options)).toThrow(TypeError);
    expect(() => bad(options)).toThrow(message);
  });

  it('accepts sizes in the Unix port syntax and bytes', () => {
    expect(validateOptions({ heapSize: '512K' }).worker.heapLimitBytes).toBe(512 * 1024);
    expect(validateOptions({ heapSize: '2M' }).worker.heapLimitBytes).toBe(2 * 1024 * 1024);
    expect(validateOptions({ heapSize: 300_000 }).worker.heapLimitBytes).toBe(300_000);
    expect(validateOptions({ heapSize: '0x100000' }).worker.heapLimitBytes).toBe(1024 * 1024);
  });

  it('treats Infinity as no time limit, and cwd inside a mount as fine', () => {
    expect(validateOptions({ timeoutMs: Infinity }).timeoutMs).toBeUndefined();
    expect(validateOptions({ mounts: { '/app': dir }, cwd: '/app/sub' }).worker.cwd).toBe('/app/sub');
  });

  it('network: off, or an allow-list', () => {
    expect(validateOptions({ network: false }).worker.networkAllow).toEqual([]);
    expect(validateOptions({ network: { allow: ['127.0.0.1:8080', '*.example.com:*', '[::1]:80'] } }).worker.networkAllow).toHaveLength(3);
  });
});

describe('MicroPython.create', () => {
  it('rejects bad options before starting a worker', async () => {
    const before = liveWorkerCount();
    await expect(MicroPython.create({ mounts: { '/x': join(dir, 'nope') } })).rejects.toThrow(/nope does not exist/);
    await expect(MicroPython.create({ timeoutMs: 0 })).rejects.toThrow(TypeError);
    expect(liveWorkerCount()).toBe(before);
  });

  it('a heapSize bound is honoured inside Python', async () => {
    await using mp = await MicroPython.create({ heapSize: '2M' });
    await expect(mp.exec('x = bytearray(3 * 1024 * 1024)')).rejects.toMatchObject({ type: 'MemoryError' });
    expect(await mp.eval('len(bytearray(512 * 1024))')).toBe(512 * 1024);
  });
});
