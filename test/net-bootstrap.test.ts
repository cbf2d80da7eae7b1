/**
 * `mpy -m upip` with no upip installed: the host fetches micropython-upip
 * from the index, checks its sha256, unpacks it into the user's cache and
 * runs it unchanged. The distribution served here is a stand-in the test
 * builds (a tiny upip-like module of this project's own), not upip.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startIndexServer, type IndexServer } from '../host/index/server.js';
import { removeDir, tempDir, writeDists } from './helpers/fixture-dir.js';
import { runMpy } from './helpers/cli.js';
import { distTarGz } from './helpers/tar-fixture.js';
import { buildOnce } from './fixtures/net/run.js';
import { httpServer } from './fixtures/net/servers.js';
import { proxyServer } from './helpers/proxy-server.js';

const STAND_IN = {
  name: 'micropython-upip',
  version: '9.9.9',
  files: {
    'upip.py': [
      '# A stand-in for upip (test fixture): shows where it runs from and that it can reach the network modules.',
      'import sys, usocket, ussl, uzlib, upip_utarfile',
      'print("stand-in upip", upip_utarfile.MARK, sys.argv)',
      'print("path", sys.path)',
      '',
    ].join('\n'),
    'upip_utarfile.py': 'MARK = "tar-helper"\n',
  },
};

let home: string;
let packages: string;
let index: IndexServer;

beforeAll(async () => {
  buildOnce();
  home = realpathSync(tempDir('mpy-net-home-'));
  packages = tempDir('mpy-net-upip-idx-');
  writeDists(packages, [STAND_IN]);
  index = await startIndexServer({ dir: packages, port: 0 });
});

afterAll(async () => {
  await index.close();
  removeDir(home);
  removeDir(packages);
});

function freshUser(name: string): { env: NodeJS.ProcessEnv; cache: string } {
  const dir = join(home, name);
  mkdirSync(dir, { recursive: true });
  return {
    env: { HOME: dir, XDG_CACHE_HOME: join(dir, 'xdg-cache'), MICROPYPATH: undefined, MPY_UPIP_INDEX: undefined, MPY_INDEX_URL: undefined },
    cache: join(dir, 'xdg-cache', 'mpy', 'upip'),
  };
}

describe('upip bootstrap', () => {
  it('fetches micropython-upip once, says so in one line, then runs from the cache offline', async () => {
    const { env, cache } = freshUser('first');
    env.MPY_UPIP_INDEX = index.indexUrl;
    const r = await runMpy(['-m', 'upip', 'install', 'foo'], { env, cwd: home });
    expect(r.stderr).toBe(
      `mpy: upip is not installed; fetched micropython-upip 9.9.9 from ${index.indexUrl} (sha256 checked) into ${cache}\n`,
    );
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe("stand-in upip tar-helper ['upip', 'install', 'foo']");
    // upip installs into sys.path[1] by default, so `-m upip` moves '.frozen' after the
    // user's entries (as on a port whose frozen modules are not on sys.path) and the
    // cache comes last.
    expect(lines[1]).toBe(`path ['', '${env.HOME}/.micropython/lib', '/usr/lib/micropython', '.frozen', '${cache}']`);
    expect(readFileSync(join(cache, 'upip_utarfile.py'), 'utf8')).toBe('MARK = "tar-helper"\n');
    expect(existsSync(join(cache, 'PKG-INFO'))).toBe(false);

    env.MPY_UPIP_INDEX = 'http://127.0.0.1:9/pypi';
    const again = await runMpy(['-m', 'upip', 'install', 'bar'], { env, cwd: home });
    expect(again.stderr).toBe('');
    expect(again.stdout.split('\n')[0]).toBe("stand-in upip tar-helper ['upip', 'install', 'bar']");
  });

  it('fetches through HTTP_PROXY when one is set', async () => {
    const proxy = await proxyServer();
    try {
      const { env } = freshUser('proxied');
      env.MPY_UPIP_INDEX = index.indexUrl;
      env.HTTP_PROXY = proxy.url;
      const r = await runMpy(['-m', 'upip', 'install', 'foo'], { env, cwd: home });
      expect(r.status).toBe(0);
      expect(proxy.seen[0]).toBe(`GET ${index.indexUrl}/micropython-upip/json`);
      expect(proxy.seen[1]).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/files\/micropython-upip-9\.9\.9\.tar\.gz$/);
    } finally {
      await proxy.close();
    }
  });

  it('uses the default index through MPY_INDEX_URL when MPY_UPIP_INDEX is not set', async () => {
    const { env, cache } = freshUser('mapped');
    env.MPY_INDEX_URL = index.indexUrl;
    const r = await runMpy(['-m', 'upip'], { env, cwd: home });
    expect(r.stderr).toBe(
      `mpy: upip is not installed; fetched micropython-upip 9.9.9 from ${index.indexUrl} (MPY_INDEX_URL, standing in for https://pypi.org/pypi) (sha256 checked) into ${cache}\n`,
    );
    expect(r.status).toBe(0);
  });

  it('through MPY_INDEX_URL, its errors name the URL really asked', async () => {
    const { env } = freshUser('mapped-404');
    const empty = await httpServer((_req, res) => void res.writeHead(404).end('no'));
    try {
      env.MPY_INDEX_URL = `http://127.0.0.1:${empty.port}/pypi`;
      const r = await runMpy(['-m', 'upip'], { env, cwd: home });
      expect(r.status).toBe(1);
      const real = `http://127.0.0.1:${empty.port}/pypi`;
      expect(r.stderr).toContain(
        `could not be fetched from ${real} (MPY_INDEX_URL, standing in for https://pypi.org/pypi): ${real}/micropython-upip/json says there is no micropython-upip (404)\n`,
      );
      expect(r.stderr).not.toContain('https://pypi.org/pypi/micropython-upip');
    } finally {
      await empty.close();
    }
  });

  it('offline with no cache: says so and how to fix it, non-zero status', async () => {
    const { env, cache } = freshUser('offline');
    const dead = await httpServer(() => {});
    env.MPY_UPIP_INDEX = `http://127.0.0.1:${dead.port}/pypi`;
    await dead.close();
    const r = await runMpy(['-m', 'upip', 'install', 'foo'], { env, cwd: home });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^mpy: upip is not installed and micropython-upip could not be fetched from http:\/\/127\.0\.0\.1:\d+\/pypi: .*ECONNREFUSED.*\n/,
    );
    expect(r.stderr).toContain(
      `set MPY_UPIP_INDEX to a reachable index (or MPY_INDEX_URL to a mirror of PyPI), or put upip.py and upip_utarfile.py into ${cache}\n`,
    );
    expect(existsSync(cache)).toBe(false);
  });

  it('checks the sha256 over the bytes as served (Content-Encoding: gzip kept) and refuses a mismatch', async () => {
    const gz = distTarGz(STAND_IN);
    let digest = createHash('sha256').update(gz).digest('hex');
    const custom = await httpServer((req, res) => {
      const base = `http://127.0.0.1:${req.socket.localPort ?? 0}`;
      if (req.url === '/pypi/micropython-upip/json') {
        res.end(
          JSON.stringify({
            info: { version: '9.9.9' },
            releases: { '9.9.9': [{ url: `${base}/f/micropython-upip-9.9.9.tar.gz`, digests: { sha256: digest } }] },
          }),
        );
      } else if (req.url === '/f/micropython-upip-9.9.9.tar.gz') {
        res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Type': 'application/x-tar' }).end(gz);
      } else res.writeHead(404).end();
    });
    const good = freshUser('gzip-encoded');
    good.env.MPY_UPIP_INDEX = `http://127.0.0.1:${custom.port}/pypi`;
    const ok = await runMpy(['-m', 'upip'], { env: good.env, cwd: home });
    expect(ok.status).toBe(0);
    expect(ok.stdout.split('\n')[0]).toBe("stand-in upip tar-helper ['upip']");

    digest = '0'.repeat(64);
    const bad = freshUser('mismatch');
    bad.env.MPY_UPIP_INDEX = good.env.MPY_UPIP_INDEX;
    const r = await runMpy(['-m', 'upip'], { env: bad.env, cwd: home });
    await custom.close();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`has sha256 ${createHash('sha256').update(gz).digest('hex')}, but the index says ${digest}`);
    expect(existsSync(bad.cache)).toBe(false);
  });

  it('leaves an installed upip alone: no fetch when upip is on sys.path', async () => {
    const { env } = freshUser('has-upip');
    const lib = join(env.HOME!, 'lib');
    mkdirSync(lib);
    writeFileSync(join(lib, 'upip.py'), 'print("the user\'s own upip")\n');
    env.MICROPYPATH = lib;
    env.MPY_UPIP_INDEX = 'http://127.0.0.1:9/pypi';
    const r = await runMpy(['-m', 'upip'], { env, cwd: home });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("the user's own upip\n");
  });
});
