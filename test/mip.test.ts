/**
 * mip end to end: package trees described by manifest.py files (written
 * here) built into index v2 by `mpy index build`, served by `mpy serve` and
 * by a bare static host, installed by mip running under mpy (micropython-lib's
 * own mip when a checkout is at hand, else a small client of the same
 * protocol written for these tests) and by `mpy install`; the results
 * compared file by file. Then the failures: hash mismatch, missing file,
 * unknown package, dependency cycle, unreachable index, bad manifests.
 * MPY_TEST_MINI_MIP=1 uses the test's own client even when mip is at hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { buildOnce } from './fixtures/net/run.js';
import { copyRealMip, writeAppTree, writeLibTree } from './fixtures/mip/tree.js';
import { removeDir, snapshot, tempDir } from './helpers/fixture-dir.js';
import { exited, mpyUntilFirstLine, runMpy, type MpyResult } from './helpers/cli.js';
import { staticHost } from './helpers/static-host.js';
import { ROOT } from './helpers/dist.js';

const MINI_MIP = join(ROOT, 'test', 'fixtures', 'mip', 'mini_mip.py');
const RECORD = '.mpy-installed.json';
let work: string;
let app: string;
let lib: string;
let mipTree: string;
let realMip = false;
let site: string;
let serveChild: ChildProcess;
let served: string;
let staticSite: { url: string; close: () => Promise<void> };
let closedPort: number;

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** The packages named by `mpy install`'s progress lines (one per package when piped), sorted. */
const progressNames = (stderr: string): string[] =>
  stderr
    .trim()
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .sort();

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const abs = join(d, name);
      if (statSync(abs).isDirectory()) walk(abs);
      else out[relative(dir, abs)] = sha256(readFileSync(abs));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** The files mpy install wrote, without its install record (mip keeps none). */
function withoutRecord(listing: Record<string, string>): Record<string, string> {
  const { [RECORD]: _record, ...rest } = listing;
  return rest;
}

/** `mip install ARGS` under mpy: the real mip (bootstrapped) or the test's own client. */
function mip(args: string[], env: NodeJS.ProcessEnv): Promise<MpyResult> {
  const argv = realMip ? ['-m', 'mip', 'install', ...args] : [MINI_MIP, 'install', ...args];
  return runMpy(argv, { env: { MPY_INDEX_URL: undefined, MPY_NET_ALLOW: undefined, ...env }, cwd: work });
}

function home(name: string): string {
  const h = join(work, name);
  mkdirSync(h, { recursive: true });
  return h;
}

beforeAll(async () => {
  buildOnce();
  work = tempDir('mpy-mip-');
  app = join(work, 'app');
  lib = join(work, 'lib');
  mipTree = join(work, 'mip-src');
  writeAppTree(app);
  writeLibTree(lib);
  mkdirSync(mipTree);
  realMip = !process.env.MPY_TEST_MINI_MIP && copyRealMip(mipTree);
  const sources = realMip ? [app, lib, mipTree] : [app, lib];
  site = join(work, 'site');
  const build = await runMpy(['index', 'build', ...sources, '-o', site]);
  expect(build.stderr).toBe('');
  expect(build.status).toBe(0);
  const started = await mpyUntilFirstLine(['serve', ...sources, '--port', '0', '-q']);
  serveChild = started.child;
  served = started.line.replace(/\/pypi$/, '');
  staticSite = await staticHost(site);
  const probe = await staticHost(work);
  closedPort = Number(new URL(probe.url).port);
  await probe.close();
}, 120_000);

afterAll(async () => {
  serveChild?.kill('SIGTERM');
  if (serveChild) await exited(serveChild);
  await staticSite?.close();
  removeDir(work);
});

describe('mpy index build of manifest trees', () => {
  it('writes index.json, package/6 and package/py documents and hash-named files', () => {
    const index = JSON.parse(readFileSync(join(site, 'index.json'), 'utf8'));
    expect(index.v).toBe(2);
    const greet = index.packages.find((p: { name: string }) => p.name === 'greet');
    expect(greet).toEqual({
      name: 'greet',
      version: '1.2.0',
      author: 'mpy tests',
      description: 'Greetings',
      license: 'MIT',
      versions: { '6': ['1.2.0'], py: ['1.2.0'] },
      path: 'greet',
    });
    const mpyDoc = JSON.parse(readFileSync(join(site, 'package/6/greet/latest.json'), 'utf8'));
    expect(mpyDoc.version).toBe('1.2.0');
    expect(mpyDoc.deps).toEqual([['helper', 'latest']]);
    expect(mpyDoc.hashes.map((h: string[]) => h[0]).sort()).toEqual([
      'greet/__init__.mpy',
      'greet/sub/__init__.mpy',
      'greet/sub/deep.mpy',
      'textutil.mpy',
    ]);
    expect(readFileSync(join(site, 'package/6/greet/1.2.0.json'), 'utf8')).toBe(
      readFileSync(join(site, 'package/6/greet/latest.json'), 'utf8'),
    );
    const pyDoc = JSON.parse(readFileSync(join(site, 'package/py/tables/latest.json'), 'utf8'));
    expect(pyDoc.hashes.map((h: string[]) => h[0])).toEqual(['tables/__init__.py', 'tables/table.json']);
    const cond = JSON.parse(readFileSync(join(site, 'package/py/cond/latest.json'), 'utf8'));
    expect(cond.hashes.map((h: string[]) => h[0])).toEqual(['big.py']);
    const user = JSON.parse(readFileSync(join(site, 'package/py/user/latest.json'), 'utf8'));
    expect(user.hashes.map((h: string[]) => h[0])).toEqual(['shim.py', 'user.py']);
    expect(user.deps).toEqual([]);
    for (const doc of [mpyDoc, pyDoc]) {
      for (const [path, h] of doc.hashes as string[][]) {
        expect(h).toMatch(/^[0-9a-f]{8}$/);
        const bytes = readFileSync(join(site, 'file', h!.slice(0, 2), h!));
        expect(sha256(bytes).startsWith(h!)).toBe(true);
        if (path!.endsWith('.mpy')) expect([...bytes.subarray(0, 2)]).toEqual([0x4d, 6]);
      }
    }
    // The data file is the same in both layouts; sources are the tree's bytes.
    const table = pyDoc.hashes[1][1];
    expect(JSON.parse(readFileSync(join(site, 'package/6/tables/latest.json'), 'utf8')).hashes[1]).toEqual(['tables/table.json', table]);
    expect(readFileSync(join(site, 'file', table.slice(0, 2), table), 'utf8')).toBe(
      readFileSync(join(app, 'tables/tables/table.json'), 'utf8'),
    );
  });

  it('mpy serve answers the same documents and files as the static build', async () => {
    for (const path of ['index.json', 'package/6/greet/latest.json', 'package/py/tables/1.0.json']) {
      const res = await fetch(`${served}/${path}`);
      expect(res.status).toBe(200);
      const body = await res.text();
      if (path === 'index.json') expect(JSON.parse(body).packages).toEqual(JSON.parse(readFileSync(join(site, path), 'utf8')).packages);
      else expect(body).toBe(readFileSync(join(site, path), 'utf8'));
    }
    expect((await fetch(`${served}/package/6/nosuch/latest.json`)).status).toBe(404);
  });

  it('refuses a manifest that names a missing file or leaves the tree, naming it', async () => {
    const bad = join(work, 'bad-tree');
    mkdirSync(join(bad, 'a'), { recursive: true });
    writeFileSync(join(bad, 'a', 'manifest.py'), 'metadata(version="1")\nmodule("gone.py")\n');
    let r = await runMpy(['index', 'build', bad, '-o', join(work, 'bad-out')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/a\/manifest\.py: a\/gone\.py does not exist/);
    writeFileSync(join(bad, 'a', 'manifest.py'), 'package("etc", files=["passwd"], base_path="/etc")\n');
    r = await runMpy(['index', 'build', bad, '-o', join(work, 'bad-out')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\/etc is outside the package tree/);
    writeFileSync(join(bad, 'a', 'manifest.py'), 'metadata(version="1")\nmodule(\n');
    r = await runMpy(['index', 'build', bad, '-o', join(work, 'bad-out')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/a\/manifest\.py(:\d+)?: SyntaxError/);
    writeFileSync(join(bad, 'a', 'manifest.py'), 'import js\nmetadata(version=str(js.process.env))\n');
    r = await runMpy(['index', 'build', bad, '-o', join(work, 'bad-out')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/a\/manifest\.py:1: ImportError: manifest files cannot import modules \(js\)/);
    // Nor later, through an object of the manifest's own class that the host would print or convert.
    writeFileSync(
      join(bad, 'a', 'manifest.py'),
      'class S(str):\n    def __str__(self):\n        import js\n        return "x"\nclass E(Exception):\n    __str__ = S.__str__\nmetadata(version=S("1"))\nraise E()\n',
    );
    r = await runMpy(['index', 'build', bad, '-o', join(work, 'bad-out')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/a\/manifest\.py:7: TypeError: manifest arguments must be plain data, not S/);
    expect(existsSync(join(work, 'bad-out'))).toBe(false);
    // Five builds one after another: 24 s of the default 30 on a machine at load 14.
  }, 120_000);
});

describe('mip under mpy', () => {
  it('installs into ~/.micropython/lib by default, with dependencies, and the code runs (.mpy at the opt level given)', async () => {
    const h = home('home-default');
    const r = await mip(['--index', served, 'greet', 'tables@1.0'], { HOME: h });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Done/);
    if (realMip) expect(r.stderr).toMatch(/^mpy: mip is not installed; fetched mip-cmdline 0\.1\.0 .* \(sha256 checked\)/);
    const target = join(h, '.micropython', 'lib');
    expect(Object.keys(files(target))).toEqual([
      'greet/__init__.mpy',
      'greet/sub/__init__.mpy',
      'greet/sub/deep.mpy',
      'helper.mpy',
      'tables/__init__.mpy',
      'tables/table.json',
      'textutil.mpy',
    ]);
    const run = await runMpy(
      ['-c', 'import greet, greet.sub.deep, tables\nprint(greet.hello("mip"), greet.sub.deep.check(), tables.load())'],
      { env: { HOME: h } },
    );
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe("HELLO MIP! 42 asserts compiled out {'rows': [1, 2, 3]}\n");
    // mpy install --mip puts the very same files in place.
    const viaInstall = join(work, 'install-mpy');
    const i = await runMpy(['install', '--mip', '-i', `${served}/pypi`, '--target', viaInstall, 'greet', 'tables']);
    expect(progressNames(i.stderr)).toEqual(['greet', 'helper', 'tables']);
    expect(i.stdout).toMatch(/^installed 3 packages \(7 files\)/);
    expect(withoutRecord(files(viaInstall))).toEqual(files(target));
    // mpy install records them, as it records distribution packages (mpy list, mpy uninstall).
    const record = JSON.parse(readFileSync(join(viaInstall, RECORD), 'utf8'));
    expect(Object.keys(record.packages).sort()).toEqual(['greet', 'helper', 'tables']);
    expect(record.packages.greet).toMatchObject({ version: '1.2.0', requested: true, requires: ['helper'] });
    expect(record.packages.helper).toMatchObject({ requested: false, requiredBy: ['greet'] });
  });

  it("--target DIR --no-mpy from a static copy of the build (MPY_INDEX_URL maps mip's default index): the tree's sources, byte for byte", async () => {
    const h = home('home-static');
    const target = join(work, 'static-py');
    const r = await mip(['--target', target, '--no-mpy', 'greet', 'cond'], { HOME: h, MPY_INDEX_URL: `${staticSite.url}/pypi` });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Done/);
    const expected: Record<string, string> = {};
    for (const [rel, src] of [
      ['greet/__init__.py', 'greet/greet/__init__.py'],
      ['greet/sub/__init__.py', 'greet/greet/sub/__init__.py'],
      ['greet/sub/deep.py', 'greet/greet/sub/deep.py'],
      ['textutil.py', 'textutil/textutil.py'],
      ['big.py', 'cond/big.py'],
    ] as const)
      expected[rel] = sha256(readFileSync(join(app, src)));
    expected['helper.py'] = sha256(readFileSync(join(lib, 'helper/helper.py')));
    expect(files(target)).toEqual(Object.fromEntries(Object.entries(expected).sort(([a], [b]) => (a < b ? -1 : 1))));
    const viaInstall = join(work, 'install-py');
    const i = await runMpy(['install', '--mip', '--no-mpy', '-p', viaInstall, 'greet', 'cond'], {
      env: { MPY_INDEX_URL: `${staticSite.url}/pypi` },
    });
    expect(i.status).toBe(0);
    expect(withoutRecord(files(viaInstall))).toEqual(files(target));
    const run = await runMpy([
      '-c',
      'import sys\nsys.path.insert(0, "' +
        target +
        '")\nimport greet.sub.deep\ntry:\n    greet.sub.deep.check()\nexcept AssertionError as e:\n    print(e)',
    ]);
    expect(run.stdout).toBe('asserts run\n');
  });

  it('github: specs reach a mirror through MPY_INDEX_URL', async () => {
    const mirror = join(work, 'mirror');
    cpSync(site, mirror, { recursive: true });
    mkdirSync(join(mirror, 'github/someone/gadget/HEAD'), { recursive: true });
    writeFileSync(
      join(mirror, 'github/someone/gadget/HEAD/package.json'),
      JSON.stringify({ urls: [['gadget.py', 'github:someone/gadget/gadget.py']], deps: [['textutil', 'latest']], version: '0.1' }),
    );
    writeFileSync(join(mirror, 'github/someone/gadget/HEAD/gadget.py'), 'NAME = "gadget"\n');
    const host = await staticHost(mirror);
    try {
      const env = { MPY_INDEX_URL: host.url, HOME: home('home-gh') };
      const target = join(work, 'gh-mip');
      const r = await mip(['--target', target, 'github:someone/gadget'], env);
      expect(r.status).toBe(0);
      expect(Object.keys(files(target))).toEqual(['gadget.py', 'textutil.mpy']);
      const viaInstall = join(work, 'gh-install');
      const i = await runMpy(['install', '-p', viaInstall, 'github:someone/gadget'], { env });
      expect(progressNames(i.stderr)).toEqual(['github:someone/gadget', 'textutil']);
      expect(withoutRecord(files(viaInstall))).toEqual(files(target));
    } finally {
      await host.close();
    }
  });
});

describe('failures', () => {
  function brokenSite(name: string, change: (dir: string, docOf: (pkg: string) => { hashes: string[][] }) => void): string {
    const dir = join(work, name);
    cpSync(site, dir, { recursive: true });
    change(dir, (pkg) => JSON.parse(readFileSync(join(dir, `package/6/${pkg}/latest.json`), 'utf8')));
    return dir;
  }

  async function installFrom(dir: string, args: string[]): Promise<{ r: MpyResult; target: string }> {
    const host = await staticHost(dir);
    const target = join(work, `t-${relative(work, dir)}`);
    try {
      return { r: await runMpy(['install', '--mip', '-i', host.url, '-p', target, ...args]), target };
    } finally {
      await host.close();
    }
  }

  it('a file whose hash does not match: mpy install refuses, the target is not created', async () => {
    const dir = brokenSite('tampered', (d, doc) => {
      const h = doc('helper').hashes[0]![1]!;
      writeFileSync(join(d, 'file', h.slice(0, 2), h), 'VALUE = "tampered"\n');
    });
    const { r, target } = await installFrom(dir, ['greet']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/sha256 mismatch for .*helper: helper\.mpy\): the index names it [0-9a-f]{8}, the download is/);
    expect(snapshot(target)).toEqual({});
  });

  it('a missing file: mpy install names it, nothing is installed', async () => {
    const dir = brokenSite('missing', (d, doc) => {
      const h = doc('textutil').hashes[0]![1]!;
      rmSync(join(d, 'file', h.slice(0, 2), h));
    });
    const { r, target } = await installFrom(dir, ['tables', 'greet']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/greet: textutil\.mpy\) answered 404/);
    expect(snapshot(target)).toEqual({});
  });

  it('an unknown package: mpy install and mip both say so', async () => {
    const { r, target } = await installFrom(site, ['greet', 'nosuch@1.0']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no package nosuch@1\.0 in index v2 at http:\/\/127\.0\.0\.1:\d+/);
    expect(snapshot(target)).toEqual({});
    const m = await mip(['--index', served, '--target', join(work, 'mip-404'), 'nosuch'], { HOME: home('home-404') });
    expect(m.stdout).toMatch(/Package not found: .*\/package\/6\/nosuch\/latest\.json/);
  });

  it('a dependency cycle: mpy install stops with the cycle, nothing installed', async () => {
    const dir = brokenSite('cycle', (d) => {
      const h = JSON.parse(readFileSync(join(d, 'package/6/helper/latest.json'), 'utf8'));
      writeFileSync(join(d, 'package/6/helper/latest.json'), JSON.stringify({ ...h, deps: [['greet', 'latest']] }));
    });
    const { r, target } = await installFrom(dir, ['greet']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/dependency cycle: greet -> helper -> greet/);
    expect(snapshot(target)).toEqual({});
  });

  it('an unreachable index: mpy install and the mip bootstrap fail clearly', async () => {
    const target = join(work, 'unreachable');
    const i = await runMpy(['install', '--mip', '-i', `http://127.0.0.1:${closedPort}`, '-p', target, 'greet']);
    expect(i.status).toBe(1);
    expect(i.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+\/package\/6\/greet\/latest\.json: .*ECONNREFUSED/);
    expect(snapshot(target)).toEqual({});
    if (!realMip) return;
    const h = home('home-unreachable');
    const m = await runMpy(['-m', 'mip', 'install', '--index', `http://127.0.0.1:${closedPort}`, 'greet'], { env: { HOME: h } });
    expect(m.status).toBe(1);
    expect(m.stderr).toMatch(
      /^mpy: mip is not installed and mip-cmdline could not be fetched from http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/,
    );
    expect(existsSync(join(h, '.cache', 'mpy', 'mip'))).toBe(false);
  });

  it('the mip bootstrap refuses a tampered mip and caches nothing', async (ctx) => {
    if (!realMip) ctx.skip('no micropython-lib checkout: the bootstrap has no mip to fetch');
    const dir = brokenSite('tampered-mip', (d, doc) => {
      const h = doc('mip-cmdline').hashes.find((x) => x[0]!.startsWith('mip/__main__'))![1]!;
      writeFileSync(join(d, 'file', h.slice(0, 2), h), 'print("pwned")\n');
    });
    const host = await staticHost(dir);
    try {
      const h = home('home-tampered');
      const m = await runMpy(['-m', 'mip', 'install', 'greet'], { env: { HOME: h, MPY_INDEX_URL: host.url } });
      expect(m.status).toBe(1);
      expect(m.stdout).toBe('');
      expect(m.stderr).toMatch(/\(mip\/__main__\.mpy\) has sha256 [0-9a-f]{64}, which does not start with [0-9a-f]{8}/);
      expect(existsSync(join(h, '.cache', 'mpy', 'mip'))).toBe(false);
    } finally {
      await host.close();
    }
  });
});
