import { describe, expect, it } from 'vitest';
import {
  compareVersionStrings,
  formatVersion,
  latestVersion,
  mentionsPrerelease,
  normalizeName,
  parseSpecifier,
  parseVersion,
  satisfies,
  SpecifierError,
} from '../host/index/index.js';

describe('PEP 440 ordering', () => {
  // Ascending, each strictly greater than the one before (from PEP 440's examples and packaging's test table).
  const ascending = [
    'not-a-version',
    'zzz',
    '1.0.dev456',
    '1.0a1',
    '1.0a2.dev456',
    '1.0a12.dev456',
    '1.0a12',
    '1.0b1.dev456',
    '1.0b2',
    '1.0b2.post345.dev456',
    '1.0b2.post345',
    '1.0rc1.dev456',
    '1.0rc1',
    '1.0',
    '1.0+abc.5',
    '1.0+abc.7',
    '1.0+5',
    '1.0.post456.dev34',
    '1.0.post456',
    '1.0.15',
    '1.1.dev1',
    '1.2',
    '1.10',
    '2.0.0a1',
    '2.0',
    '20230101',
    '1!0.1',
    '1!1.0',
  ];
  it('orders the table', () => {
    for (let i = 1; i < ascending.length; i++) {
      expect(compareVersionStrings(ascending[i - 1]!, ascending[i]!), `${ascending[i - 1]} < ${ascending[i]}`).toBeLessThan(0);
      expect(compareVersionStrings(ascending[i]!, ascending[i - 1]!)).toBeGreaterThan(0);
    }
    const shuffled = [...ascending].reverse();
    expect(shuffled.sort(compareVersionStrings)).toEqual(ascending);
  });

  it.each([
    ['1.0', '1.0.0'],
    ['1.0', '1.0.0.0'],
    ['1.0a1', '1.0alpha1'],
    ['1.0b2', '1.0-beta.2'],
    ['1.0rc1', '1.0c1'],
    ['1.0rc1', '1.0pre1'],
    ['1.0.post1', '1.0-1'],
    ['1.0.post1', '1.0.rev1'],
    ['1.0.post0', '1.0.post'],
    ['1.0.dev0', '1.0-dev'],
    ['v1.0', '1.0'],
    ['01.002', '1.2'],
    ['1.0+ABC', '1.0+abc'],
  ])('%s equals %s', (a, b) => {
    expect(compareVersionStrings(a, b)).toBe(0);
  });

  it('normalises', () => {
    expect(formatVersion(parseVersion('V1.0-Alpha-2.Post-3-DEV.4+Ubuntu_1'))).toBe('1.0a2.post3.dev4+ubuntu.1');
    expect(parseVersion('1.0 foo').valid).toBe(false);
  });

  it('takes the highest final release as latest, as PyPI does', () => {
    expect(latestVersion(['0.9', '1.0', '1.1rc1', 'junk'])).toBe('1.0');
    expect(latestVersion(['1.0a1', '1.0b1', 'junk'])).toBe('1.0b1');
    expect(latestVersion(['junk', 'alpha'])).toBe('junk');
    expect(latestVersion(['1.9', '1.10', '1.2'])).toBe('1.10');
  });
});

describe('PEP 503 names', () => {
  it.each([
    ['Foo', 'foo'],
    ['foo_bar', 'foo-bar'],
    ['Foo.Bar', 'foo-bar'],
    ['foo--_.bar', 'foo-bar'],
    ['micropython-os.path', 'micropython-os-path'],
    ['MicroPython_Foo', 'micropython-foo'],
  ])('%s → %s', (a, b) => expect(normalizeName(a)).toBe(b));
});

describe('specifiers', () => {
  it.each([
    ['1.5', '>=1.0,<2', true],
    ['2.0', '>=1.0,<2', false],
    ['1.2.3', '==1.2.*', true],
    ['1.3', '==1.2.*', false],
    ['1.2.3', '!=1.2.*', false],
    ['1.4.5', '~=1.4.2', true],
    ['1.5.0', '~=1.4.2', false],
    ['2.2', '~=2.1', true],
    ['1.0+local', '==1.0', true],
    ['1.0.post1', '>1.0', false],
    ['1.1', '>1.0', true],
    ['2.0a1', '<2.0', false],
    ['1.9', '<2.0', true],
    ['1.0', '===1.0', true],
    ['1.0.0', '===1.0', false],
    ['1.0', '', true],
  ])('%s satisfies %s: %s', (v, spec, ok) => {
    expect(satisfies(v, parseSpecifier(spec))).toBe(ok);
  });

  it('refuses bad specifiers and notices pre-releases', () => {
    expect(() => parseSpecifier('>=1.*')).toThrow(SpecifierError);
    expect(() => parseSpecifier('~1.0')).toThrow(SpecifierError);
    expect(mentionsPrerelease(parseSpecifier('>=1.0b1'))).toBe(true);
    expect(mentionsPrerelease(parseSpecifier('>=1.0'))).toBe(false);
  });
});
