import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIndexServer, type IndexServer, type ProjectJson } from '../host/index/index.js';
import { removeDir, tempDir, writeDists } from './helpers/fixture-dir.js';
import { distTarGz, tarGz } from './helpers/tar-fixture.js';

let root: string;
let dir: string;
let server: IndexServer;
const logs: string[] = [];
const warnings: string[] = [];

beforeAll(async () => {
  root = tempDir('mpy-serve-');
  dir = join(root, 'packages');
  mkdirSync(dir);
  writeFileSync(join(root, 'secret.tar.gz'), 'outside the index');
  writeDists(dir, [
    { name: 'foo', version: '1.0' },
    { name: 'foo', version: '1.1' },
    { name: 'foo', version: '2.0rc1' },
    { name: 'Micro_Py-Bar', version: '0.1', summary: 'bar it is', requires: ['foo'] },
  ]);
  writeFileSync(join(dir, 'notes.txt'), 'not a package');
  writeFileSync(join(dir, 'broken-1.0.tar.gz'), 'not gzip at all');
  writeFileSync(join(dir, 'evil-1.0.tar.gz'), tarGz([{ name: 'evil-1.0/x', type: '2', linkname: '/etc/passwd' }]));
  symlinkSync(join(root, 'secret.tar.gz'), join(dir, 'link-1.0.tar.gz'));
  server = await startIndexServer({ dir, port: 0, log: (l) => logs.push(l), warn: (w) => warnings.push(w) });
});

afterAll(async () => {
  await server?.close();
  removeDir(root);
});

async function getJson(path: string): Promise<{ status: number; body: ProjectJson }> {
  const res = await fetch(`${server.url}${path}`);
  return { status: res.status, body: res.status === 200 ? ((await res.json()) as ProjectJson) : ({} as ProjectJson) };
}

/** Sends raw bytes (so no client normalises the path) and returns the whole reply. */
function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(server.url);
    const sock = net.connect(Number(port), '127.0.0.1', () => sock.write(request));
    const chunks: Buffer[] = [];
    sock.on('data', (c) => chunks.push(c));
    sock.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    sock.on('error', reject);
  });
}

describe('mpy serve', () => {
  it('listens on the real port', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
    expect(server.indexUrl).toBe(`${server.url}/pypi`);
  });

  it('answers the project document upip reads: info.version highest final, one file per release', async () => {
    const { status, body } = await getJson('/pypi/foo/json');
    expect(status).toBe(200);
    expect(body.info.name).toBe('foo');
    expect(body.info.version).toBe('1.1');
    expect(Object.keys(body.releases)).toEqual(['1.0', '1.1', '2.0rc1']);
    for (const [v, files] of Object.entries(body.releases)) {
      expect(files).toHaveLength(1);
      expect(files[0]).toMatchObject({ filename: `foo-${v}.tar.gz`, packagetype: 'sdist' });
      const bytes = readFileSync(join(dir, `foo-${v}.tar.gz`));
      expect(files[0]!.digests.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(files[0]!.size).toBe(bytes.length);
      expect(files[0]!.url).toBe(`${server.url}/files/foo-${v}.tar.gz`);
    }
    expect(body.urls).toEqual(body.releases['1.1']);
  });

  it('finds a project by any spelling of its name (PEP 503)', async () => {
    for (const spelling of ['micro-py-bar', 'MICRO_PY_BAR', 'micro.py-bar', 'Micro_Py-Bar']) {
      const { status, body } = await getJson(`/pypi/${spelling}/json`);
      expect(status, spelling).toBe(200);
      expect(body.info).toMatchObject({ name: 'Micro_Py-Bar', version: '0.1', summary: 'bar it is', requires_dist: ['foo'] });
    }
  });

  it('answers one release, by exact or equal version', async () => {
    for (const v of ['1.0', '1.0.0', 'v1.0']) {
      const { status, body } = await getJson(`/pypi/foo/${v}/json`);
      expect(status).toBe(200);
      expect(body.info.version).toBe('1.0');
      expect(body.urls).toHaveLength(1);
      expect(body.urls[0]!.filename).toBe('foo-1.0.tar.gz');
      expect(Object.keys(body.releases)).toEqual(['1.0']);
    }
    expect((await getJson('/pypi/foo/9.9/json')).status).toBe(404);
  });

  it('answers 404 for unknown projects and paths, 405 for other methods', async () => {
    expect((await getJson('/pypi/nope/json')).status).toBe(404);
    expect((await fetch(`${server.url}/pypi/foo`)).status).toBe(404);
    expect((await fetch(`${server.url}/elsewhere`)).status).toBe(404);
    expect((await fetch(`${server.url}/pypi/foo/json`, { method: 'POST' })).status).toBe(405);
  });

  it('serves the files as plain bytes, with digests that match', async () => {
    const res = await fetch(`${server.url}/files/foo-1.1.tar.gz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-encoding')).toBeNull();
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.equals(readFileSync(join(dir, 'foo-1.1.tar.gz')))).toBe(true);
    const head = await fetch(`${server.url}/files/foo-1.1.tar.gz`, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(bytes.length));
    const again = await fetch(`${server.url}/files/foo-1.1.tar.gz`, { headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it.each([
    'GET /files/../secret.tar.gz HTTP/1.1',
    'GET /files/%2e%2e/secret.tar.gz HTTP/1.1',
    'GET /files/..%2Fsecret.tar.gz HTTP/1.1',
    'GET /files/..%5Csecret.tar.gz HTTP/1.1',
    'GET /files/%2e%2e%2f%2e%2e%2fsecret.tar.gz HTTP/1.1',
    'GET /pypi/../../secret.tar.gz HTTP/1.1',
    'GET /files/link-1.0.tar.gz HTTP/1.1',
    'GET /files/notes.txt HTTP/1.1',
    'GET /files/broken-1.0.tar.gz HTTP/1.1',
    'GET /files/evil-1.0.tar.gz HTTP/1.1',
    'GET /files/%ZZ HTTP/1.1',
    'GET //etc/passwd HTTP/1.1',
  ])('refuses %s', async (line) => {
    const reply = await raw(`${line}\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.1 (403|404|400) /);
    expect(reply).not.toContain('outside the index');
    expect(reply).not.toContain('not a package');
  });

  it('skips unusable packages and says why', () => {
    expect(warnings.some((w) => w.startsWith('broken-1.0.tar.gz') && /not gzip/.test(w))).toBe(true);
    expect(warnings.some((w) => w.startsWith('evil-1.0.tar.gz') && /symlink/.test(w))).toBe(true);
    expect(server.catalog.files.has('link-1.0.tar.gz')).toBe(false);
  });

  it('speaks HTTP/1.0 to upip: status line, headers, body to EOF', async () => {
    const reply = await raw(`GET /pypi/foo/json HTTP/1.0\r\nHost: 127.0.0.1:${new URL(server.url).port}\r\n\r\n`);
    const [head, body] = reply.split('\r\n\r\n', 2) as [string, string];
    expect(head.split('\r\n')[0]!.split(' ')[1]).toBe('200');
    expect(JSON.parse(body).info.version).toBe('1.1');
  });

  it('writes file URLs from the Host header, or from --base-url', async () => {
    const reply = await raw('GET /pypi/foo/json HTTP/1.0\r\nHost: index.example:8000\r\n\r\n');
    expect(reply).toContain('"url":"http://index.example:8000/files/foo-1.1.tar.gz"');
    const evil = await raw('GET /pypi/foo/json HTTP/1.0\r\nHost: a"b/c\r\n\r\n');
    expect(evil).toContain(`"url":"${server.url}/files/foo-1.1.tar.gz"`);
    const proxied = await startIndexServer({ dir, port: 0, baseUrl: 'https://cdn.example/mpy' });
    try {
      const body = (await (await fetch(`${proxied.indexUrl}/foo/json`)).json()) as ProjectJson;
      expect(body.urls[0]!.url).toBe('https://cdn.example/mpy/files/foo-1.1.tar.gz');
    } finally {
      await proxied.close();
    }
  });

  it('keeps connections alive', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = (): Promise<boolean> =>
      new Promise((resolve, reject) => {
        const req = http.get(`${server.indexUrl}/foo/json`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(req.reusedSocket));
        });
        req.on('error', reject);
      });
    expect(await get()).toBe(false);
    expect(await get()).toBe(true);
    agent.destroy();
  });

  it('serves packages added after start, and a repaired package', async () => {
    expect((await getJson('/pypi/late/json')).status).toBe(404);
    writeFileSync(join(root, 'late-3.0.tar.gz'), distTarGz({ name: 'late', version: '3.0' }));
    renameSync(join(root, 'late-3.0.tar.gz'), join(dir, 'late-3.0.tar.gz'));
    expect((await getJson('/pypi/late/json')).body.info.version).toBe('3.0');
    writeFileSync(join(dir, 'foo-3.0.tar.gz'), distTarGz({ name: 'foo', version: '3.0' }));
    expect((await getJson('/pypi/foo/json')).body.info.version).toBe('3.0');
    writeFileSync(join(dir, 'broken-1.0.tar.gz'), distTarGz({ name: 'broken', version: '1.0' }));
    expect((await getJson('/pypi/broken/json')).status).toBe(200);
  });

  it('notices a package rewritten in place when serving it', async () => {
    writeFileSync(join(dir, 'late-3.0.tar.gz'), distTarGz({ name: 'late', version: '3.0', summary: 'rewritten' }));
    const bytes = Buffer.from(await (await fetch(`${server.url}/files/late-3.0.tar.gz`)).arrayBuffer());
    expect(bytes.equals(readFileSync(join(dir, 'late-3.0.tar.gz')))).toBe(true);
    const { body } = await getJson('/pypi/late/json');
    expect(body.urls[0]!.digests.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('logs one line per request', async () => {
    const before = logs.length;
    await fetch(`${server.indexUrl}/foo/json`);
    await fetch(`${server.indexUrl}/nope/json`);
    const lines = logs.slice(before);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/GET \/pypi\/foo\/json 200 \d+ [\d.]+ms$/);
    expect(lines[1]).toMatch(/GET \/pypi\/nope\/json 404 /);
  });
});
