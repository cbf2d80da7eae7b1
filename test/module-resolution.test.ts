// Module resolution as the Unix port does it: the user's files cannot break
// mpy's boot or runner, the build's extra frozen modules rank after the
// user's paths, and os/time on the user's path win as they do natively.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDist } from './helpers/dist.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';
import { runMpy, type MpyResult } from './helpers/cli.js';
import type * as Api from '../dist/index.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/host/cli/main.js', 'dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython } = (await import('../dist/index.js')) as typeof Api;

let cwd: string;
let home: string;

beforeEach(() => {
  cwd = tempDir('mpy-resolve-cwd-');
  home = tempDir('mpy-resolve-home-');
});
afterEach(() => {
  removeDir(cwd);
  removeDir(home);
});

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

/** `mpy -c CODE` in the temp cwd, with the temp HOME and the default MICROPYPATH. */
function mpy(code: string, env: NodeJS.ProcessEnv = {}): Promise<MpyResult> {
  return runMpy(['-c', code], { cwd, env: { HOME: home, MICROPYPATH: undefined, ...env } });
}

const userLib = (): string => join(home, '.micropython', 'lib');

describe("the user's files do not break mpy's own start-up", () => {
  it.each([
    ['os.py and time.py', { 'os.py': 'raise ImportError("user os")\n', 'time.py': 'raise ImportError("user time")\n' }],
    ['an os/ directory (os.path installed into the cwd)', { 'os/path.py': 'P = 1\n' }],
    [
      'the runner module names',
      { '_mpy_run.py': 'raise ImportError("no")\n', '_mpy_outcome.py': 'x = (\n', 'io.py': 'raise ImportError("user io")\n' },
    ],
  ])('%s in the working directory', async (_what, files) => {
    write(cwd, files);
    const r = await mpy('print(1)');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1\n');
    expect(r.status).toBe(0);
  });

  it("io.py in the working directory does not break mpy's own socket, uzlib and pkg_resources", async () => {
    write(cwd, { 'io.py': 'X = "user io"\n' });
    const r = await mpy('import io, socket, uzlib, pkg_resources\nprint(io.X, uzlib.decompress(b"x\\x9c\\x03\\x00\\x00\\x00\\x00\\x01"))');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("user io b''\n");
  });

  it('os.py on MICROPYPATH', async () => {
    write(userLib(), { 'os.py': 'raise ImportError("user os")\n' });
    const r = await mpy('print(2)');
    expect(r.stdout).toBe('2\n');
    expect(r.status).toBe(0);
  });

  it('a failing script of the user is reported with its own traceback, not an internal error', async () => {
    write(cwd, { 'os.py': 'X = 1\n', 'app.py': 'import os\nprint(os.X)\nraise ValueError("boom")\n' });
    const r = await runMpy(['app.py'], { cwd, env: { HOME: home } });
    expect(r.stdout).toBe('1\n');
    expect(r.stderr).toBe('Traceback (most recent call last):\n  File "app.py", line 3, in <module>\nValueError: boom\n');
    expect(r.status).toBe(1);
  });
});

describe('os and time on the user path win, as on the Unix port', () => {
  it('os.py and time.py in the working directory are what import os / import time give; uos stays built in', async () => {
    write(cwd, { 'os.py': 'X = "user os"\n', 'time.py': 'X = "user time"\n' });
    const r = await mpy('import os, time, uos\nprint(os.X, time.X, hasattr(uos, "getcwd"))');
    expect(r.stdout).toBe('user os user time True\n');
  });

  it('an os/ directory is a namespace package, as natively (os.path from it, no os.getcwd)', async () => {
    write(cwd, { 'os/path.py': 'P = 7\n' });
    const r = await mpy('import os\nimport os.path\nprint(hasattr(os, "getcwd"), os.path.P)');
    expect(r.stdout).toBe('False 7\n');
  });

  it('with MICROPYPATH set (no .frozen), os.py there wins and the frozen extras and unittest still load', async () => {
    const lib = join(home, 'mylib');
    write(lib, { 'os.py': 'from uos import *\nMINE = 1\n' });
    const r = await mpy('import os, functools, unittest\nprint(os.MINE, hasattr(functools, "partial"), unittest.__version__)', {
      MICROPYPATH: lib,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1 True mpy-1\n');
  });

  it('a file named os (no .py) or a directory named time.py is not a module, as natively', async () => {
    write(cwd, { os: 'not a module\n', 'time.py/x': '' });
    const r = await mpy(`import os, time\nprint(os.getenv("HOME") == "${home}", hasattr(time, "sleep_ms"))`);
    expect(r.stdout).toBe('True True\n');
  });

  it('os.py in ~/.micropython/lib wins and may build on uos', async () => {
    write(userLib(), { 'os.py': 'from uos import *\nMINE = True\n' });
    const r = await mpy(`import os\nprint(os.MINE, os.getcwd() == "${cwd}")`);
    expect(r.stdout).toBe('True True\n');
  });

  it('with no user copy, os and time keep what mpy adds (getenv, sleeps) and os.path works', async () => {
    const r = await mpy(
      'import os, time\nprint(os.getenv("HOME") == "' +
        home +
        '", os.path.join("a", "b"))\ntime.sleep_ms(1)\nimport utime\nprint(utime is time)',
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('True a/b\nTrue\n');
  });
});

describe("the build's extra frozen modules rank after the user's paths", () => {
  it('functools, datetime and collections from ~/.micropython/lib win over the frozen copies', async () => {
    write(userLib(), {
      'functools.py': 'WHO = "installed functools"\n',
      'datetime.py': 'WHO = "installed datetime"\n',
      'collections/defaultdict.py': 'WHO = "installed defaultdict"\n',
    });
    const r = await mpy(
      'import functools, datetime\nfrom collections.defaultdict import WHO\nprint(functools.WHO, datetime.WHO, WHO, sep="|")',
    );
    expect(r.stdout).toBe('installed functools|installed datetime|installed defaultdict\n');
  });

  it('without a user copy the frozen modules load, from the cwd too when the import happens inside a user module', async () => {
    write(cwd, {
      'app_mod.py': 'from functools import partial\nimport datetime\nV = partial(max, 3)(1), datetime.timedelta(seconds=60).seconds\n',
    });
    const r = await mpy('import app_mod\nprint(app_mod.V)');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('(3, 60)\n');
  });

  it("unittest is mpy's own unless the user installs one", async () => {
    expect((await mpy('import unittest\nprint(unittest.__version__)')).stdout).toBe('mpy-1\n');
    write(userLib(), { 'unittest/__init__.py': '__version__ = "installed"\n' });
    expect((await mpy('import unittest\nprint(unittest.__version__)')).stdout).toBe('installed\n');
  });

  it('a failing unittest suite run as a script exits 1 (no false pass)', async () => {
    write(cwd, {
      'test_x.py':
        'import unittest\nclass T(unittest.TestCase):\n    def test_fails(self):\n        self.assertEqual(1, 2)\nif __name__ == "__main__":\n    unittest.main()\n',
    });
    const r = await runMpy(['test_x.py'], { cwd, env: { HOME: home } });
    expect(r.stderr).toContain('AssertionError: 1 != 2');
    expect(r.status).toBe(1);
  });

  it('argparse (frozen on the Unix port) ranks where .frozen is: the cwd wins, ~/.micropython/lib does not', async () => {
    write(userLib(), { 'argparse.py': 'WHO = "lib"\n' });
    expect((await mpy('import argparse\nprint(getattr(argparse, "WHO", "mpy"))')).stdout).toBe('mpy\n');
    write(cwd, { 'argparse.py': 'WHO = "cwd"\n' });
    expect((await mpy('import argparse\nprint(getattr(argparse, "WHO", "mpy"))')).stdout).toBe('cwd\n');
  });
});

describe('embedding: one unittest, the same ranking', () => {
  it("an instance gets mpy's unittest, and a mounted copy on its path wins", async () => {
    write(cwd, { 'unittest/__init__.py': '__version__ = "mounted"\n' });
    {
      await using mp = await MicroPython.create();
      expect(await mp.eval('__import__("unittest").__version__')).toBe('mpy-1');
    }
    await using mp = await MicroPython.create({ mounts: { '/app': cwd }, cwd: '/app' });
    expect(await mp.eval('__import__("unittest").__version__')).toBe('mounted');
  });

  it("an instance whose sys.path leaves out mpy's lib directory still gets mpy's unittest", async () => {
    await using mp = await MicroPython.create({ path: [''] });
    expect(await mp.eval('__import__("unittest").__version__')).toBe('mpy-1');
  });

  it('os.py in the working directory of an instance does not break it', async () => {
    write(cwd, { 'os.py': 'raise ImportError("user os")\n' });
    await using mp = await MicroPython.create({ mounts: { '/app': cwd }, cwd: '/app' });
    expect(await mp.eval('1 + 1')).toBe(2);
  });
});

describe('the ranking lists', () => {
  it("name every module the build freezes (so a new interpreter version cannot slip one in front of the user's paths)", async () => {
    await using mp = await MicroPython.create();
    await mp.exec("help('modules')");
    const listed = new Set(
      mp.stdout
        .split(/\s+/)
        .map((w) => w.split('/')[0]!)
        .filter((w) => /^[a-z_][a-z0-9_]*$/.test(w) && w !== '__main__'),
    );
    expect(listed.size).toBeGreaterThan(20);
    await mp.exec(
      [
        'import sys, _mpy_resolve',
        'def _frozen(names):',
        '    out = []',
        '    saved = sys.path[:]',
        '    for n in names:',
        '        kept = {k: sys.modules.pop(k) for k in list(sys.modules) if k == n or k.startswith(n + ".")}',
        '        sys.path[:] = [".frozen"]',
        '        try:',
        '            if hasattr(_mpy_resolve.raw_import(n), "__file__"):',
        '                out.append(n)',
        '        except ImportError:',
        '            pass',
        '        finally:',
        '            sys.path[:] = saved',
        '            for k in list(sys.modules):',
        '                if k == n or k.startswith(n + "."):',
        '                    del sys.modules[k]',
        '            sys.modules.update(kept)',
        '    return out',
      ].join('\n'),
    );
    const frozen = await mp.call<string[]>('_frozen', [...listed]);
    expect(frozen.length).toBeGreaterThan(10);
    const ranked = new Set([
      ...(await mp.eval<string[]>('sorted(__import__("_mpy_resolve").BUILD_EXTRAS)')),
      ...(await mp.eval<string[]>('sorted(__import__("_mpy_resolve").UNIX_FROZEN)')),
    ]);
    expect(frozen.filter((n) => !ranked.has(n))).toEqual([]);
  });
});
