import { describe, expect, it } from 'vitest';
import { PackagingError } from '../host/pkg/errors.js';
import { applyManifest, parseManifestIn } from '../host/pkg/manifest-in.js';
import { pathPattern } from '../host/pkg/path-pattern.js';

const FILES = [
  'README.md',
  'LICENSE',
  '.hidden.txt',
  'pkg/__init__.py',
  'pkg/a.txt',
  'pkg/b.bin',
  'pkg/data/c.txt',
  'pkg/data/deep/d.txt',
  'pkg/data/.secret.txt',
  'pkg/tests/t.py',
  'docs/index.txt',
  'docs/api/x.txt',
];

function apply(text: string, initial: string[] = []) {
  return applyManifest(parseManifestIn(text), FILES, initial);
}

describe('MANIFEST.in parsing', () => {
  it('reads commands, comments, escaped # and continuation lines with their line numbers', () => {
    const cmds = parseManifestIn(
      '# comment\n\ninclude a.txt  b.txt # trailing\nrecursive-include pkg \\\n  *.txt *.bin\ngraft docs/\ninclude x\\#y\n',
    );
    expect(cmds).toEqual([
      { action: 'include', dir: undefined, patterns: ['a.txt', 'b.txt'], line: 3 },
      { action: 'recursive-include', dir: 'pkg', patterns: ['*.txt', '*.bin'], line: 4 },
      { action: 'graft', dir: 'docs', patterns: [], line: 6 },
      { action: 'include', dir: undefined, patterns: ['x#y'], line: 7 },
    ]);
  });

  it('names the line of an unknown command or wrong arguments', () => {
    const cases: [string, RegExp][] = [
      ['include a\nfrobnicate x\n', /^MANIFEST\.in:2: unknown command "frobnicate": frobnicate x$/],
      ['\n\ninclude\n', /^MANIFEST\.in:3: 'include' expects <pattern1> <pattern2> \.\.\./],
      ['recursive-include pkg\n', /^MANIFEST\.in:1: 'recursive-include' expects <dir> <pattern1>/],
      ['graft a b\n', /^MANIFEST\.in:1: 'graft' expects a single <dir>/],
      ['prune\n', /^MANIFEST\.in:1: 'prune' expects a single <dir>/],
    ];
    for (const [text, re] of cases) {
      let error: unknown;
      try {
        parseManifestIn(text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PackagingError);
      expect((error as PackagingError).code).toBe('manifest');
      expect((error as Error).message).toMatch(re);
    }
  });
});

describe('path patterns', () => {
  it('keep * and ? within one component and let ** span directories', () => {
    expect(pathPattern('*.txt')('a.txt')).toBe(true);
    expect(pathPattern('*.txt')('d/a.txt')).toBe(false);
    expect(pathPattern('pkg/**/*.txt')('pkg/a.txt')).toBe(true);
    expect(pathPattern('pkg/**/*.txt')('pkg/x/y/a.txt')).toBe(true);
    expect(pathPattern('pkg/?.txt')('pkg/a.txt')).toBe(true);
    expect(pathPattern('pkg/[ab].*')('pkg/b.bin')).toBe(true);
    expect(pathPattern('pkg/[!ab].*')('pkg/b.bin')).toBe(false);
    expect(pathPattern('*.txt', { skipHidden: true })('.hidden.txt')).toBe(false);
    expect(pathPattern('.*.txt', { skipHidden: true })('.hidden.txt')).toBe(true);
  });
});

describe('MANIFEST.in rules', () => {
  it('include picks files at the given path only', () => {
    expect(apply('include *.md LICENSE').files).toEqual(['LICENSE', 'README.md']);
  });

  it('exclude removes what was selected', () => {
    expect(apply('exclude pkg/a.txt', ['pkg/__init__.py', 'pkg/a.txt']).files).toEqual(['pkg/__init__.py']);
  });

  it('recursive-include and recursive-exclude work below a directory (hidden files skipped by include)', () => {
    expect(apply('recursive-include pkg *.txt').files).toEqual(['pkg/a.txt', 'pkg/data/c.txt', 'pkg/data/deep/d.txt']);
    expect(apply('recursive-include pkg *.txt\nrecursive-exclude pkg/data *.txt').files).toEqual(['pkg/a.txt']);
  });

  it('graft takes a whole tree, prune drops one', () => {
    expect(apply('graft pkg/data').files).toEqual(['pkg/data/.secret.txt', 'pkg/data/c.txt', 'pkg/data/deep/d.txt']);
    expect(apply('graft pkg\nprune pkg/data\nprune pkg/tests').files).toEqual(['pkg/__init__.py', 'pkg/a.txt', 'pkg/b.bin']);
  });

  it('global-include and global-exclude match anywhere', () => {
    expect(apply('global-include *.bin').files).toEqual(['pkg/b.bin']);
    expect(apply('graft pkg\nglobal-exclude *.txt').files).toEqual(['pkg/__init__.py', 'pkg/b.bin', 'pkg/tests/t.py']);
  });

  it('applies commands in order', () => {
    expect(apply('exclude pkg/a.txt\ninclude pkg/a.txt').files).toEqual(['pkg/a.txt']);
  });

  it('warns, with the line, about commands that match nothing', () => {
    const r = apply('include *.md\ninclude nothing.*\nprune nowhere\nrecursive-exclude pkg *.zzz\n');
    expect(r.warnings).toEqual([
      "MANIFEST.in:2: warning: no files found matching 'nothing.*'",
      "MANIFEST.in:3: warning: no previously-included directories found matching 'nowhere'",
      "MANIFEST.in:4: warning: no previously-included files matching '*.zzz' found under directory 'pkg'",
    ]);
  });
});
