/** Requirements files in pip's format, and the hash policy they set (no network: parsing and checks only). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashPolicy } from '../host/install/hash-policy.js';
import { InstallError, parseRequirement, readRequirementsFile } from '../host/install/index.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';

let root: string;
const H1 = 'a'.repeat(64);
const H2 = 'B'.repeat(64);

beforeAll(() => {
  root = tempDir('mpy-reqs-');
});
afterAll(() => removeDir(root));

function file(name: string, text: string): string {
  const path = join(root, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

async function failure(p: Promise<unknown>): Promise<InstallError> {
  const e = await p.catch((err: unknown) => err);
  expect(e).toBeInstanceOf(InstallError);
  return e as InstallError;
}

describe('requirements files', () => {
  it('comments, blank lines, continuations, hashes in both spellings, options with = or a space', async () => {
    const path = file(
      'all.txt',
      `# a lock\n\nfoo==1.0 \\\n    --hash=sha256:${H1} \\\n    --hash sha256:${H2}\n--index-url=http://127.0.0.1:1/pypi\n-i http://127.0.0.1:2/pypi   # the last wins\n--extra-index-url http://127.0.0.1:3/pypi\n--require-hashes\nbar >= 2 , < 3  # spaces are fine\n`,
    );
    const r = await readRequirementsFile(path);
    expect(r.requirements.map((q) => [q.name, q.pin, q.hashes])).toEqual([
      ['foo', '1.0', [H1, H2.toLowerCase()]],
      ['bar', undefined, undefined],
    ]);
    expect(r.requirements[1]!.clauses).toEqual([
      { op: '>=', version: '2' },
      { op: '<', version: '3' },
    ]);
    expect(r.indexUrl).toBe('http://127.0.0.1:2/pypi');
    expect(r.extraIndexUrls).toEqual(['http://127.0.0.1:3/pypi']);
    expect(r.requireHashes).toBe(true);
  });

  it('-r includes relative to the including file, and refuses a cycle', async () => {
    file('sub/base.txt', '--extra-index-url http://127.0.0.1:4/pypi\nlib\n-r ../top.txt\n');
    const top = file('top.txt', 'app\n-r sub/base.txt\n');
    const e = await failure(readRequirementsFile(top));
    expect(e.message).toBe(`requirements files include each other: ${top} → ${join(root, 'sub', 'base.txt')} → ${top}`);
    file('sub/leaf.txt', 'lib\n');
    const ok = await readRequirementsFile(file('main.txt', 'app\n--requirement=sub/leaf.txt\n'));
    expect(ok.requirements.map((q) => q.name)).toEqual(['app', 'lib']);
    const gone = await failure(readRequirementsFile(file('gone.txt', '-r nowhere.txt\n')));
    expect(gone.message).toContain(`cannot read requirements file ${join(root, 'nowhere.txt')} (included from ${join(root, 'gone.txt')})`);
  });

  it('names an unsupported option and its line, whether on its own line or after a requirement', async () => {
    for (const [text, option, line] of [
      ['-e ./src\n', '-e', 1],
      ['ok\n--find-links /tmp\n', '--find-links', 2],
      ['ok\n-c constraints.txt\n', '-c', 2],
      ['foo==1 --global-option=x\n', '--global-option', 1],
    ] as const) {
      const e = await failure(readRequirementsFile(file('bad.txt', text)));
      expect(e.code).toBe('bad-requirement');
      expect(e.message).toBe(`${join(root, 'bad.txt')}:${line}: option ${option} is not supported in requirements files`);
    }
    expect((await failure(readRequirementsFile(file('v.txt', '-i\n')))).message).toContain(':1: -i needs a value');
    expect((await failure(readRequirementsFile(file('u.txt', 'foo @ https://x/y.tar.gz\n')))).message).toContain(
      ':1: requirement "foo @ https://x/y.tar.gz" names a URL (NAME @ URL), which is not supported',
    );
  });
});

describe('hash-checking mode', () => {
  const req = (line: string, hashes?: string[]) => ({ ...parseRequirement(line), ...(hashes ? { hashes } : {}) });

  it('is off without hashes or --require-hashes', () => {
    const p = new HashPolicy([req('foo')], false);
    expect(p.active).toBe(false);
    expect(p.accepted('foo', 'foo', [])).toBeUndefined();
    expect(p.allows('foo', H1)).toBe(true);
  });

  it('is on with one hash: every requirement pinned and hashed, every dependency listed', () => {
    expect(() => new HashPolicy([req('foo==1', [H1]), req('bar>=1', [H1])], false)).toThrow(
      'every requirement must be pinned with ==; these are not: bar>=1',
    );
    expect(() => new HashPolicy([req('foo==1', [H1]), req('bar==1')], false)).toThrow(
      'every requirement needs --hash=sha256:…; these have none: bar==1',
    );
    expect(() => new HashPolicy([req('foo==1')], true)).toThrow('these have none: foo==1');
    const p = new HashPolicy([req('foo==1', [H1, 'c'.repeat(64)]), req('Foo==1', [H1])], false);
    expect(p.accepted('foo', 'foo', [])?.sha256).toEqual([H1]);
    expect(p.allows('foo', 'c'.repeat(64))).toBe(false);
    expect(() => p.accepted('dep', 'dep', ['foo 1'])).toThrow('dep is needed (foo 1 → dep) but the requirements give no --hash for it');
  });
});
