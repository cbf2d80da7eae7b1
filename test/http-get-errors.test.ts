/**
 * The host's own GET (mpy install, the upip bootstrap) names what failed:
 * a redirect to a non-http(s) or malformed URL, no answer in time, a body
 * that stalls (a timeout), a body cut off by the server (closed), a refused
 * connection. Real servers on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpGetError, httpGet } from '../host/net/http-get.js';
import { install, InstallError } from '../host/install/index.js';
import { deadUrl } from './helpers/fake-index.js';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    switch (req.url) {
      case '/to-file':
        return void res.writeHead(302, { location: 'file:///etc/passwd' }).end();
      case '/to-ftp':
        return void res.writeHead(301, { location: 'ftp://127.0.0.1/x.tar.gz' }).end();
      case '/to-malformed':
        return void res.writeHead(302, { location: 'http://[::1/x' }).end();
      case '/pypi/redirected/json':
        return void res.writeHead(302, { location: 'file:///etc/passwd' }).end();
      case '/silent':
        return; // never answers
      case '/stall':
        res.writeHead(200, { 'content-length': 1000 });
        return void res.write(Buffer.alloc(10));
      case '/cut':
        res.writeHead(200, { 'content-length': 1000 });
        return void res.write(Buffer.alloc(10), () => res.destroy());
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((ok) => server.close(() => ok()));
});

async function failure(path: string, timeoutMs = 2_000): Promise<HttpGetError> {
  const err = await httpGet(`${base}${path}`, { timeoutMs }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(HttpGetError);
  return err as HttpGetError;
}

describe('httpGet failures', () => {
  it('a redirect to file: or ftp: is bad-url, naming both URLs', async () => {
    const file = await failure('/to-file');
    expect(file.failure).toBe('bad-url');
    expect(file.message).toBe(`${base}/to-file redirected to "file:///etc/passwd", a file: URL; only http and https are followed`);
    const ftp = await failure('/to-ftp');
    expect(ftp.message).toBe(`${base}/to-ftp redirected to "ftp://127.0.0.1/x.tar.gz", a ftp: URL; only http and https are followed`);
  });

  it('a malformed Location, or a malformed URL asked for, is bad-url', async () => {
    const bad = await failure('/to-malformed');
    expect(bad.failure).toBe('bad-url');
    expect(bad.message).toBe(`${base}/to-malformed redirected to "http://[::1/x", which is not a valid URL`);
    const asked = (await httpGet('not a url').catch((e: unknown) => e)) as HttpGetError;
    expect(asked.failure).toBe('bad-url');
  });

  it('no answer in time is a timeout, not a network error', async () => {
    const err = await failure('/silent', 300);
    expect(err.failure).toBe('timeout');
    expect(err.message).toBe(`${base}/silent: no answer within 300 ms`);
  });

  it('a body that stalls is a timeout, not "closed mid-body"', async () => {
    const err = await failure('/stall', 300);
    expect(err.failure).toBe('timeout');
    expect(err.message).toBe(`${base}/stall: the body stalled after 10 bytes (no data for 300 ms)`);
  });

  it('a body the server cuts off is broken-body: closed mid-body', async () => {
    const err = await failure('/cut');
    expect(err.failure).toBe('broken-body');
    expect(err.message).toContain('closed the connection mid-body');
  });

  it('a refused connection is a network failure with its code', async () => {
    const err = (await httpGet(`${await deadUrl()}/x`).catch((e: unknown) => e)) as HttpGetError;
    expect(err.failure).toBe('network');
    expect(err.code).toBe('ECONNREFUSED');
  });
});

describe('mpy install reports them as InstallErrors', () => {
  it('an index redirecting to file: is index-error, without a permissions hint', async () => {
    const err = (await install({
      requirements: ['redirected'],
      indexes: [`${base}/pypi`],
      target: '/nonexistent-target-never-created',
      noCache: true,
    }).catch((e: unknown) => e)) as InstallError;
    expect(err).toBeInstanceOf(InstallError);
    expect(err.code).toBe('index-error');
    expect(err.message).toContain('redirected to "file:///etc/passwd", a file: URL');
    expect(err.hint).not.toMatch(/permission/);
  });

  it('a stalled download says timed out', async () => {
    const stall = createServer((req, res) => {
      if (req.url!.endsWith('/json')) {
        return void res.end(
          JSON.stringify({ info: { version: '1.0' }, releases: { '1.0': [{ url: `${stallBase}/files/s-1.0.tar.gz` }] } }),
        );
      }
      res.writeHead(200, { 'content-length': 1000 });
      res.write(Buffer.alloc(10));
    });
    await new Promise<void>((ok) => stall.listen(0, '127.0.0.1', ok));
    const stallBase = `http://127.0.0.1:${(stall.address() as AddressInfo).port}`;
    try {
      const err = (await install({
        requirements: ['s'],
        indexes: [`${stallBase}/pypi`],
        target: '/nonexistent-target-never-created',
        noCache: true,
        timeoutMs: 300,
      }).catch((e: unknown) => e)) as InstallError;
      expect(err.code).toBe('download-failed');
      expect(err.message).toBe(`timed out: ${stallBase}/files/s-1.0.tar.gz: the body stalled after 10 bytes (no data for 300 ms)`);
    } finally {
      stall.closeAllConnections();
      await new Promise<void>((ok) => stall.close(() => ok()));
    }
  });
});
