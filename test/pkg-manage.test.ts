/**
 * Managing installed packages through the real CLI against a real `mpy
 * serve`: install records, list, uninstall, install -U, --dry-run, lock and
 * hash-checked installs from requirements files.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exited, MPY_BIN, mpyUntilFirstLine, runMpy } from './helpers/cli.js';
import { ensureDist } from './helpers/dist.js';
import { removeDir, snapshot, tempDir, writeDists } from './helpers/fixture-dir.js';

let root: string;
let serve: Awaited<ReturnType<typeof mpyUntilFirstLine>>;
let tampered: Awaited<ReturnType<typeof mpyUntilFirstLine>>;

/** Path → sha256 of every file under `dir` (no inodes or modes: two installs compare equal by content). */
function contents(dir: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(snapshot(dir))
      .filter(([, v]) => v.startsWith('file '))
      .map(([k]) => [
        k,
        createHash('sha256')
          .update(readFileSync(join(dir, k)))
          .digest('hex'),
      ]),
  );
}

function record(dir: string): {
  packages: Record<
    string,
    { name: string; version: string; requested: boolean; requiredBy: string[]; files: Record<string, string>; sha256: string }
  >;
} {
  return JSON.parse(readFileSync(join(dir, '.mpy-installed.json'), 'utf-8'));
}

beforeAll(async () => {
  ensureDist(['host', 'wasm', 'runtime'], ['dist/host/cli/main.js', 'dist/host/install/unpack-worker.js']);
  root = tempDir('mpy-manage-');
  const pkgs = join(root, 'pkgs');
  const bad = join(root, 'bad');
  mkdirSync(pkgs);
  mkdirSync(bad);
  writeDists(pkgs, [
    { name: 'app', version: '1.0', requires: ['lib'], files: { 'app/__init__.py': 'V = 1\n', 'app/main.py': 'print("main")\n' } },
    { name: 'app', version: '1.1', requires: ['lib'], files: { 'app/__init__.py': 'V = 2\n', 'app/util.py': 'U = 1\n' } },
    { name: 'lib', version: '2.0' },
    { name: 'other', version: '0.1', requires: ['lib'] },
    { name: 'top', version: '1.0', requires: ['mid'] },
    { name: 'mid', version: '2.1', requires: ['gone'] },
  ]);
  // The same names and versions with other bytes, as a compromised mirror would serve them.
  writeDists(bad, [
    { name: 'app', version: '1.1', requires: ['lib'], files: { 'app/__init__.py': 'import evil\n', 'app/util.py': 'U = 1\n' } },
    { name: 'lib', version: '2.0' },
  ]);
  serve = await mpyUntilFirstLine(['serve', pkgs, '--port', '0', '--quiet']);
  tampered = await mpyUntilFirstLine(['serve', bad, '--port', '0', '--quiet']);
});

afterAll(async () => {
  serve?.child.kill('SIGTERM');
  tampered?.child.kill('SIGTERM');
  await Promise.all([serve && exited(serve.child), tampered && exited(tampered.child)]);
  if (root) removeDir(root);
});

describe('install records, mpy list, install -U', () => {
  it('records what it installed, lists it, keeps what is installed, upgrades with -U (dry run first)', async () => {
    const t = join(root, 'up');
    const first = await runMpy(['install', '-p', t, '-i', serve.line, '--no-cache', 'app==1.0']);
    expect(first.status).toBe(0);
    const rec = record(t);
    expect(Object.keys(rec.packages)).toEqual(['app', 'lib']);
    expect(rec.packages.app).toMatchObject({ name: 'app', version: '1.0', requested: true, requiredBy: [] });
    expect(rec.packages.lib).toMatchObject({ version: '2.0', requested: false, requiredBy: ['app'] });
    expect(rec.packages.app!.files).toEqual({
      'app/__init__.py': createHash('sha256').update('V = 1\n').digest('hex'),
      'app/main.py': createHash('sha256').update('print("main")\n').digest('hex'),
    });

    const list = await runMpy(['list', '-p', t]);
    expect(list.status).toBe(0);
    expect(list.stdout.split('\n').map((l) => l.trimEnd())).toEqual([
      'Package  Version  Files  Installed because',
      '-------  -------  -----  -----------------',
      'app      1.0      2      requested',
      'lib      2.0      1      required by app',
      '',
    ]);
    const json = JSON.parse((await runMpy(['list', '-p', t, '--json'])).stdout);
    expect(json.packages.map((p: { name: string; files: string[] }) => [p.name, p.files])).toEqual([
      ['app', ['app/__init__.py', 'app/main.py']],
      ['lib', ['lib.py']],
    ]);

    const again = await runMpy(['install', '-p', t, '-i', serve.line, '--no-cache', 'app']);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(`already installed: app 1.0, lib 2.0\nnothing to do in ${t}\n`);

    const before = snapshot(t);
    const dry = await runMpy(['install', '-p', t, '-i', serve.line, '--no-cache', '-U', '--dry-run', 'app']);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toBe(
      `would install 1 package (2 files) into ${t}: app 1.0 → 1.1\nalready installed: lib 2.0\nwould remove 1 file of the replaced versions: app/main.py\ndry run: nothing was changed\n`,
    );
    expect(snapshot(t)).toEqual(before);

    const up = await runMpy(['install', '-p', t, '-i', serve.line, '--no-cache', '-U', 'app']);
    expect(up.status).toBe(0);
    expect(Object.keys(contents(t)).sort()).toEqual(['.mpy-installed.json', 'app/__init__.py', 'app/util.py', 'lib.py']);
    expect(record(t).packages.app).toMatchObject({ version: '1.1', requested: true });
    expect(snapshot(t)['lib.py']).toBe(before['lib.py']); // the dependency was not touched
  });

  it('an upgrade killed mid-download leaves the old version and its record intact', async () => {
    const t = join(root, 'killed', 'lib');
    expect((await runMpy(['install', '-p', t, '-i', serve.line, '--no-cache', 'app==1.0'])).status).toBe(0);
    const before = snapshot(t);
    let archiveAsked!: () => void;
    const asked = new Promise<void>((resolve) => (archiveAsked = resolve));
    const held: ServerResponse[] = [];
    // Offers app 2.0 and never sends its archive.
    const server = createServer((req, res) => {
      if (req.url === '/pypi/app/json') {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/files/app-2.0.tar.gz`;
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            info: { name: 'app', version: '2.0' },
            releases: { '2.0': [{ url, filename: 'app-2.0.tar.gz', packagetype: 'sdist' }] },
          }),
        );
        return;
      }
      held.push(res);
      archiveAsked();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const index = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pypi`;
      const child = spawn(process.execPath, [MPY_BIN, 'install', '--no-cache', '-U', '-p', t, '-i', index, 'app'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      await asked;
      child.kill('SIGKILL');
      await exited(child);
      expect(snapshot(t)).toEqual(before);
      // No stage or backup is left; the killed process's lock is, and the next command takes it over.
      expect(readdirSync(join(root, 'killed')).sort()).toEqual(['.lib.mpy-lock', 'lib']);
      const next = await runMpy(['install', '-p', t, '-i', serve.line, '--no-cache', '-U', 'app']);
      expect(next.status).toBe(0);
      expect(record(t).packages.app!.version).toBe('1.1');
      expect(readdirSync(join(root, 'killed'))).toEqual(['lib']);
    } finally {
      for (const res of held) res.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('names the chain of packages that required a missing one', async () => {
    const t = join(root, 'chain');
    const r = await runMpy(['install', '-p', t, '-i', serve.line, '--no-cache', 'top']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`mpy install: error: top 1.0 → mid 2.1 → gone: no release on the index (${serve.line}: no project gone)`);
    expect(r.stderr).toContain('mid 2.1 requires it');
    expect(existsSync(t)).toBe(false);
  });
});

describe('mpy uninstall', () => {
  it('removes exactly the recorded files, keeps dependencies others need, refuses changed files unless --force', async () => {
    const t = join(root, 'un');
    expect((await runMpy(['install', '-p', t, '-i', serve.line, '--no-cache', 'app', 'other'])).status).toBe(0);
    writeFileSync(join(t, 'mine.py'), 'not installed by mpy\n');

    const needed = await runMpy(['uninstall', '-p', t, 'lib']);
    expect(needed.status).toBe(1);
    expect(needed.stderr).toContain('mpy uninstall: error: lib 2.0 is required by app 1.1, other 0.1');

    const dry = await runMpy(['uninstall', '-p', t, '--dry-run', 'app']);
    expect(dry.stdout).toBe(
      `would remove app 1.1 from ${t} (2 files)\n  app/__init__.py\n  app/util.py\nkept lib: required by other\ndry run: nothing was changed\n`,
    );
    expect(existsSync(join(t, 'app', 'util.py'))).toBe(true);

    const app = await runMpy(['uninstall', '-p', t, 'app']);
    expect(app.status).toBe(0);
    expect(Object.keys(contents(t)).sort()).toEqual(['.mpy-installed.json', 'lib.py', 'mine.py', 'other.py']);
    expect(existsSync(join(t, 'app'))).toBe(false);
    expect(Object.keys(record(t).packages)).toEqual(['lib', 'other']);

    writeFileSync(join(t, 'other.py'), 'edited = True\n');
    const before = snapshot(t);
    const refused = await runMpy(['uninstall', '-p', t, 'other']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`1 file(s) changed since they were installed: ${join(t, 'other.py')}`);
    expect(refused.stderr).toContain('--force');
    expect(snapshot(t)).toEqual(before);

    const forced = await runMpy(['uninstall', '-p', t, '--force', 'other']);
    expect(forced.status).toBe(0);
    expect(forced.stdout).toContain('removed other 0.1, lib 2.0 (dependency)');
    expect(readdirSync(t)).toEqual(['mine.py']);
  });

  it('a damaged record is a clear error for list, uninstall, lock and install, and nothing changes', async () => {
    const t = join(root, 'damaged');
    mkdirSync(t);
    writeFileSync(join(t, '.mpy-installed.json'), '{"format": 1, "packages": ');
    const before = snapshot(t);
    for (const args of [['list'], ['uninstall', 'lib'], ['lock'], ['install', '-i', serve.line, '--no-cache', 'lib']]) {
      const r = await runMpy([...args, '-p', t]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`${join(t, '.mpy-installed.json')} is not an mpy install record`);
      expect(r.stderr).toContain('restore it from a backup, or remove it');
    }
    expect(snapshot(t)).toEqual(before);
  });

  it('one writer per target: a live lock holder makes install and uninstall wait their turn (an error, nothing changed)', async () => {
    const t = join(root, 'locked', 'lib');
    expect((await runMpy(['install', '-p', t, '-i', serve.line, '--no-cache', 'lib'])).status).toBe(0);
    const lock = join(root, 'locked', '.lib.mpy-lock');
    writeFileSync(lock, `${process.pid}\n`); // this test process: alive
    const before = snapshot(t);
    for (const args of [
      ['install', '-i', serve.line, '--no-cache', 'other'],
      ['uninstall', 'lib'],
    ]) {
      const r = await runMpy([...args, '-p', t]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`another mpy command (pid ${process.pid}) is installing into or uninstalling from ${t}`);
      expect(r.stderr).toContain(`remove ${lock}`);
    }
    expect(snapshot(t)).toEqual(before);
    expect((await runMpy(['uninstall', '-p', t, '--dry-run', 'lib'])).status).toBe(0);
    removeDir(lock);
    expect((await runMpy(['uninstall', '-p', t, 'lib'])).status).toBe(0);
  });

  it('unknown names and usage errors', async () => {
    const t = join(root, 'un2');
    expect((await runMpy(['install', '-p', t, '-i', serve.line, '--no-cache', 'lib'])).status).toBe(0);
    const r = await runMpy(['uninstall', '-p', t, 'nope']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`nope is not installed in ${t} (installed: lib)`);
    expect((await runMpy(['uninstall', '-p', t])).status).toBe(2);
    expect(JSON.parse((await runMpy(['uninstall', '-p', t, '--json', 'nope'])).stdout).error.code).toBe('not-installed');
  });
});

describe('mpy lock and hash-checked installs', () => {
  it('a lock installs the identical tree elsewhere, and locks to the same bytes', async () => {
    const a = join(root, 'lock-a');
    const b = join(root, 'lock-b');
    expect((await runMpy(['install', '-p', a, '-i', serve.line, '--no-cache', 'app', 'other'])).status).toBe(0);
    const lockFile = join(root, 'requirements.lock');
    const lock = await runMpy(['lock', '-p', a, '-o', lockFile]);
    expect(lock.status).toBe(0);
    const text = readFileSync(lockFile, 'utf-8');
    const sha = (k: string): string => record(a).packages[k]!.sha256;
    expect(text.split('\n').filter((l) => !l.startsWith('#'))).toEqual([
      'app==1.1 \\',
      `    --hash=sha256:${sha('app')}`,
      'lib==2.0 \\',
      `    --hash=sha256:${sha('lib')}`,
      'other==0.1 \\',
      `    --hash=sha256:${sha('other')}`,
      '',
    ]);
    expect((await runMpy(['install', '-p', b, '-i', serve.line, '--no-cache', '-r', lockFile])).status).toBe(0);
    // Same files, same bytes; the records differ only in that every lock line is a request.
    const { '.mpy-installed.json': recB, ...filesB } = contents(b);
    const { '.mpy-installed.json': recA, ...filesA } = contents(a);
    expect(filesB).toEqual(filesA);
    expect(recB).toBeDefined();
    expect(recA).toBeDefined();
    const strip = (d: string) =>
      Object.fromEntries(Object.entries(record(d).packages).map(([k, e]) => [k, { ...e, requested: undefined }]));
    expect(strip(b)).toEqual(strip(a));
    expect((await runMpy(['lock', '-p', b])).stdout).toBe(text);
  });

  it('refuses a tampered archive under the lock, and a requirement without a hash under --require-hashes', async () => {
    const a = join(root, 'lock-c');
    expect((await runMpy(['install', '-p', a, '-i', serve.line, '--no-cache', 'app'])).status).toBe(0);
    const lockFile = join(root, 'c.lock');
    expect((await runMpy(['lock', '-p', a, '-o', lockFile])).status).toBe(0);
    const t = join(root, 'tampered');
    const r = await runMpy(['install', '-p', t, '-i', tampered.line, '--no-cache', '--require-hashes', '-r', lockFile]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /mpy install: error: .*app-1\.1\.tar\.gz \(app 1\.1\) has sha256 [0-9a-f]{64}, which is not a --hash given for app==1\.1/,
    );
    expect(existsSync(t)).toBe(false);

    const loose = join(root, 'loose.txt');
    writeFileSync(loose, 'app==1.1\n');
    const missing = await runMpy(['install', '-p', t, '-i', serve.line, '--no-cache', '--require-hashes', '-r', loose]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('in hash-checking mode every requirement needs --hash=sha256:…; these have none: app==1.1');

    const partial = join(root, 'partial.txt');
    writeFileSync(partial, `app==1.1 --hash=sha256:${record(a).packages.app!.sha256}\n`);
    const dep = await runMpy(['install', '-p', t, '-i', serve.line, '--no-cache', '-r', partial]);
    expect(dep.status).toBe(1);
    expect(dep.stderr).toContain('lib is needed (app 1.1 → lib) but the requirements give no --hash for it');
    expect(existsSync(t)).toBe(false);
  });

  it('reads comments, continuations, -r includes and --index-url; names an unsupported option', async () => {
    const dir = join(root, 'reqs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'base.txt'), `# the index comes from the file\n--index-url ${serve.line}\nlib  # a comment\n`);
    writeFileSync(join(dir, 'main.txt'), '-r base.txt\n\nother \\\n   ==0.1\n');
    const t = join(root, 'from-file');
    const r = await runMpy(['install', '-p', t, '--no-cache', '-r', join(dir, 'main.txt')]);
    expect(r.status).toBe(0);
    expect(Object.keys(record(t).packages)).toEqual(['lib', 'other']);

    writeFileSync(join(dir, 'edit.txt'), 'lib\n-e ./src\n');
    const e = await runMpy(['install', '-p', t, '--no-cache', '-r', join(dir, 'edit.txt')]);
    expect(e.status).toBe(1);
    expect(e.stderr).toContain(`${join(dir, 'edit.txt')}:2: option -e is not supported in requirements files`);
    writeFileSync(join(dir, 'hash.txt'), 'lib==2.0 --hash=md5:abc\n');
    expect((await runMpy(['install', '-p', t, '--no-cache', '-r', join(dir, 'hash.txt')])).stderr).toContain(
      ':1: --hash must be sha256:<64 hex digits>, got "md5:abc"',
    );
  });
});
