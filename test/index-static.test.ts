import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStaticIndex, startIndexServer } from '../host/index/index.js';
import { removeDir, snapshot, tempDir, writeDists } from './helpers/fixture-dir.js';
import { staticHost } from './helpers/static-host.js';

let root: string;
let dir: string;

beforeAll(() => {
  root = tempDir('mpy-static-');
  dir = join(root, 'packages');
  mkdirSync(dir);
  writeDists(dir, [
    { name: 'foo', version: '1.0' },
    { name: 'foo', version: '1.1' },
    { name: 'Bar_Baz', version: '0.2', requires: ['foo'] },
  ]);
});
afterAll(() => removeDir(root));

function contents(tree: string): Record<string, string> {
  const snap = snapshot(tree);
  return Object.fromEntries(Object.entries(snap).map(([k, v]) => [k, v.replace(/^file \d+ \d+ /, 'file ')]));
}

describe('mpy index build', () => {
  it('writes the documents and files at the served URLs', async () => {
    const out = join(root, 'out');
    const result = await buildStaticIndex({ dir, out, baseUrl: 'https://cdn.example/idx' });
    expect(result.projects).toBe(2);
    expect(result.files).toBe(3);
    expect(result.written).toEqual([
      'files/Bar_Baz-0.2.tar.gz',
      'files/foo-1.0.tar.gz',
      'files/foo-1.1.tar.gz',
      'pypi/Bar_Baz/0.2/json',
      'pypi/Bar_Baz/json',
      'pypi/bar-baz/0.2/json',
      'pypi/bar-baz/json',
      'pypi/foo/1.0/json',
      'pypi/foo/1.1/json',
      'pypi/foo/json',
    ]);
    const doc = JSON.parse(readFileSync(join(out, 'pypi/foo/json'), 'utf-8'));
    expect(doc.info.version).toBe('1.1');
    expect(doc.releases['1.0'][0].url).toBe('https://cdn.example/idx/files/foo-1.0.tar.gz');
  });

  it('is deterministic and replaces its own previous build whole', async () => {
    const a = join(root, 'a');
    const b = join(root, 'b');
    await buildStaticIndex({ dir, out: a });
    await buildStaticIndex({ dir, out: b });
    expect(contents(a)).toEqual(contents(b));
    writeFileSync(join(a, 'pypi', 'stale'), 'x');
    await buildStaticIndex({ dir, out: a });
    expect(contents(a)).toEqual(contents(b));
  });

  it('refuses to replace a directory it did not write', async () => {
    const foreign = join(root, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'precious.txt'), 'keep');
    await expect(buildStaticIndex({ dir, out: foreign })).rejects.toThrow(/not written by "mpy index build"/);
    expect(readFileSync(join(foreign, 'precious.txt'), 'utf-8')).toBe('keep');
  });

  it('gives a static host the same answers as mpy serve', async () => {
    const host = await staticHost(join(root, 'static'));
    await buildStaticIndex({ dir, out: join(root, 'static'), baseUrl: host.url });
    const live = await startIndexServer({ dir, port: 0, baseUrl: host.url });
    try {
      for (const path of [
        '/pypi/foo/json',
        '/pypi/foo/1.0/json',
        '/pypi/bar-baz/json',
        '/pypi/Bar_Baz/0.2/json',
        '/files/foo-1.1.tar.gz',
      ]) {
        const [s, l] = await Promise.all([fetch(host.url + path), fetch(live.url + path)]);
        expect(s.status, path).toBe(200);
        expect(Buffer.from(await s.arrayBuffer()).equals(Buffer.from(await l.arrayBuffer())), path).toBe(true);
      }
    } finally {
      await live.close();
      await host.close();
    }
  });

  it('writes relative file URLs without --base-url', async () => {
    const out = join(root, 'rel');
    await buildStaticIndex({ dir, out });
    expect(JSON.parse(readFileSync(join(out, 'pypi/foo/json'), 'utf-8')).urls[0].url).toBe('../../files/foo-1.1.tar.gz');
    expect(JSON.parse(readFileSync(join(out, 'pypi/foo/1.0/json'), 'utf-8')).urls[0].url).toBe('../../../files/foo-1.0.tar.gz');
  });
});
