/**
 * Legacy setup.py projects (fixtures written here in the upip-era style):
 * read statically by mpy sdist, installed through mpy serve + mpy install
 * into the tree sdist_upip's archive gives, converted by --write-pyproject.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDistribution } from '../host/archive/index.js';
import { startIndexServer } from '../host/index/index.js';
import { install } from '../host/install/index.js';
import { PackagingError } from '../host/pkg/errors.js';
import { evaluateLiteral, isDict } from '../host/pkg/py-eval.js';
import { tokenize } from '../host/pkg/py-tokens.js';
import { buildSdist } from '../host/pkg/sdist.js';
import { runMpy } from './helpers/cli.js';
import { ensureDist } from './helpers/dist.js';
import { removeDir, snapshot, tempDir } from './helpers/fixture-dir.js';

let root: string;

const LOGO = Buffer.from([0x00, 0x27, 0x22, 0x5c, 0x0a, 0xff, 0x41]);

const UPIP_ERA_SETUP = `import sys

# Remove current dir from sys.path, otherwise setuptools will peek up our
# module instead of system's.
sys.path.pop(0)
from setuptools import setup

sys.path.append("..")
import sdist_upip

setup(
    name="micropython-demo.pkg",
    version="0.2-1",
    description="demo package for MicroPython",
    long_description=open("README.rst").read(),
    url="https://example.invalid/demo",
    author="Demo Developers",
    author_email="demo@example.invalid",
    maintainer="Demo Developers",
    maintainer_email="demo@example.invalid",
    license="MIT",
    cmdclass={"sdist": sdist_upip.sdist},
    packages=["demo"],
    py_modules=['demo_util'],
    install_requires=["micropython-os", 'micropython-json'],
    package_data={"demo": ["data/*.txt", "logo.bin"]},
)
`;

function project(name: string, files: Record<string, string | Uint8Array>): string {
  const dir = join(root, name);
  for (const [path, data] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), data);
  }
  return dir;
}

function demo(name: string): string {
  return project(name, {
    'setup.py': UPIP_ERA_SETUP,
    'README.rst': 'Demo\n====\n',
    'demo/__init__.py': 'from .core import *\n',
    'demo/core.py': 'def f():\n    return 1\n',
    'demo/data/a.txt': 'alpha\n',
    'demo/data/b.txt': 'beta\n',
    'demo/logo.bin': LOGO,
    'demo/notes.md': 'not in package_data\n',
    'demo/sub/deep.py': 'not a listed package\n',
    'demo_util.py': 'U = 1\n',
    'tests/test_demo.py': 'import demo\n',
  });
}

/** The value of `R` in an R.py, read with the project's own literal reader. */
function resources(text: string): Record<string, string> {
  const tokens = tokenize(text).filter((t) => t.kind !== 'newline');
  const value = evaluateLiteral(tokens.slice(2), text, new Map());
  if (!isDict(value)) throw new Error('R is not a dict');
  return Object.fromEntries(value.entries.map(([k, v]) => [k as string, Buffer.from(v as Uint8Array).toString('hex')]));
}

beforeAll(() => {
  ensureDist(['host', 'wasm', 'runtime'], ['dist/host/cli/main.js', 'dist/host/install/unpack-worker.js']);
  root = tempDir('mpy-setup-py-');
});
afterAll(() => removeDir(root));

describe('mpy sdist of a setup.py-only project', () => {
  it('reads the literal arguments, says what it ignored, and installs the tree sdist_upip would', async () => {
    const out = join(root, 'index');
    const r = await buildSdist({ dir: demo('demo'), outDir: out });
    expect(r.from).toBe('setup.py');
    expect(r.archive).toBe(join(out, 'micropython-demo.pkg-0.2.post1.tar.gz'));
    expect(r.warnings).toEqual(
      expect.arrayContaining([
        'setup.py: ignored long_description=open("README.rst").read() (line 15): not a literal, and PKG-INFO carries the one-line description; upip never reads the long one',
        'setup.py: ignored maintainer (line 19): mpy sdist writes the author only',
        'setup.py: ignored maintainer_email (line 20): mpy sdist writes the author only',
        'setup.py: ignored cmdclass={"sdist": sdist_upip.sdist} (line 22): not a literal, and mpy sdist writes the upip format itself (what sdist_upip did)',
      ]),
    );
    const dist = readDistribution(readFileSync(r.archive), r.archive);
    expect(dist.metadata).toMatchObject({
      name: 'micropython-demo.pkg',
      version: '0.2.post1',
      summary: 'demo package for MicroPython',
      requires: ['micropython-os', 'micropython-json'],
    });
    const pkgInfo = Buffer.from(dist.members.find((m) => m.path === 'micropython-demo.pkg-0.2.post1/PKG-INFO')!.entry.data).toString();
    expect(pkgInfo).toContain('Home-page: https://example.invalid/demo\n');
    expect(pkgInfo).toContain('Author-email: Demo Developers <demo@example.invalid>\n');
    expect(pkgInfo).toContain('License: MIT\n');

    // The same project without dependencies (this index has none of them), installed as upip lays it out.
    const plain = await buildSdist({
      dir: project('nodeps', { 'setup.py': UPIP_ERA_SETUP.replace(/ {4}install_requires=.*\n/, ''), ...demoFiles() }),
      outDir: join(root, 'index2'),
    });
    const server2 = await startIndexServer({ dir: join(root, 'index2'), port: 0 });
    const target = join(root, 'tree');
    try {
      await install({ requirements: ['micropython-demo.pkg'], indexes: [server2.indexUrl], target, noCache: true });
    } finally {
      await server2.close();
    }
    expect(plain.resourceModules).toEqual(new Map([['demo', 3]]));
    // What sdist_upip's archive installs: the listed modules and package files, the
    // package_data files, and demo/R.py with those resources keyed relative to the package.
    const tree = snapshot(target);
    expect(
      Object.keys(tree)
        .filter((p) => !tree[p]!.startsWith('dir'))
        .sort(),
    ).toEqual([
      '.mpy-installed.json',
      'demo/R.py',
      'demo/__init__.py',
      'demo/core.py',
      'demo/data/a.txt',
      'demo/data/b.txt',
      'demo/logo.bin',
      'demo_util.py',
    ]);
    expect(readFileSync(join(target, 'demo', 'core.py'), 'utf-8')).toBe('def f():\n    return 1\n');
    expect(readFileSync(join(target, 'demo', 'logo.bin'))).toEqual(LOGO);
    expect(resources(readFileSync(join(target, 'demo', 'R.py'), 'utf-8'))).toEqual({
      'data/a.txt': Buffer.from('alpha\n').toString('hex'),
      'data/b.txt': Buffer.from('beta\n').toString('hex'),
      'logo.bin': LOGO.toString('hex'),
    });
  });

  it('folds module-level literal names and +, and ignores a computed description with a warning', async () => {
    const dir = project('bisect', {
      'setup.py': `import sys\nsys.path.pop(0)\nfrom setuptools import setup\n\n\ndef desc_cpython(name):\n    return "CPython %s module ported to MicroPython" % name\n\n\nNAME = "bisect"\n\nsetup(\n    name="micropython-" + NAME,\n    version="0.5",\n    description=desc_cpython(NAME),\n    license="Python",\n    py_modules=[NAME],\n)\n`,
      'bisect.py': 'def bisect(a, x):\n    return 0\n',
    });
    const r = await buildSdist({ dir, outDir: join(root, 'out-bisect') });
    expect(r.name).toBe('micropython-bisect');
    expect(r.members).toContain('micropython-bisect-0.5/bisect.py');
    expect(r.warnings).toContain('setup.py: ignored description=desc_cpython(NAME) (line 15): not a literal');
  });

  it('refuses a setup.py whose shipped files or name depend on running it, pointing to --write-pyproject', async () => {
    const cases: Array<[string, RegExp]> = [
      [
        'from setuptools import setup, find_packages\nsetup(name="x", version="1", packages=find_packages())\n',
        /^setup\.py:2: packages=find_packages\(\) cannot be read without running setup\.py/,
      ],
      [
        'from setuptools import setup\nimport mod\nsetup(\n    name="x",\n    version=mod.__version__,\n)\n',
        /^setup\.py:5: version=mod\.__version__ cannot be read/,
      ],
      ['from setuptools import setup\nargs = dict(name="x")\nsetup(**args)\n', /^setup\.py:3: setup\(\) gets an unpacked argument/],
      ['print("no setup here")\n', /^setup\.py: no setup\(\.\.\.\) call found/],
    ];
    for (const [i, [text, message]] of cases.entries()) {
      const dir = project(`bad${i}`, { 'setup.py': text, 'x.py': 'X = 1\n' });
      const err = await buildSdist({ dir, outDir: join(dir, 'dist') }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PackagingError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).toContain('--write-pyproject');
    }
    const cli = await runMpy(['sdist', join(root, 'bad0')]);
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain('mpy sdist: setup.py:2: packages=find_packages() cannot be read');
  });

  it('with both files, says setup.py is ignored (its install_requires are not read)', async () => {
    const dir = project('both', {
      'setup.py': 'from setuptools import setup\nsetup(name="both", version="1.0", install_requires=["micropython-os"])\n',
      'pyproject.toml': '[project]\nname = "both"\nversion = "1.0"\n',
      'both.py': 'B = 1\n',
    });
    const r = await runMpy(['sdist', dir]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('mpy sdist: warning: setup.py is ignored: pyproject.toml has a [project] table');
    const dist = readDistribution(readFileSync(join(dir, 'dist', 'both-1.0.tar.gz')), 'both');
    expect(dist.metadata.requires).toEqual([]);
  });

  it('--write-pyproject writes the equivalent pyproject.toml; the archive is the same bytes', async () => {
    const dir = demo('convert');
    const before = await buildSdist({ dir, outDir: join(root, 'conv-a') });
    const r = await runMpy(['sdist', dir, '-o', join(root, 'conv-b'), '--write-pyproject']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`mpy sdist: wrote ${join(dir, 'pyproject.toml')} from setup.py`);
    const toml = readFileSync(join(dir, 'pyproject.toml'), 'utf-8');
    expect(toml).toContain('name = "micropython-demo.pkg"\nversion = "0.2-1"\n');
    expect(toml).toContain('[tool.mpy]\npackages = ["demo"]\npy-modules = ["demo_util"]\n');
    expect(toml).toContain('[tool.mpy.package-data]\n"demo" = ["data/*.txt", "logo.bin"]\n');
    expect(readFileSync(join(root, 'conv-b', 'micropython-demo.pkg-0.2.post1.tar.gz'))).toEqual(readFileSync(before.archive));
    const again = await runMpy(['sdist', dir, '--write-pyproject']);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('pyproject.toml already exists');
  });
});

function demoFiles(): Record<string, string | Uint8Array> {
  return {
    'README.rst': 'Demo\n====\n',
    'demo/__init__.py': 'from .core import *\n',
    'demo/core.py': 'def f():\n    return 1\n',
    'demo/data/a.txt': 'alpha\n',
    'demo/data/b.txt': 'beta\n',
    'demo/logo.bin': LOGO,
    'demo/notes.md': 'not in package_data\n',
    'demo_util.py': 'U = 1\n',
  };
}
