/** PEP 440 normalisation where versions are written (sdist) and read (index, installer, record). */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDistribution } from '../host/archive/index.js';
import { buildStaticIndex, normalizeVersion, projectJson, scanCatalog, startIndexServer } from '../host/index/index.js';
import { install } from '../host/install/index.js';
import { PackagingError } from '../host/pkg/errors.js';
import { buildSdist } from '../host/pkg/sdist.js';
import { ensureDist } from './helpers/dist.js';
import { removeDir, tempDir, writeDists } from './helpers/fixture-dir.js';

let root: string;

beforeAll(() => {
  ensureDist(['host'], ['dist/host/install/unpack-worker.js']);
  root = tempDir('mpy-versions-');
});
afterAll(() => removeDir(root));

function project(name: string, version: string): string {
  const dir = join(root, `${name}-${version}-src`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pyproject.toml'), `[project]\nname = "${name}"\nversion = "${version}"\n`);
  writeFileSync(join(dir, `${name.replace(/-/g, '_')}.py`), 'X = 1\n');
  return dir;
}

describe('PEP 440 normalisation', () => {
  it('normal forms', () => {
    expect(['3.4.2-4', '1.0-r2', 'v1.0', '1.0RC1', '1.0.dev', '1.0_post3', '1!2.0-1'].map(normalizeVersion)).toEqual([
      '3.4.2.post4',
      '1.0.post2',
      '1.0',
      '1.0rc1',
      '1.0.dev0',
      '1.0.post3',
      '1!2.0.post1',
    ]);
  });

  it('mpy sdist writes the normal form into the file name and PKG-INFO, and says so', async () => {
    const out = join(root, 'dist1');
    const r = await buildSdist({ dir: project('micropython-legacy', '3.4.2-4'), outDir: out });
    expect(r.archive).toBe(join(out, 'micropython-legacy-3.4.2.post4.tar.gz'));
    expect(r.version).toBe('3.4.2.post4');
    expect(r.warnings).toContain('version 3.4.2-4 is written 3.4.2.post4, its PEP 440 normal form (as setuptools writes it)');
    const dist = readDistribution(readFileSync(r.archive), r.archive);
    expect(dist.metadata.version).toBe('3.4.2.post4');
    expect(dist.members.map((m) => m.path)).toContain('micropython-legacy-3.4.2.post4/PKG-INFO');
  });

  it('mpy sdist refuses a version that is not PEP 440', async () => {
    const err = await buildSdist({ dir: project('weird', 'banana'), outDir: join(root, 'dist2') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PackagingError);
    expect((err as Error).message).toContain('version "banana" of weird is not a PEP 440 version');
  });

  it('the index serves one release per normalised version, and installs record the normal form', async () => {
    const dir = join(root, 'idx');
    mkdirSync(dir);
    // The same release written two ways, as old tools and setuptools wrote it.
    writeDists(dir, [
      { name: 'foo', version: '3.4.2-4' },
      { name: 'foo', version: '3.4.2.post4' },
      { name: 'foo', version: '3.4.1' },
    ]);
    const catalog = await scanCatalog(dir);
    const p = catalog.projects.get('foo')!;
    expect([...p.releases.keys()]).toEqual(['3.4.1', '3.4.2.post4']);
    expect(p.releases.get('3.4.2.post4')!.filename).toBe('foo-3.4.2.post4.tar.gz');
    expect(catalog.problems.map((x) => x.message)).toEqual(['duplicate of foo-3.4.2.post4.tar.gz (foo 3.4.2.post4); not served']);
    expect(Object.keys(projectJson(p, { relative: true }).releases)).toEqual(['3.4.1', '3.4.2.post4']);
    const built = await buildStaticIndex({ dir, out: join(root, 'site') });
    expect(built.written.filter((w) => w.startsWith('pypi/foo/'))).toEqual([
      'pypi/foo/3.4.1/json',
      'pypi/foo/3.4.2.post4/json',
      'pypi/foo/json',
    ]);

    const server = await startIndexServer({ dir, port: 0 });
    try {
      const target = join(root, 'lib');
      const r = await install({ requirements: ['foo==3.4.2-4'], indexes: [server.indexUrl], target, noCache: true });
      expect(r.packages.map((x) => x.version)).toEqual(['3.4.2.post4']);
      const rec = JSON.parse(readFileSync(join(target, '.mpy-installed.json'), 'utf-8'));
      expect(rec.packages.foo.version).toBe('3.4.2.post4');
      const again = await install({ requirements: ['foo==3.4.2.post4'], indexes: [server.indexUrl], target, noCache: true });
      expect(again.kept).toEqual([{ name: 'foo', version: '3.4.2.post4' }]);
    } finally {
      await server.close();
    }
  });
});
