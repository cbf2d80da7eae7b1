// The test-file glob matcher of mpy/vitest.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFiles, globToRegExp } from '../host/vitest/glob.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';

describe('globToRegExp', () => {
  it.each([
    ['tests/test_*.py', 'tests/test_a.py', true],
    ['tests/test_*.py', 'tests/sub/test_a.py', false],
    ['tests/**/test_*.py', 'tests/test_a.py', true],
    ['tests/**/test_*.py', 'tests/a/b/test_a.py', true],
    ['**/*.py', 'x.py', true],
    ['**/*.py', 'a/b/x.py', true],
    ['tests/**', 'tests/a/b', true],
    ['test_?.py', 'test_a.py', true],
    ['test_?.py', 'test_ab.py', false],
    ['test_[ab].py', 'test_b.py', true],
    ['test_[!ab].py', 'test_b.py', false],
    ['test_[!ab].py', 'test_c.py', true],
    ['{unit,integration}/test_*.py', 'integration/test_x.py', true],
    ['{unit,integration}/test_*.py', 'other/test_x.py', false],
    ['a.b(c)+.py', 'a.b(c)+.py', true],
    ['a.py', 'aXpy', false],
  ])('%s vs %s: %s', (glob, path, match) => {
    expect(globToRegExp(glob).test(path)).toBe(match);
  });
});

describe('findFiles', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('mpy-glob-');
    for (const d of ['tests/unit', 'tests/.hidden', 'node_modules/pkg/tests']) mkdirSync(join(dir, d), { recursive: true });
    for (const f of [
      'tests/test_a.py',
      'tests/test_b.py',
      'tests/helper.py',
      'tests/unit/test_c.py',
      'tests/.hidden/test_d.py',
      'node_modules/pkg/tests/test_e.py',
    ]) {
      writeFileSync(join(dir, f), '');
    }
  });
  afterAll(() => removeDir(dir));

  const rel = (files: string[]): string[] => files.map((f) => f.slice(dir.length + 1));

  it('matches below the static base, sorted, skipping node_modules and dot-directories', () => {
    expect(rel(findFiles('tests/test_*.py', dir))).toEqual(['tests/test_a.py', 'tests/test_b.py']);
    expect(rel(findFiles('**/test_*.py', dir))).toEqual(['tests/test_a.py', 'tests/test_b.py', 'tests/unit/test_c.py']);
    expect(rel(findFiles('./tests/**/test_*.py', dir))).toEqual(['tests/test_a.py', 'tests/test_b.py', 'tests/unit/test_c.py']);
  });

  it('takes several patterns, exclusions and absolute patterns', () => {
    expect(rel(findFiles(['tests/**/test_*.py', '!tests/unit/**'], dir))).toEqual(['tests/test_a.py', 'tests/test_b.py']);
    expect(rel(findFiles([join(dir, 'tests', 'helper.py')], dir))).toEqual(['tests/helper.py']);
    expect(rel(findFiles('tests/.hidden/*.py', dir))).toEqual(['tests/.hidden/test_d.py']);
  });

  it('finds nothing for a missing directory', () => {
    expect(findFiles('nope/**/*.py', dir)).toEqual([]);
  });
});
