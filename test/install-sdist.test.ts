/** Interop: packages built by `mpy sdist` (host/pkg), served by `mpy serve`, installed by `mpy install`. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIndexServer, type IndexServer } from '../host/index/index.js';
import { install } from '../host/install/index.js';
import { buildSdist } from '../host/pkg/sdist.js';
import { ensureDist } from './helpers/dist.js';
import { removeDir, snapshot, tempDir } from './helpers/fixture-dir.js';

let root: string;
let server: IndexServer;

async function project(name: string, version: string, deps: string[], files: Record<string, string>, out: string): Promise<void> {
  const dir = join(root, 'src', `${name}-${version}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'pyproject.toml'),
    `[project]\nname = "${name}"\nversion = "${version}"\ndescription = "${name} for tests"\ndependencies = [${deps.map((d) => JSON.stringify(d)).join(', ')}]\n`,
  );
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  await buildSdist({ dir, outDir: out });
}

beforeAll(async () => {
  ensureDist(['host'], ['dist/host/install/unpack-worker.js']);
  root = tempDir('mpy-sdist-interop-');
  const out = join(root, 'index');
  mkdirSync(out);
  await project(
    'micropython-app',
    '1.0',
    ['micropython-util>=0.2'],
    { 'app/__init__.py': 'import util\n', 'app/main.py': 'print(1)\n' },
    out,
  );
  await project('micropython-util', '0.1', [], { 'util.py': 'V = 1\n' }, out);
  await project('micropython-util', '0.2', ['micropython-base'], { 'util.py': 'V = 2\n' }, out);
  await project('micropython-base', '5.0', [], { 'base.py': 'B = 5\n', 'README.md': 'readme\n' }, out);
  server = await startIndexServer({ dir: out, port: 0 });
});
afterAll(async () => {
  await server?.close();
  if (root) removeDir(root);
});

describe('mpy sdist → mpy serve → mpy install', () => {
  it('serves the metadata the sdist wrote', async () => {
    const doc = (await (await fetch(`${server.indexUrl}/micropython-util/json`)).json()) as {
      info: { version: string; summary: string; requires_dist: string[] };
    };
    expect(doc.info).toMatchObject({ version: '0.2', summary: 'micropython-util for tests', requires_dist: ['micropython-base'] });
  });

  it('installs the chain in upip layout', async () => {
    const target = join(root, 'lib');
    const r = await install({ requirements: ['micropython-app'], indexes: [server.indexUrl], target, noCache: true });
    expect(r.packages.map((p) => `${p.name} ${p.version}`)).toEqual([
      'micropython-app 1.0',
      'micropython-util 0.2',
      'micropython-base 5.0',
    ]);
    expect(
      Object.keys(snapshot(target))
        .filter((p) => p.endsWith('.py'))
        .sort(),
    ).toEqual(['app/__init__.py', 'app/main.py', 'base.py', 'util.py']);
    expect(readFileSync(join(target, 'util.py'), 'utf-8')).toBe('V = 2\n');
  });
});
