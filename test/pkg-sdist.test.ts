import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDistribution } from '../host/archive/distribution.js';
import { PackagingError } from '../host/pkg/errors.js';
import { buildSdist } from '../host/pkg/sdist.js';
import { ensureDist } from './helpers/dist.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';
import { runMpy } from './helpers/cli.js';
import { loadRawInterpreter, type RawInterpreter } from './helpers/raw-interpreter.js';

const PKG_RESOURCES = readFileSync(new URL('../runtime/lib/pkg_resources.py', import.meta.url), 'utf8');

function project(files: Record<string, string | Uint8Array>): string {
  const dir = tempDir('mpy-sdist-');
  for (const [path, data] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), data);
  }
  return dir;
}

const PYPROJECT = `[project]
name = "micropython-demo"
version = "0.3.1"
description = "Demo package"
dependencies = ["micropython-os", "micropython-json>=1.0"]
`;

const FLAT = {
  'pyproject.toml': PYPROJECT,
  'MANIFEST.in': 'include README.md\nrecursive-include demo *.txt *.bin\nprune demo/private\n',
  'README.md': '# Demo\n',
  'demo/__init__.py': 'from .core import VALUE\n',
  'demo/core.py': 'VALUE = 42\n',
  'demo/data/hello.txt': 'hello resource\n',
  'demo/blob.bin': Uint8Array.from({ length: 256 }, (_, i) => 255 - i),
  'demo/private/secret.txt': 'no\n',
  'tests/test_demo.py': 'import demo\n',
};

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));
const mk = (files: Record<string, string | Uint8Array>): string => {
  const d = project(files);
  dirs.push(d);
  return d;
};

async function failure(p: Promise<unknown>): Promise<PackagingError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(PackagingError);
    return e as PackagingError;
  }
  throw new Error('expected a PackagingError');
}

describe('mpy sdist (library)', () => {
  let mp: RawInterpreter;
  beforeAll(async () => {
    mp = await loadRawInterpreter();
    mp.writeFile('/usr/lib/micropython/pkg_resources.py', PKG_RESOURCES);
  });

  it('builds NAME-VERSION.tar.gz with modules, R.py, PKG-INFO and requires.txt (flat layout)', async () => {
    const dir = mk(FLAT);
    const result = await buildSdist({ dir });
    expect(result.archive).toBe(join(dir, 'dist', 'micropython-demo-0.3.1.tar.gz'));
    const b = 'micropython-demo-0.3.1';
    expect(result.members).toEqual([
      `${b}/`,
      `${b}/PKG-INFO`,
      `${b}/demo/`,
      `${b}/demo/R.py`,
      `${b}/demo/__init__.py`,
      `${b}/demo/blob.bin`,
      `${b}/demo/core.py`,
      `${b}/demo/data/`,
      `${b}/demo/data/hello.txt`,
      `${b}/micropython_demo.egg-info/`,
      `${b}/micropython_demo.egg-info/PKG-INFO`,
      `${b}/micropython_demo.egg-info/requires.txt`,
    ]);
    expect(result.resourceModules).toEqual(new Map([['demo', 2]]));
    expect(result.warnings.some((w) => w.startsWith('README.md: not inside a package'))).toBe(true);
    expect(result.warnings.some((w) => /micropython-json>=1\.0/.test(w))).toBe(true);

    const dist = readDistribution(readFileSync(result.archive), result.archive);
    expect(dist.metadata).toEqual({
      name: 'micropython-demo',
      version: '0.3.1',
      summary: 'Demo package',
      requires: ['micropython-os', 'micropython-json'],
    });
    const r = new TextDecoder().decode(dist.members.find((m) => m.path.endsWith('demo/R.py'))!.entry.data);
    expect(r).toContain("'blob.bin': b'\\xff\\xfe");
    expect(r).toContain("'data/hello.txt': b'hello resource\\n',");
    expect(dist.members.every((m) => m.entry.mtime === 0)).toBe(true);
  });

  it('installs the way upip does inside MicroPython: 4 KiB-window gunzip, 100-byte names, R.py resources', async () => {
    const dir = mk(FLAT);
    const { archive } = await buildSdist({ dir });
    mp.writeFile('/dl/demo.tar.gz', readFileSync(archive));
    // upip's install_tar, reduced: skip PKG-INFO/README/setup./egg-info, keep requires.txt.
    const out = mp.run(
      [
        'import sys, os, deflate',
        "sys.path[:0] = ['/site', '/usr/lib/micropython']",
        "f = deflate.DeflateIO(open('/dl/demo.tar.gz', 'rb'), deflate.GZIP, 12)",
        'deps = None',
        'while True:',
        '    h = f.read(512)',
        '    if not h or h[0] == 0: break',
        "    name = str(h[:100], 'utf-8').rstrip('\\0')",
        '    size = int(bytes(h[124:135]), 8)',
        '    data = f.read(size)',
        '    f.read((512 - size % 512) % 512)',
        "    rel = name[name.index('/') + 1:]",
        "    if rel.startswith(('setup.', 'PKG-INFO', 'README')) or '.egg-info' in rel:",
        "        if rel.endswith('/requires.txt'): deps = data",
        '        continue',
        "    if name.endswith('/'): continue",
        "    path = '/site/' + rel",
        "    parts = path.split('/')",
        '    for i in range(2, len(parts)):',
        '        try: os.mkdir("/".join(parts[:i]))',
        '        except OSError: pass',
        "    open(path, 'wb').write(data)",
        'import demo, pkg_resources',
        'print(demo.VALUE, deps)',
        "print(pkg_resources.resource_stream('demo', 'data/hello.txt').read())",
        "print(pkg_resources.resource_stream('demo', 'blob.bin').read() == bytes(range(255, -1, -1)))",
      ].join('\n'),
    );
    expect(out).toBe("42 b'micropython-os\\nmicropython-json\\n'\nb'hello resource\\n'\nTrue\n");
  });

  it('finds packages and modules in a src layout', async () => {
    const dir = mk({
      'pyproject.toml': '[project]\nname = "srcdemo"\nversion = "1.0"\n',
      'src/srcdemo/__init__.py': 'X = 1\n',
      'src/srcdemo/sub/m.py': 'Y = 2\n',
      'src/helper.py': 'Z = 3\n',
      'tests/test_x.py': '',
    });
    const result = await buildSdist({ dir, outDir: join(dir, 'out') });
    expect(result.archive).toBe(join(dir, 'out', 'srcdemo-1.0.tar.gz'));
    expect(result.layout.kind).toBe('src');
    expect(result.members.filter((m) => !m.endsWith('/'))).toEqual([
      'srcdemo-1.0/PKG-INFO',
      'srcdemo-1.0/helper.py',
      'srcdemo-1.0/srcdemo.egg-info/PKG-INFO',
      'srcdemo-1.0/srcdemo/__init__.py',
      'srcdemo-1.0/srcdemo/sub/m.py',
    ]);
  });

  it('ships [tool.mpy] py-modules and packages as listed', async () => {
    const dir = mk({
      'pyproject.toml': '[project]\nname = "two"\nversion = "2"\n[tool.mpy]\npy-modules = ["a", "b"]\n',
      'a.py': 'A = 1\n',
      'b.py': 'B = 1\n',
      'c.py': 'C = 1\n',
    });
    const result = await buildSdist({ dir });
    expect(result.members.filter((m) => m.endsWith('.py'))).toEqual(['two-2/a.py', 'two-2/b.py']);
  });

  it('gives the same bytes for the same input, whatever the file times', async () => {
    const dir = mk(FLAT);
    const first = readFileSync((await buildSdist({ dir })).archive);
    utimesSync(join(dir, 'demo', 'core.py'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const second = readFileSync((await buildSdist({ dir, outDir: join(dir, 'again') })).archive);
    expect(second.equals(first)).toBe(true);
    const other = mk(FLAT);
    expect(readFileSync((await buildSdist({ dir: other })).archive).equals(first)).toBe(true);
  });

  it('sets the member mtime when asked', async () => {
    const dir = mk(FLAT);
    const { archive } = await buildSdist({ dir, mtime: 1_600_000_000 });
    expect(readDistribution(readFileSync(archive), archive).members.every((m) => m.entry.mtime === 1_600_000_000)).toBe(true);
  });

  it('explains what is wrong', async () => {
    expect((await failure(buildSdist({ dir: mk({ 'demo.py': '' }) }))).code).toBe('no-pyproject');
    expect((await failure(buildSdist({ dir: mk({ 'pyproject.toml': '[project]\nname = "x"\n', 'x.py': '' }) }))).message).toMatch(
      /version is missing/,
    );
    const nothing = await failure(buildSdist({ dir: mk({ 'pyproject.toml': PYPROJECT, 'README.md': '' }) }));
    expect(nothing.code).toBe('nothing-to-ship');
    const bad = await failure(buildSdist({ dir: mk({ ...FLAT, 'MANIFEST.in': 'include README.md\n\ninclude-everything please\n' }) }));
    expect(bad.message).toMatch(/^MANIFEST\.in:3: unknown command "include-everything"/);
    const clash = await failure(buildSdist({ dir: mk({ ...FLAT, 'demo/R.py': 'R = {}\n' }) }));
    expect(clash.code).toBe('conflict');
    const long = await failure(buildSdist({ dir: mk({ 'pyproject.toml': PYPROJECT, [`demo/${'x'.repeat(90)}.py`]: '' }) }));
    expect(long.message).toMatch(/upip reads at most 100/);
  });
});

describe('mpy sdist and mpy bin2res (command line)', () => {
  beforeAll(() => ensureDist(['host'], ['dist/host/cli/main.js', 'dist/host/cli/commands/sdist.js', 'dist/host/cli/commands/bin2res.js']));

  it('mpy sdist DIR -o OUT writes the archive and reports it', async () => {
    const dir = mk(FLAT);
    const r = await runMpy(['sdist', dir, '-o', join(dir, 'o')], { env: { SOURCE_DATE_EPOCH: '1700000000' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*o\/micropython-demo-0\.3\.1\.tar\.gz \(8 files, \d+ bytes; demo\/R\.py: 2 resources\)\n$/);
    expect(r.stderr).toMatch(/warning: README\.md: not inside a package/);
    const archive = join(dir, 'o', 'micropython-demo-0.3.1.tar.gz');
    expect(readDistribution(readFileSync(archive), archive).members[0]!.entry.mtime).toBe(1_700_000_000);
  });

  it('names the archive relative to the cwd when below it, else by its absolute path', async () => {
    const dir = mk(FLAT);
    const inside = await runMpy(['sdist', '.', '-o', 'out'], { cwd: dir });
    expect(inside.stdout).toMatch(/^wrote out\/micropython-demo-0\.3\.1\.tar\.gz /);
    const other = mk(FLAT);
    const outside = await runMpy(['sdist', other, '-o', join(other, 'out')], { cwd: dir });
    expect(outside.stderr).not.toMatch(/error/i);
    expect(outside.stdout.startsWith(`wrote ${join(other, 'out', 'micropython-demo-0.3.1.tar.gz')} (`)).toBe(true);
  });

  it('mpy sdist fails with a message and status 1, and with status 2 on bad usage', async () => {
    const dir = mk({ 'x.py': '' });
    const r = await runMpy(['sdist', dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^mpy sdist: no pyproject\.toml or setup\.py in /);
    const u = await runMpy(['sdist', '--bogus']);
    expect(u.status).toBe(2);
    const h = await runMpy(['sdist', '--help']);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^usage: mpy sdist \[DIR\] \[-o OUTDIR\]/);
  });

  it('mpy bin2res writes R.py to stdout or -o', async () => {
    const dir = mk({ 'a.bin': Uint8Array.from([0, 1, 2]), 'sub/b.txt': 'b' });
    const r = await runMpy(['bin2res', 'a.bin', 'sub/b.txt'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("'a.bin': b'\\x00\\x01\\x02',\n'sub/b.txt': b'b',\n}");
    const o = await runMpy(['bin2res', 'a.bin', '-o', 'R.py'], { cwd: dir });
    expect(o.status).toBe(0);
    expect(readFileSync(join(dir, 'R.py'), 'utf8')).toContain("'a.bin': b'\\x00\\x01\\x02',");
    const missing = await runMpy(['bin2res', 'nope.bin'], { cwd: dir });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe('mpy bin2res: cannot read nope.bin: ENOENT\n');
    expect((await runMpy(['bin2res'], { cwd: dir })).status).toBe(2);
  });
});
