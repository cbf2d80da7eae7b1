/**
 * upip's whole conversation with the host, through the real `mpy` command:
 * test/fixtures/net/upip_conformance.py makes upip's calls in upip's order
 * (upip itself cannot live in this repository) against a local index
 * (`mpy serve`), over HTTP, over HTTPS with a CA of the test's own, and
 * through the index mapping with upip's built-in index URLs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startIndexServer, type IndexServer } from '../host/index/server.js';
import { removeDir, snapshot, tempDir, writeDists } from './helpers/fixture-dir.js';
import { runMpy } from './helpers/cli.js';
import { buildOnce } from './fixtures/net/run.js';
import { makeTestCa, tlsFront, type Running, type TestCa } from './fixtures/net/servers.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/net/upip_conformance.py', import.meta.url));

let packages: string;
let work: string;
let index: IndexServer;
let ca: TestCa;
let front: Running;
let tlsIndex: IndexServer;

beforeAll(async () => {
  buildOnce();
  packages = tempDir('mpy-net-pkgs-');
  work = realpathSync(tempDir('mpy-net-work-'));
  writeDists(packages, [
    { name: 'micropython-alpha', version: '1.0', files: { 'alpha.py': 'import beta\nNAME = "alpha"\n' }, requires: ['micropython-beta'] },
    { name: 'micropython-beta', version: '2.1', files: { 'beta.py': 'import gamma\nNAME = "beta"\n' }, requires: ['micropython-gamma'] },
    {
      name: 'micropython-gamma',
      version: '0.3',
      files: { 'gamma/__init__.py': 'from gamma.sub import VALUE\n', 'gamma/sub.py': 'VALUE = 42\n' },
      requires: ['micropython-delta'],
    },
    { name: 'micropython-delta', version: '5.0', files: { 'gamma/extra.py': 'EXTRA = True\n' } },
  ]);
  index = await startIndexServer({ dir: packages, port: 0 });
  ca = makeTestCa();
  // HTTPS: a TLS front whose index writes https file URLs.
  front = await tlsFront(ca, () => Number(new URL(tlsIndex.url).port));
  tlsIndex = await startIndexServer({ dir: packages, port: 0, baseUrl: `https://localhost:${front.port}` });
});

afterAll(async () => {
  await Promise.all([index.close(), tlsIndex.close(), front.close()]);
  removeDir(packages);
  removeDir(work);
  rmSync(ca.dir, { recursive: true, force: true });
});

function target(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const EXPECTED_FILES = ['alpha.py', 'beta.py', 'gamma', 'gamma/__init__.py', 'gamma/extra.py', 'gamma/sub.py'];

function installedFiles(dir: string): string[] {
  return Object.keys(snapshot(dir)).sort();
}

describe('upip conformance', () => {
  it('installs a chain of 4 packages into -p DIR over HTTP, files byte-exact, imports work', async () => {
    const dir = target('http');
    const r = await runMpy([SCRIPT, 'install', '-i', index.indexUrl, '-p', dir, '--stats', 'micropython-alpha'], { cwd: work });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`Installing micropython-delta 5.0 from ${index.url}/files/micropython-delta-5.0.tar.gz`);
    expect(installedFiles(dir)).toEqual(EXPECTED_FILES);
    expect(readFileSync(join(dir, 'gamma', 'sub.py'), 'utf8')).toBe('VALUE = 42\n');
    const run = await runMpy(['-c', 'import alpha, gamma, gamma.extra; print(alpha.NAME, gamma.VALUE, gamma.extra.EXTRA)'], {
      cwd: work,
      env: { MICROPYPATH: dir },
    });
    expect(run.stdout).toBe('alpha 42 True\n');
    // Reads are served from the socket's buffer: many Python reads, few crossings.
    const m = /stats: python_reads=(\d+) read_crossings=(\d+)/.exec(r.stdout)!;
    expect(Number(m[1])).toBeGreaterThan(1000);
    expect(Number(m[2])).toBeLessThan(20);
  });

  it('installs again into the same directory (mkdir raises EEXIST, which upip skips)', async () => {
    const dir = target('twice');
    for (let i = 0; i < 2; i++) {
      const r = await runMpy([SCRIPT, 'install', '-i', index.indexUrl, '-p', dir, 'micropython-gamma'], { cwd: work });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    expect(installedFiles(dir)).toEqual(['gamma', 'gamma/__init__.py', 'gamma/extra.py', 'gamma/sub.py']);
  });

  it('installs over HTTPS, verified against a CA given in NODE_EXTRA_CA_CERTS', async () => {
    const dir = target('https');
    const url = `https://localhost:${front.port}/pypi`;
    const r = await runMpy([SCRIPT, 'install', '-i', url, '-p', dir, 'micropython-alpha'], {
      cwd: work,
      env: { NODE_EXTRA_CA_CERTS: ca.caFile },
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`from https://localhost:${front.port}/files/micropython-alpha-1.0.tar.gz`);
    expect(installedFiles(dir)).toEqual(EXPECTED_FILES);
    const untrusted = await runMpy([SCRIPT, 'install', '-i', url, '-p', target('https-bad'), 'micropython-alpha'], { cwd: work });
    expect(untrusted.status).toBe(1);
    expect(untrusted.stderr).toContain('MBEDTLS_ERR_X509_CERT_VERIFY_FAILED');
  });

  it("installs with upip's built-in indexes (https://micropython.org/pi, https://pypi.org/pypi) mapped by MPY_INDEX_URL", async () => {
    const dir = target('mapped');
    const r = await runMpy([SCRIPT, 'install', '-p', dir, 'micropython-alpha'], { cwd: work, env: { MPY_INDEX_URL: index.indexUrl } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(installedFiles(dir)).toEqual(EXPECTED_FILES);
  });

  it('a package the index does not have: "Package not found", exit status 1', async () => {
    const r = await runMpy([SCRIPT, 'install', '-i', index.indexUrl, '-p', target('missing'), 'micropython-nothing'], { cwd: work });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("Error installing 'micropython-nothing': Missing('Package not found',), packages may be partially installed\n");
  });

  it('an index that does not answer: ECONNREFUSED reaches upip as OSError(111)', async () => {
    const closed = await startIndexServer({ dir: packages, port: 0 });
    const url = closed.indexUrl;
    await closed.close();
    const r = await runMpy([SCRIPT, 'install', '-i', url, '-p', target('refused'), 'micropython-alpha'], { cwd: work });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("Error installing 'micropython-alpha': OSError(111,), packages may be partially installed\n");
  });
});

describe('mpy install over HTTPS', () => {
  it('verifies the index against NODE_EXTRA_CA_CERTS and refuses it without', async () => {
    const dir = target('native-https');
    const url = `https://localhost:${front.port}/pypi`;
    const r = await runMpy(['install', '--no-cache', '-i', url, '-p', dir, 'micropython-alpha'], {
      cwd: work,
      env: { NODE_EXTRA_CA_CERTS: ca.caFile },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^installed 4 packages \(5 files\) into /);
    expect(installedFiles(dir)).toEqual(['.mpy-installed.json', ...EXPECTED_FILES]);
    const bad = target('native-https-bad');
    const untrusted = await runMpy(['install', '--no-cache', '-i', url, '-p', bad, 'micropython-alpha'], {
      cwd: work,
      env: { NODE_EXTRA_CA_CERTS: '' },
    });
    expect(untrusted.status).toBe(1);
    expect(untrusted.stderr).toContain(`mpy install: error: cannot reach ${url}/micropython-alpha/json`);
    expect(untrusted.stderr).toMatch(/certificate/i);
    expect(installedFiles(bad)).toEqual([]);
  });
});
