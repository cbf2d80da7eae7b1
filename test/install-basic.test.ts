import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIndexServer, type IndexServer } from '../host/index/index.js';
import { install, InstallError, UnpackPool, type InstallResult } from '../host/install/index.js';
import { ensureDist } from './helpers/dist.js';
import { removeDir, snapshot, tempDir, writeDists } from './helpers/fixture-dir.js';

let root: string;
let main: IndexServer;
let extra: IndexServer;
let pool: UnpackPool;
const mainLog: string[] = [];

beforeAll(async () => {
  ensureDist(['host'], ['dist/host/install/unpack-worker.js']);
  root = tempDir('mpy-install-');
  const mainDir = join(root, 'main');
  const extraDir = join(root, 'extra');
  mkdirSync(mainDir);
  mkdirSync(extraDir);
  writeDists(mainDir, [
    {
      name: 'app',
      version: '1.0',
      requires: ['micropython-lib-a'],
      files: { 'app/__init__.py': 'from lib_a import A\n', 'app/main.py': 'print("app")\n' },
    },
    { name: 'micropython-lib-a', version: '0.5', requires: ['lib_b>=2'], files: { 'lib_a.py': 'A = 1\n' } },
    { name: 'lib-b', version: '1.0', files: { 'lib_b.py': 'B = 1\n' } },
    { name: 'lib-b', version: '2.1', requires: ['lib-c==0.1'], files: { 'lib_b.py': 'B = 2\n' } },
    { name: 'lib-c', version: '0.1', files: { 'lib_c/__init__.py': 'C = 1\n', 'lib_c/data.txt': 'data\n' } },
    { name: 'lib-c', version: '0.2', files: { 'lib_c/__init__.py': 'C = 2\n' } },
    { name: 'foo', version: '1.0' },
    { name: 'foo', version: '1.1' },
    { name: 'foo', version: '2.0b1' },
  ]);
  writeDists(extraDir, [{ name: 'only-extra', version: '3.0', requires: ['foo'] }]);
  main = await startIndexServer({ dir: mainDir, port: 0, log: (l) => mainLog.push(l) });
  extra = await startIndexServer({ dir: extraDir, port: 0 });
  pool = new UnpackPool({ maxThreads: 2 });
});

afterAll(async () => {
  await pool?.close();
  await main?.close();
  await extra?.close();
  removeDir(root);
});

function target(): string {
  return join(mkdtempSync(join(root, 'target-')), 'lib');
}

async function run(requirements: string[], more: Partial<Parameters<typeof install>[0]> = {}): Promise<InstallResult> {
  return install({ requirements, indexes: [main.indexUrl], noCache: true, pool, ...more });
}

describe('mpy install', () => {
  it('installs a dependency chain of four packages in upip layout', async () => {
    const t = target();
    const events: string[] = [];
    const r = await run(['app'], { target: t, onEvent: (e) => events.push(e.type) });
    expect(r.packages.map((p) => `${p.name} ${p.version}`)).toEqual(['app 1.0', 'micropython-lib-a 0.5', 'lib-b 2.1', 'lib-c 0.1']);
    expect(Object.keys(snapshot(t)).sort()).toEqual([
      '.mpy-installed.json',
      'app',
      'app/__init__.py',
      'app/main.py',
      'lib_a.py',
      'lib_b.py',
      'lib_c',
      'lib_c/__init__.py',
      'lib_c/data.txt',
    ]);
    expect(readFileSync(join(t, 'lib_b.py'), 'utf-8')).toBe('B = 2\n');
    expect(r.packages.every((p) => p.verified && !p.cached)).toBe(true);
    expect(r.packages[3]!.requires).toEqual([]);
    expect(r.packages[1]!.requires).toEqual(['lib_b>=2']);
    expect(events).toContain('commit');
    expect(existsSync(join(t, '..', '.lib.mpy-stage'))).toBe(false);
  });

  it('installs name==version and version ranges', async () => {
    const t = target();
    await run(['foo==1.0'], { target: t });
    expect(readFileSync(join(t, 'foo.py'), 'utf-8')).toContain('"1.0"');
    const t2 = target();
    const r = await run(['foo>=1.0,<1.1', 'lib-c<0.2'], { target: t2 });
    expect(r.packages.map((p) => p.version)).toEqual(['1.0', '0.1']);
    const t3 = target();
    expect((await run(['foo'], { target: t3 })).packages[0]!.version).toBe('1.1');
    expect((await run(['foo>=2.0b1'], { target: target() })).packages[0]!.version).toBe('2.0b1');
  });

  it('reads -r requirements files', async () => {
    const t = target();
    const file = join(root, 'requirements.txt');
    writeFileSync(file, '# tools\nfoo==1.1  # pinned\n\nlib-c\n');
    const r = await run([], { target: t, requirementFiles: [file] });
    expect(r.packages.map((p) => `${p.name} ${p.version}`)).toEqual(['foo 1.1', 'lib-c 0.2']);
  });

  it('asks the next index on 404 (-i repeated), in order', async () => {
    const t = target();
    const r = await run(['only-extra'], { target: t, indexes: [main.indexUrl, extra.indexUrl] });
    expect(r.packages.map((p) => [p.name, p.index])).toEqual([
      ['only-extra', extra.indexUrl],
      ['foo', main.indexUrl],
    ]);
  });

  it('installs into the default target under HOME', async () => {
    const home = tempDir('mpy-home-');
    await run(['foo'], { target: undefined, env: { HOME: home } });
    expect(existsSync(join(home, '.micropython', 'lib', 'foo.py'))).toBe(true);
    removeDir(home);
  });

  it('installs through a symlinked target into the real directory', async () => {
    const real = target();
    mkdirSync(real, { recursive: true });
    const link = join(real, '..', 'link');
    symlinkSync(real, link);
    await run(['foo'], { target: link });
    expect(existsSync(join(real, 'foo.py'))).toBe(true);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('keeps unrelated files and replaces files it installs', async () => {
    const t = target();
    mkdirSync(join(t, 'mine'), { recursive: true });
    writeFileSync(join(t, 'mine', 'keep.py'), 'keep\n');
    writeFileSync(join(t, 'foo.py'), 'old foo\n');
    await run(['foo==1.0'], { target: t });
    expect(readFileSync(join(t, 'mine', 'keep.py'), 'utf-8')).toBe('keep\n');
    expect(readFileSync(join(t, 'foo.py'), 'utf-8')).toContain('"1.0"');
  });

  it('hits the cache on the second install', async () => {
    const cacheDir = join(root, 'cache');
    const first = await install({ requirements: ['lib-b'], indexes: [main.indexUrl], cacheDir, pool, target: target() });
    expect(first.packages.map((p) => p.cached)).toEqual([false, false]);
    const before = mainLog.length;
    const second = await install({ requirements: ['lib-b'], indexes: [main.indexUrl], cacheDir, pool, target: target() });
    expect(second.packages.map((p) => p.cached)).toEqual([true, true]);
    expect(mainLog.slice(before).filter((l) => l.includes(' /files/'))).toEqual([]);
    const bypass = await install({ requirements: ['lib-b'], indexes: [main.indexUrl], cacheDir, noCache: true, pool, target: target() });
    expect(bypass.packages.map((p) => p.cached)).toEqual([false, false]);
  });

  it('uses its own worker pool when given none', async () => {
    const r = await install({ requirements: ['foo'], indexes: [main.indexUrl], noCache: true, target: target() });
    expect(r.packages).toHaveLength(1);
  });

  it('--compile installs .mpy instead of .py, and removes the .py it replaces', async () => {
    const t = target();
    mkdirSync(t, { recursive: true });
    writeFileSync(join(t, 'lib_a.py'), 'A = 0  # an older install\n');
    const r = await run(['micropython-lib-a'], { target: t, compile: true });
    expect(r.compiled).toBe(true);
    expect(r.packages[0]!.files).toEqual(['lib_a.mpy']);
    expect(Object.keys(snapshot(t)).sort()).toEqual([
      '.mpy-installed.json',
      'lib_a.mpy',
      'lib_b.mpy',
      'lib_c',
      'lib_c/__init__.mpy',
      'lib_c/data.txt',
    ]);
    expect(readFileSync(join(t, 'lib_a.mpy'))[0]).toBe(0x4d); // 'M', the .mpy magic
    await run(['micropython-lib-a'], { target: t });
    expect(Object.keys(snapshot(t)).filter((p) => p.startsWith('lib_a'))).toEqual(['lib_a.py']);
  });

  it('says which indexes it asked for an unknown package, and leaves the target alone', async () => {
    const t = target();
    mkdirSync(t);
    writeFileSync(join(t, 'x.py'), 'x');
    const snap = snapshot(t);
    const err = await run(['no-such-thing'], { target: t, indexes: [main.indexUrl, extra.indexUrl] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InstallError);
    expect((err as InstallError).code).toBe('not-found');
    expect((err as InstallError).message).toContain(main.indexUrl);
    expect((err as InstallError).message).toContain(extra.indexUrl);
    expect(snapshot(t)).toEqual(snap);
  });

  it('refuses conflicting pins', async () => {
    const err = (await run(['foo==1.0', 'foo==1.1'], { target: target() }).catch((e: unknown) => e)) as InstallError;
    expect(err.code).toBe('conflict');
    const later = (await run(['lib-c==0.2', 'lib-b'], { target: target() }).catch((e: unknown) => e)) as InstallError;
    expect(later.code).toBe('conflict');
    expect(later.message).toMatch(/lib-c==0.1 \(required by lib-b 2.1\) conflicts with lib-c 0.2/);
  });
});
