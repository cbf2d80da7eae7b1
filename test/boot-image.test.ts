// Boot images (runtime/boot-image.ts, captured by the build): a start from an
// image behaves as a start that boots, for the `mpy` command and for an
// embedded instance, and an image that does not fit is never used.
import { execFileSync } from 'node:child_process';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bootImageIsCurrent,
  bootImagePath,
  IMAGE_PAGE_BYTES,
  nonZeroPages,
  parseBootImage,
  readBootImage,
  restorePages,
  staleInput,
} from '../runtime/boot-image.js';
import { BootImageMismatch, Interpreter } from '../runtime/interpreter.js';
import { runMpy } from './helpers/cli.js';
import { ensureDist, ROOT } from './helpers/dist.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';

ensureDist(['runtime'], ['dist/boot-images/cli.img', 'dist/boot-images/embed.img']);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) removeDir(d);
});

/** What a program sees of the state a boot leaves, printed one fact per line. */
const PROBE = `
import sys, os, time, gc
print(sys.argv)
print(sys.path)
print(os.getcwd())
print(os.getenv('MPY_PROBE_VAR'))
print(sorted(sys.modules))
def deep(n):
    return deep(n + 1)
try:
    deep(0)
except RuntimeError as e:
    print('RuntimeError', e)
time.sleep_ms(1)
print(len(os.urandom(8)))
for name in ('js', 'jsffi', 'uctypes', '_mpy_stack', '_mpy_js_probe'):
    try:
        __import__(name)
        print('import', name)
    except ImportError:
        print('no', name)
gc.collect()
print(sum(len(bytearray(1000)) for _ in range(3000)))
raise ValueError('the end')
`;

describe('the mpy command started from its boot image', () => {
  it('takes the image, and a program sees what it sees after a boot', async () => {
    const cwd = tempDir('mpy-boot-image-');
    dirs.push(cwd);
    writeFileSync(join(cwd, 'probe.py'), PROBE);
    const env = { MPY_PROBE_VAR: 'seen', MPY_DEBUG: 'boot' };
    const imaged = await runMpy(['probe.py', 'one', 'two'], { cwd, env });
    const booted = await runMpy(['probe.py', 'one', 'two'], { cwd, env: { ...env, MPY_NO_BOOT_IMAGE: '1' } });
    expect(imaged.stderr).toContain('mpy: boot image cli: used');
    expect(booted.stderr).not.toContain('boot image');
    expect(imaged.status).toBe(1);
    expect(imaged.stdout).toBe(booted.stdout);
    expect(imaged.stderr.replace(/^mpy: boot image.*\n/m, '')).toBe(booted.stderr);
    expect(imaged.stdout).toContain("['probe.py', 'one', 'two']\n");
    expect(imaged.stdout).toContain(`${cwd}\nseen\n`);
    expect(imaged.stdout).toContain('RuntimeError maximum recursion depth exceeded\n');
    expect(imaged.stdout).toContain('import js\n');
  });

  it('boots instead under options the image was not captured for (a heap size)', async () => {
    const r = await runMpy(['-X', 'heapsize=3M', '-c', 'print(1)'], { env: { MPY_DEBUG: 'boot' } });
    expect(r.stdout).toBe('1\n');
    expect(r.stderr).toMatch(/boot image cli: not used: captured for .*"heapBytes":\d+.*this boot is .*"heapBytes":3145728/);
  });
});

/** Runs an embedded instance in a child process; returns what it printed and what `MPY_DEBUG=boot` said. */
function embedded(env: NodeJS.ProcessEnv): { stdout: string; stderr: string } {
  const script = `
    const { MicroPython } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'index.js')).href)});
    for (const thread of ['worker', 'current']) {
      let out = '';
      const mp = await MicroPython.create({ thread, argv: ['a'], env: { MPY_PROBE_VAR: 'seen' }, stdout: (s) => { out += s; }, stderr: (s) => { out += s; } });
      try { await mp.exec(${JSON.stringify(PROBE)}); } catch (e) { out += e.type + '\\n'; }
      out += await mp.eval('1 + 1') + '\\n';
      await mp.dispose();
      process.stdout.write(thread + ':\\n' + out);
    }`;
  try {
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { stdout, stderr: '' };
  } catch (e) {
    const failed = e as { stdout: string; stderr: string };
    return { stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('an embedded instance started from its boot image', () => {
  it('takes the image in a worker and in the calling thread, and its sandbox is as closed as after a boot', () => {
    const imaged = embedded({ MPY_DEBUG: 'boot' });
    const booted = embedded({ MPY_NO_BOOT_IMAGE: '1' });
    expect(imaged.stdout).toBe(booted.stdout);
    expect(imaged.stdout).toContain('no js\nno jsffi\nno uctypes\nno _mpy_stack\nno _mpy_js_probe\n');
    expect(imaged.stdout).toContain("['a']\n");
    expect(imaged.stdout).toContain('RuntimeError');
    expect(imaged.stdout).toContain('seen\n');
    expect(imaged.stdout.match(/^2$/gm)).toHaveLength(2);
  });
});

describe('the image file', () => {
  const built = readBootImage('cli', 'no such key');

  it('is used only under the key it was captured for', () => {
    expect(built).toBeUndefined();
  });

  it('is current after the build (the test set-up rebuilds it otherwise)', () => {
    expect(bootImageIsCurrent('cli')).toBe(true);
    expect(bootImageIsCurrent('embed')).toBe(true);
  });

  it('is refused when it is not an image, truncated, of another format or out of order', () => {
    const file = execFileSync('cat', [bootImagePath('cli')]);
    const image = parseBootImage(file);
    if (typeof image === 'string') throw new Error(image);
    expect(image.pages.length).toBeGreaterThan(10);
    expect(parseBootImage(Buffer.from('garbage'))).toBe('not a boot image');
    expect(parseBootImage(file.subarray(0, file.byteLength - 1))).toBe('truncated');
    const headerEnd = file.indexOf('}', 0) + 1;
    const text = file.toString('latin1');
    const reformatted = Buffer.from(text.replace('"format":1', '"format":9'), 'latin1');
    expect(parseBootImage(reformatted)).toBe('format 9, not 1');
    expect(headerEnd).toBeGreaterThan(0);
    const swapped = text.replace(/"pages":\[(\d+),(\d+)/, (_m, a: string, b: string) => `"pages":[${b},${a}`);
    expect(parseBootImage(Buffer.from(swapped, 'latin1'))).toBe('its page list is out of order or out of range');
  });

  it('is stale when an input is newer than it, or gone', () => {
    const root = tempDir('mpy-boot-image-inputs-');
    dirs.push(root);
    writeFileSync(join(root, 'a.js'), '');
    writeFileSync(join(root, 'b.js'), '');
    utimesSync(join(root, 'a.js'), 1000, 1000);
    utimesSync(join(root, 'b.js'), 3000, 3000);
    expect(staleInput(['a.js', 'b.js'], 4_000_000, root)).toBeUndefined();
    expect(staleInput(['a.js', 'b.js'], 2_000_000, root)).toBe('b.js');
    expect(staleInput(['a.js', 'gone.js'], 4_000_000, root)).toBe('gone.js');
  });
});

describe('memory pages', () => {
  it('keeps the pages that are not all zero, and restoring clears what a fresh memory held first', () => {
    const captured = new ArrayBuffer(8 * IMAGE_PAGE_BYTES);
    const bytes = new Uint8Array(captured);
    bytes[5] = 1;
    bytes[3 * IMAGE_PAGE_BYTES + 100] = 2;
    bytes[8 * IMAGE_PAGE_BYTES - 1] = 3;
    const { pages, data } = nonZeroPages(captured);
    expect(pages).toEqual([0, 3, 7]);
    const fresh = new Uint8Array(8 * IMAGE_PAGE_BYTES);
    fresh[IMAGE_PAGE_BYTES + 7] = 9; // fresh static data the image does not hold
    const state = { memoryBytes: captured.byteLength, freshExtent: 2 * IMAGE_PAGE_BYTES };
    restorePages(fresh.buffer, { key: '', pages, data, state: state as never });
    expect(fresh).toEqual(bytes);
    expect(() => restorePages(new ArrayBuffer(IMAGE_PAGE_BYTES), { key: '', pages, data, state: state as never })).toThrow(RangeError);
  });
});

describe('capturing and restoring an interpreter', () => {
  const stdio = { write: (): void => {}, read: (): number => 0 };

  it('refuses to capture while the glue holds a Python object for JS', async () => {
    const interp = await Interpreter.create({ stdio, capturing: true });
    expect(() => interp.captureImage()).not.toThrow();
    interp.keepFunction('len');
    expect(() => interp.captureImage()).toThrow(/Python objects for JS/);
  });

  it('refuses to restore a table whose host modules lack what the image names', async () => {
    const source = await Interpreter.create({ stdio, capturing: true });
    source.registerJsModule('_mpy_probe_host', { value: () => 1 });
    source.exec('import _mpy_probe_host\nv = _mpy_probe_host.value');
    const state = source.captureImage();
    const { pages, data } = nonZeroPages(source.heapU8().buffer);
    const image = { key: '', state, pages, data };
    let printed = '';
    const capture = {
      write: (_fd: 1 | 2, bytes: Uint8Array): void => {
        printed += Buffer.from(bytes).toString();
      },
      read: (): number => 0,
    };
    const ok = await Interpreter.create({ stdio: capture, image });
    ok.restoreTable({ _mpy_probe_host: { value: () => 42 } });
    ok.exec('print(v())');
    expect(printed).toBe('42\n');
    const bad = await Interpreter.create({ stdio, image });
    expect(() => bad.restoreTable({ _mpy_probe_host: { other: () => 1 } })).toThrow(BootImageMismatch);
  });
});
