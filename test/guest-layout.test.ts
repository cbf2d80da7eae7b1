// The guest layout the `mpy` command and the embedding API share
// (runtime/guest-layout.ts): one "can't open file" message and status, one
// rule for a directory given as the program, one unittest, and the heap
// defaults `mpy -h` states.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMpy } from './helpers/cli.js';
import { ensureDist } from './helpers/dist.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';
import type * as Api from '../dist/index.js';
import type * as Layout from '../dist/runtime/guest-layout.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js', 'dist/host/cli/main.js']);
const { MicroPython } = (await import('../dist/index.js')) as typeof Api;
const layout = (await import('../dist/runtime/guest-layout.js')) as typeof Layout;

let dir: string;
beforeAll(() => {
  dir = tempDir('mpy-layout-');
  mkdirSync(join(dir, 'pkgdir'));
  writeFileSync(join(dir, 'which_unittest.py'), 'import unittest\nprint(unittest.__file__)\n');
});
afterAll(() => removeDir(dir));

describe('the program cannot be opened', () => {
  it('the command and runFile print the same line and exit with the same status', async () => {
    const cli = await runMpy(['/no/such/script.py']);
    expect(cli.status).toBe(layout.CANNOT_OPEN_STATUS);
    expect(cli.stderr).toBe("mpy: can't open file '/no/such/script.py': [Errno 2] No such file or directory\n");
    await using mp = await MicroPython.create({ stdout: 'ignore' });
    const embedded = await mp.runFile('/no/such/script.py');
    expect(embedded.exitCode).toBe(cli.status);
    expect(embedded.stderr).toBe(cli.stderr);
  });

  it('a directory is run by both and fails as the Unix port does, with OSError EISDIR and status 1', async () => {
    const cli = await runMpy([join(dir, 'pkgdir')]);
    expect(cli.status).toBe(layout.UNCAUGHT_EXCEPTION_STATUS);
    expect(cli.stderr).toContain('OSError: [Errno 21] EISDIR');
    await using mp = await MicroPython.create({ mounts: { '/app': dir } });
    const embedded = await mp.runFile('/app/pkgdir');
    expect(embedded.exitCode).toBe(layout.UNCAUGHT_EXCEPTION_STATUS);
    expect(embedded.stderr).toContain('OSError: [Errno 21] EISDIR');
  });
});

describe('one unittest for every entry point', () => {
  it("the command and an embedded instance both import mpy's unittest, not the build's frozen one", async () => {
    const cli = await runMpy([join(dir, 'which_unittest.py')]);
    const expected = `${layout.GUEST_LIB_DIR}/unittest/__init__.py`;
    expect(cli.stdout).toBe(`${expected}\n`);
    await using mp = await MicroPython.create({ mounts: { '/app': dir } });
    const embedded = await mp.runFile('/app/which_unittest.py');
    expect(embedded.stdout).toBe(cli.stdout);
  });
});

describe('usage statuses', () => {
  it('the command exits 1 on a bad option, as micropython does; a subcommand exits 2, as getopt tools do', async () => {
    const run = await runMpy(['-Q']);
    expect(run.status).toBe(layout.USAGE_STATUS);
    expect(run.status).toBe(1);
    const sub = await runMpy(['install', '--no-such-option']);
    expect(sub.status).toBe(layout.SUBCOMMAND_USAGE_STATUS);
    expect(sub.status).toBe(2);
  });

  it.each(['700', '16K', '0'])('-X heapsize=%s, below what the boot needs, is refused with the minimum', async (size) => {
    const r = await runMpy(['-X', `heapsize=${size}`, '-c', 'print(1)']);
    expect(r.status).toBe(layout.USAGE_STATUS);
    expect(r.stderr).toContain(`below the minimum ${layout.MIN_HEAP_TEXT} that mpy needs to start`);
  });

  it('-X heapsize at the minimum starts and runs the program', async () => {
    const least = await runMpy(['-X', `heapsize=${layout.MIN_HEAP_TEXT}`, '-c', 'print(1)']);
    expect(least.stdout).toBe('1\n');
  });

  it('a boot that runs out of heap (a long sys.argv in the smallest heap) says so and exits 1', async () => {
    const argv = Array.from({ length: 3000 }, (_, i) => String(i));
    const r = await runMpy(['-X', `heapsize=${layout.MIN_HEAP_TEXT}`, '-c', 'pass', ...argv]);
    expect(r.stderr).toBe(
      `mpy: MemoryError while starting: a ${layout.MIN_HEAP_BYTES}-byte heap (-X heapsize) cannot hold sys.argv and sys.path; give a larger -X heapsize\n`,
    );
    expect(r.status).toBe(layout.UNCAUGHT_EXCEPTION_STATUS);
  });

  it('mpy -h states the heap defaults and MICROPYPATH the layout defines', async () => {
    const help = await runMpy(['-h']);
    expect(help.stdout).toContain(`starts at ${layout.INITIAL_HEAP_BYTES}, grows to at most ${layout.CLI_HEAP_LIMIT_BYTES}`);
    expect(help.stdout).toContain(`(default ${layout.DEFAULT_MICROPYPATH})`);
    expect(layout.DEFAULT_MICROPYPATH).toBe('.frozen:~/.micropython/lib:/usr/lib/micropython');
  });
});

describe('the compiled boot modules', () => {
  const probe = [
    'import sys',
    'print([sys.modules[m].__file__.rsplit("/", 2)[-2:] for m in ("_mpy_boot", "_mpy_run")])',
    'def f():',
    '    raise ValueError(7)',
    'f()',
  ].join('\n');

  it("the command boots from the build's .mpy (MPY_NO_COMPILED_BOOT=1: from the sources) and reports a program's error the same way", async () => {
    const compiled = await runMpy(['-c', probe]);
    const sources = await runMpy(['-c', probe], { env: { [layout.NO_COMPILED_BOOT_ENV]: '1' } });
    expect(compiled.stdout).toBe("[['.boot', '_mpy_boot.mpy'], ['.boot', '_mpy_run.mpy']]\n");
    expect(sources.stdout).toBe("[['micropython', '_mpy_boot.py'], ['micropython', '_mpy_run.py']]\n");
    // The runner's own frames are hidden either way (the .mpy carry their sources' guest paths).
    const traceback =
      'Traceback (most recent call last):\n  File "<stdin>", line 5, in <module>\n  File "<stdin>", line 4, in f\nValueError: 7\n';
    expect(compiled.stderr).toBe(traceback);
    expect(sources.stderr).toBe(traceback);
    expect(compiled.status).toBe(layout.UNCAUGHT_EXCEPTION_STATUS);
  });

  it('an embedded instance boots from them too', async () => {
    await using mp = await MicroPython.create({ stdout: 'ignore' });
    expect(await mp.eval('__import__("sys").modules["_mpy_embed"].__file__')).toBe(`${layout.GUEST_BOOT_DIR}/_mpy_embed.mpy`);
  });
});
