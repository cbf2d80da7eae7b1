import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverLayout } from '../host/pkg/discovery.js';
import { PackagingError } from '../host/pkg/errors.js';
import { renderPkgInfo, renderRequiresTxt } from '../host/pkg/pkg-info.js';
import { type LayoutConfig, readPyproject } from '../host/pkg/pyproject.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';

const AUTO: LayoutConfig = { pyModules: undefined, packages: undefined, source: undefined };

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(PackagingError);
    return `${(e as PackagingError).code}: ${(e as Error).message}`;
  }
  return 'no error';
}

describe('pyproject.toml', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('mpy-pyproject-');
  });
  afterEach(() => removeDir(dir));
  const write = (text: string): void => writeFileSync(join(dir, 'pyproject.toml'), text);

  it('reads [project] and [tool.mpy]', async () => {
    write(`[project]
name = "micropython-demo"
version = "1.2.3"
description = "A demo"
dependencies = ["micropython-os", "micropython-json>=1.0"]
license = {text = "MIT"}
authors = [{name = "Ann", email = "ann@example.org"}, {name = "Bob"}]
urls = {Homepage = "https://example.org"}

[tool.mpy]
py-modules = ["demo"]
`);
    const p = await readPyproject(dir);
    expect(p.metadata).toMatchObject({ name: 'micropython-demo', version: '1.2.3', description: 'A demo', license: 'MIT' });
    expect(p.metadata.dependencies).toEqual(['micropython-os', 'micropython-json>=1.0']);
    expect(p.layout).toEqual({ pyModules: ['demo'], packages: undefined, source: '[tool.mpy]' });
  });

  it('gives clear errors', async () => {
    expect(await code(readPyproject(dir))).toMatch(/^no-pyproject: no pyproject\.toml in /);
    write('[project\nname = "x"');
    expect(await code(readPyproject(dir))).toMatch(/^bad-pyproject: .*not valid TOML/);
    write('[tool.other]\nx = 1\n');
    expect(await code(readPyproject(dir))).toMatch(/^missing-metadata: .*no \[project\] table/);
    write('[project]\nversion = "1"\n');
    expect(await code(readPyproject(dir))).toMatch(/^missing-metadata: .*\[project\] name is missing/);
    write('[project]\nname = "x"\n');
    expect(await code(readPyproject(dir))).toMatch(/^missing-metadata: .*\[project\] version is missing$/);
    write('[project]\nname = "x"\ndynamic = ["version"]\n');
    expect(await code(readPyproject(dir))).toMatch(/dynamic version is not supported/);
    write('[project]\nname = "x"\nversion = "1"\ndependencies = "os"\n');
    expect(await code(readPyproject(dir))).toMatch(/dependencies must be a list of strings/);
    write('[project]\nname = "bad name"\nversion = "1"\n');
    expect(await code(readPyproject(dir))).toMatch(/not a valid distribution name/);
  });
});

describe('module discovery', () => {
  it('src layout: every directory below src is a package, src/*.py are modules', () => {
    const files = [
      'pyproject.toml',
      'src/pkg/__init__.py',
      'src/pkg/sub/m.py',
      'src/pkg/data/x.bin',
      'src/tool.py',
      'src/pkg.egg-info/PKG-INFO',
      'tests/t.py',
    ];
    expect(discoverLayout(files, AUTO)).toEqual({ kind: 'src', root: 'src', packages: ['pkg', 'pkg.data', 'pkg.sub'], modules: ['tool'] });
  });

  it('flat layout: one top-level package; reserved and hidden directories do not count', () => {
    const files = [
      'pkg/__init__.py',
      'pkg/sub/m.py',
      'tests/test_pkg.py',
      'docs/x/y.py',
      'build/lib/z.py',
      '.venv/a.py',
      '_priv/a.py',
      'node_modules/x/y.js',
      'setup.py',
      'helper.py',
    ];
    expect(discoverLayout(files, AUTO)).toEqual({ kind: 'flat', root: '', packages: ['pkg', 'pkg.sub'], modules: [] });
  });

  it('flat layout: a single module when there is no package', () => {
    expect(discoverLayout(['demo.py', 'setup.py', 'conftest.py', 'README.md'], AUTO)).toEqual({
      kind: 'flat',
      root: '',
      packages: [],
      modules: ['demo'],
    });
  });

  it('flat layout: a top-level directory with no Python file (assets, an -o directory) is not a package', () => {
    expect(
      discoverLayout(['pkg/__init__.py', 'pkg/data/t.txt', 'out/pkg-1.0.tar.gz', 'assets/logo.png', 'assets/icons/a.svg'], AUTO),
    ).toEqual({
      kind: 'flat',
      root: '',
      packages: ['pkg', 'pkg.data'],
      modules: [],
    });
    expect(discoverLayout(['demo.py', 'assets/logo.png'], AUTO)).toEqual({ kind: 'flat', root: '', packages: [], modules: ['demo'] });
  });

  it('flat layout: refuses several top-level packages or modules, as setuptools does', () => {
    expect(() => discoverLayout(['a/__init__.py', 'b/__init__.py'], AUTO)).toThrow(
      /multiple top-level packages found in a flat layout: a, b/,
    );
    expect(() => discoverLayout(['a.py', 'b.py'], AUTO)).toThrow(/multiple top-level modules .*\[tool\.mpy\]/);
  });

  it('explicit lists win and are checked', () => {
    const config: LayoutConfig = { pyModules: ['a', 'b'], packages: ['p'], source: '[tool.mpy]' };
    expect(discoverLayout(['a.py', 'b.py', 'p/__init__.py'], config)).toEqual({
      kind: 'explicit',
      root: '',
      packages: ['p'],
      modules: ['a', 'b'],
    });
    expect(() => discoverLayout(['a.py'], config)).toThrow(/no directory p for package p/);
    expect(() => discoverLayout(['p/x.py'], { ...config, pyModules: ['a'] })).toThrow(/no file a\.py for module a/);
  });
});

describe('PKG-INFO and requires.txt', () => {
  const meta = {
    name: 'micropython-demo',
    version: '1.0',
    description: 'Line one\n  line two',
    dependencies: ['micropython-os', 'micropython-json >= 1.0; python_version > "3"', 'micropython-os'],
    license: 'MIT\nsecond line',
    authors: [
      { name: 'Ann', email: 'ann@example.org' },
      { name: 'Bob', email: undefined },
    ],
    requiresPython: undefined,
    keywords: ['micropython', 'demo'],
    classifiers: ['Programming Language :: Python :: Implementation :: MicroPython'],
    urls: { Homepage: 'https://example.org' },
  };

  it('renders core metadata 2.1 headers', () => {
    expect(renderPkgInfo(meta)).toBe(
      [
        'Metadata-Version: 2.1',
        'Name: micropython-demo',
        'Version: 1.0',
        'Summary: Line one line two',
        'Home-page: https://example.org',
        'Author: Bob',
        'Author-email: Ann <ann@example.org>',
        'License: MIT',
        '        second line',
        'Project-URL: Homepage, https://example.org',
        'Keywords: micropython,demo',
        'Classifier: Programming Language :: Python :: Implementation :: MicroPython',
        'Requires-Dist: micropython-os',
        'Requires-Dist: micropython-json >= 1.0; python_version > "3"',
        'Requires-Dist: micropython-os',
        '',
      ].join('\n'),
    );
  });

  it('writes bare names for upip, one per line, and says what it dropped', () => {
    const r = renderRequiresTxt(meta.dependencies);
    expect(r.text).toBe('micropython-os\nmicropython-json\n');
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/micropython-json >= 1\.0.*upip installs the latest version/);
    expect(renderRequiresTxt([]).text).toBeUndefined();
  });
});
