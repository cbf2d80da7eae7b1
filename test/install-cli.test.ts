import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgress, type InstallEvent } from '../host/install/index.js';
import { exited, MPY_BIN, mpyUntilFirstLine, runMpy } from './helpers/cli.js';
import { ensureDist } from './helpers/dist.js';
import { removeDir, tempDir, writeDists } from './helpers/fixture-dir.js';

let root: string;
let pkgs: string;
let extraPkgs: string;
let serve: Awaited<ReturnType<typeof mpyUntilFirstLine>>;
let extra: Awaited<ReturnType<typeof mpyUntilFirstLine>>;

beforeAll(async () => {
  ensureDist(['host', 'wasm', 'runtime'], ['dist/host/cli/main.js', 'dist/host/install/unpack-worker.js']);
  root = tempDir('mpy-cli-');
  pkgs = join(root, 'pkgs');
  extraPkgs = join(root, 'extra');
  mkdirSync(pkgs);
  mkdirSync(extraPkgs);
  writeDists(pkgs, [
    { name: 'foo', version: '1.0' },
    { name: 'foo', version: '1.1' },
    { name: 'bar', version: '0.1', requires: ['foo'] },
  ]);
  writeDists(extraPkgs, [{ name: 'baz', version: '2.0', requires: ['bar'] }]);
  serve = await mpyUntilFirstLine(['serve', pkgs, '--port', '0']);
  extra = await mpyUntilFirstLine(['serve', extraPkgs, '-p', '0', '--quiet']);
});

afterAll(async () => {
  serve?.child.kill('SIGTERM');
  extra?.child.kill('SIGTERM');
  await Promise.all([serve && exited(serve.child), extra && exited(extra.child)]);
  if (root) removeDir(root);
});

describe('mpy serve (child process)', () => {
  it('prints the index URL with the real port, logs requests, stops cleanly on SIGTERM and SIGINT', async () => {
    expect(serve.line).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/pypi$/);
    expect(serve.line).not.toContain(':0/');
    const body = (await (await fetch(`${serve.line}/foo/json`)).json()) as { info: { version: string } };
    expect(body.info.version).toBe('1.1');
    const s = await mpyUntilFirstLine(['serve', pkgs, '--port', '0']);
    await fetch(`${s.line}/bar/json`);
    s.child.kill('SIGINT');
    expect(await exited(s.child)).toBe(0);
    expect(s.output.stderr).toMatch(/GET \/pypi\/bar\/json 200/);
    expect(s.output.stderr).toContain('stopped');
  });

  it('--help, and usage errors', async () => {
    const help = await runMpy(['serve', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('usage: mpy serve SOURCE...');
    expect((await runMpy(['serve'])).status).toBe(2);
    expect((await runMpy(['serve', pkgs, '--port', 'x'])).status).toBe(2);
    const missing = await runMpy(['serve', join(root, 'nope'), '--port', '0']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('cannot serve');
  });
});

describe('mpy index build (child process)', () => {
  it('writes the tree and says so', async () => {
    const out = join(root, 'site');
    const r = await runMpy(['index', 'build', pkgs, '-o', out, '--base-url', 'https://example.invalid/site']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^wrote 2 packages \(index v2, \d+ files\) and 2 projects \(PyPI JSON, 3 files\) to /);
    expect(JSON.parse(readFileSync(join(out, 'pypi', 'foo', 'json'), 'utf-8')).info.version).toBe('1.1');
    expect((await runMpy(['index', '--help'])).status).toBe(0);
    expect((await runMpy(['index', 'build', pkgs])).status).toBe(2);
  });
});

describe('mpy install (child process)', () => {
  it('installs with -p, -i fallback and -r; one quiet line per package when piped', async () => {
    const t = join(root, 't1');
    const req = join(root, 'req.txt');
    writeFileSync(req, '# deps\nbaz\n');
    const r = await runMpy(['install', '-p', t, '-i', serve.line, '-i', extra.line, '-r', req, '--no-cache']);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^baz 2\.0 \d/),
      expect.stringMatching(/^bar 0\.1 /),
      expect.stringMatching(/^foo 1\.1 /),
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^installed 3 packages \(3 files\) into .*t1: baz 2.0, bar 0.1, foo 1.1\n$/);
    expect(existsSync(join(t, 'baz.py'))).toBe(true);
  });

  it('name==version, --json, and the cache', async () => {
    const cache = join(root, 'cache');
    const args = (t: string) => ['install', '-p', join(root, t), '-i', serve.line, '--cache-dir', cache, '--json', 'foo==1.0'];
    const first = JSON.parse((await runMpy(args('t2'))).stdout);
    expect(first).toMatchObject({
      ok: true,
      packages: [{ name: 'foo', version: '1.0', cached: false, verified: true, files: ['foo.py'] }],
    });
    const second = await runMpy(args('t2b'));
    expect(second.status).toBe(0);
    expect(JSON.parse(second.stdout).packages[0].cached).toBe(true);
  });

  it('uses XDG_CACHE_HOME and HOME for its defaults', async () => {
    const home = join(root, 'home');
    const r = await runMpy(['install', '-i', serve.line, 'foo'], { env: { HOME: home, XDG_CACHE_HOME: join(root, 'xdg') } });
    expect(r.status).toBe(0);
    expect(existsSync(join(home, '.micropython', 'lib', 'foo.py'))).toBe(true);
    expect(existsSync(join(root, 'xdg', 'mpy', 'sha256'))).toBe(true);
  });

  it('fails with a non-zero status, a message and a hint', async () => {
    const r = await runMpy(['install', '-p', join(root, 't3'), '-i', serve.line, 'nope']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`mpy install: error: no release of nope on the index (${serve.line}: no project nope)`);
    expect(r.stderr).toContain('add the index that has it with -i');
    const j = await runMpy(['install', '-p', join(root, 't3'), '-i', serve.line, '--json', 'nope']);
    expect(j.status).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(existsSync(join(root, 't3'))).toBe(false);
    expect((await runMpy(['install', '--bogus'])).status).toBe(2);
    expect((await runMpy(['install', '--help'])).stdout).toContain('usage: mpy install');
  });
});

describe('mpy install cancelled', () => {
  it('Ctrl-C (SIGINT) while a download hangs: status 130, target untouched, no staging directory left', async () => {
    // An index whose archive never comes: the request is held until the test ends.
    let archiveAsked!: () => void;
    const asked = new Promise<void>((resolve) => (archiveAsked = resolve));
    const held: ServerResponse[] = [];
    const server = createServer((req, res) => {
      if (req.url === '/pypi/slow/json') {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/files/slow-1.0.tar.gz`;
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            info: { name: 'slow', version: '1.0' },
            releases: { '1.0': [{ url, filename: 'slow-1.0.tar.gz', packagetype: 'sdist' }] },
          }),
        );
        return;
      }
      held.push(res);
      archiveAsked();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const parent = join(root, 'cancel');
    const target = join(parent, 'lib');
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'kept.py'), 'K = 1\n');
    try {
      const index = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pypi`;
      const child = spawn(process.execPath, [MPY_BIN, 'install', '--no-cache', '-p', target, '-i', index, 'slow'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      await asked;
      child.kill('SIGINT');
      expect(await exited(child)).toBe(130);
      expect(stderr).toContain('mpy install: cancelled before anything was installed');
      expect(readdirSync(target)).toEqual(['kept.py']);
      expect(readdirSync(parent)).toEqual(['lib']);
    } finally {
      for (const res of held) res.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('progress display', () => {
  function sink(tty: boolean): { stream: NodeJS.WriteStream; text: () => string } {
    let text = '';
    const w = new Writable({
      write(chunk, _enc, cb) {
        text += chunk.toString();
        cb();
      },
    }) as unknown as NodeJS.WriteStream;
    Object.assign(w, { isTTY: tty, columns: 100 });
    return { stream: w, text: () => text };
  }
  const events: InstallEvent[] = [
    { type: 'wave', depth: 0, names: ['a', 'b'] },
    { type: 'resolved', name: 'a', version: '1', url: 'u', index: 'i' },
    { type: 'fetched', name: 'a', version: '1', bytes: 2048, cached: false },
    { type: 'unpacked', name: 'a', version: '1', files: 1, requires: [] },
    { type: 'fetched', name: 'b', version: '2', bytes: 10, cached: true },
    { type: 'unpacked', name: 'b', version: '2', files: 1, requires: [] },
    { type: 'commit', done: 2, total: 2 },
  ];

  it('draws a bar on a terminal and clears it', () => {
    const s = sink(true);
    const p = createProgress(s.stream);
    for (const e of events) p.onEvent(e);
    p.finish();
    expect(s.text()).toContain('[############------------] 1/2 packages 2.0 KiB  a 1');
    expect(s.text()).toContain('[########################] 2/2 packages');
    expect(s.text().endsWith('\r\x1b[K')).toBe(true);
  });

  it('prints one line per package when piped', () => {
    const s = sink(false);
    const p = createProgress(s.stream);
    for (const e of events) p.onEvent(e);
    p.finish();
    expect(s.text()).toBe('a 1 2.0 KiB\nb 2 (cached)\n');
  });
});
