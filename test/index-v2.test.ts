/**
 * Index v2 from distribution packages, and the renderer's guarantees: a
 * directory of sdists served and built in both layouts, installed by
 * `mpy install --mip` with its dependencies; hash-prefix collisions refused
 * with both files named; a file only the newer compiler accepts shipped as source.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOnce } from './fixtures/net/run.js';
import { removeDir, tempDir, writeDists } from './helpers/fixture-dir.js';
import { runMpy } from './helpers/cli.js';
import { staticHost } from './helpers/static-host.js';
import { HashCollisionError, renderV2 } from '../host/index/v2/render.js';
import type { V2Package } from '../host/index/v2/model.js';
import { startIndexServer } from '../host/index/server.js';

let dir: string;

beforeAll(() => {
  buildOnce();
  dir = tempDir('mpy-index-v2-');
});

afterAll(() => removeDir(dir));

function pkg(name: string, files: Record<string, string>): V2Package {
  return {
    name,
    aliases: [],
    description: '',
    license: 'MIT',
    author: '',
    path: undefined,
    releases: [
      {
        version: '1.0',
        deps: [],
        files: Object.entries(files).map(([target, text]) => ({
          target,
          bytes: Buffer.from(text),
          opt: undefined,
          origin: `${name}/${target}`,
        })),
      },
    ],
  };
}

describe('index v2 from distribution packages', () => {
  it('mpy index build writes both layouts; mpy install --mip installs a release and its requires.txt deps', async () => {
    const pkgs = join(dir, 'pkgs');
    const out = join(dir, 'site');
    mkdirSync(pkgs);
    writeDists(pkgs, [
      { name: 'micropython-alpha', version: '1.0', files: { 'alpha.py': 'A = 1\n' } },
      { name: 'micropython-alpha', version: '2.0', files: { 'alpha.py': 'A = 2\n' }, requires: ['beta'] },
      { name: 'beta', version: '0.5', files: { 'beta/__init__.py': 'B = 5\n', 'beta/data.txt': 'text' } },
    ]);
    const r = await runMpy(['index', 'build', pkgs, '-o', out]);
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'pypi/beta/json'), 'utf8')).info.version).toBe('0.5');
    const latest = JSON.parse(readFileSync(join(out, 'package/py/micropython-alpha/latest.json'), 'utf8'));
    expect(latest).toMatchObject({ version: '2.0', deps: [['beta', 'latest']], urls: [] });
    expect(latest.hashes.map((h: string[]) => h[0])).toEqual(['alpha.py']);
    expect(JSON.parse(readFileSync(join(out, 'package/6/micropython-alpha/1.0.json'), 'utf8')).hashes[0][0]).toBe('alpha.mpy');
    const host = await staticHost(out);
    try {
      const target = join(dir, 'target');
      const i = await runMpy(['install', '--mip', '--no-mpy', '-i', host.url, '-p', target, 'micropython-alpha']);
      // One progress line per package when piped: name, version, size.
      expect(i.stderr).toBe('micropython-alpha 2.0 6 B\nbeta 0.5 10 B\n');
      expect(i.stdout).toMatch(/^installed 2 packages \(3 files\) into .*: micropython-alpha 2\.0, beta 0\.5/);
      expect(readFileSync(join(target, 'alpha.py'), 'utf8')).toBe('A = 2\n');
      expect(readFileSync(join(target, 'beta/data.txt'), 'utf8')).toBe('text');
      const old = join(dir, 'old');
      const j = await runMpy(['install', '--mip', '-i', host.url, '-p', old, 'micropython-alpha@1.0']);
      expect(j.status).toBe(0);
      expect(readFileSync(join(old, 'alpha.mpy')).subarray(0, 2)).toEqual(Buffer.from([0x4d, 6]));
    } finally {
      await host.close();
    }
  });
});

describe('a live server', () => {
  it('serves a package added to the directory in index v2 from the next request on', async () => {
    const pkgs = join(dir, 'live');
    mkdirSync(pkgs);
    writeDists(pkgs, [{ name: 'first', version: '1.0', files: { 'first.py': 'F = 1\n' } }]);
    const server = await startIndexServer({ dir: pkgs, port: 0 });
    try {
      const names = async (): Promise<string[]> =>
        (await (await fetch(`${server.url}/index.json`)).json()).packages.map((p: { name: string }) => p.name);
      expect(await names()).toEqual(['first']);
      writeDists(pkgs, [{ name: 'second', version: '2.0', files: { 'second.py': 'S = 2\n' } }]);
      expect(await names()).toEqual(['first', 'second']);
      const doc = await (await fetch(`${server.url}/package/6/second/latest.json`)).json();
      expect(doc).toMatchObject({ version: '2.0', hashes: [['second.mpy', expect.stringMatching(/^[0-9a-f]{8}$/)]] });
    } finally {
      await server.close();
    }
  });
});

describe('rendering', () => {
  it('refuses two different files with the same hash prefix, naming both', async () => {
    // With a 1-digit prefix, 17 different files must collide.
    const files = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`f${i}.txt`, `file ${i}`]));
    await expect(renderV2([pkg('many', files)], { updated: 0, hashPrefixLength: 1 })).rejects.toThrow(HashCollisionError);
    await expect(renderV2([pkg('many', files)], { updated: 0, hashPrefixLength: 1 })).rejects.toThrow(
      /hash prefix [0-9a-f] is shared by many\/f\d+\.txt \(sha256 [0-9a-f]{64}\) and many\/f\d+\.txt/,
    );
  });

  it('ships as source what only the newer compiler accepts, and refuses what no compiler accepts', async () => {
    const problems: string[] = [];
    const files = await renderV2([pkg('fs', { 'fs.py': 'x = 1\nprint(f"{x!r}")\n' })], { updated: 0, problems });
    const doc = JSON.parse(files.get('package/6/fs/latest.json')!.toString());
    expect(doc.hashes[0][0]).toBe('fs.py');
    expect(problems.join('\n')).toMatch(/fs\/fs\.py:2: .* \(mpy-cross 1\.19\); MicroPython 1\.27 compiles it/);
    await expect(renderV2([pkg('bad', { 'bad.py': 'def (:\n' })], { updated: 0 })).rejects.toThrow(
      /cannot compile:\n {2}bad\/bad\.py: 1: SyntaxError/,
    );
    // A live server keeps serving: the broken file is listed as source, with a problem line.
    const lenient: string[] = [];
    const served = await renderV2([pkg('bad', { 'bad.py': 'def (:\n' })], { updated: 0, problems: lenient, strict: false });
    expect(JSON.parse(served.get('package/6/bad/latest.json')!.toString()).hashes[0][0]).toBe('bad.py');
    expect(lenient).toEqual([expect.stringMatching(/^bad\/bad\.py: 1: SyntaxError: .*; listed as source in package\/6\/$/)]);
  });
});
