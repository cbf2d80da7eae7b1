/**
 * HTTP_PROXY / HTTPS_PROXY / NO_PROXY, honoured as npm and pip do, by every
 * request the host makes: Python's sockets (plain HTTP in absolute form,
 * TLS and other streams through CONNECT) and `mpy install`. A loopback
 * proxy the test starts records what went through it.
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PRELUDE, buildOnce, runPython } from './fixtures/net/run.js';
import { httpServer, lineEcho, makeTestCa, tcpServer, type Running, type TestCa } from './fixtures/net/servers.js';
import { runMpy } from './helpers/cli.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';
import { proxyServer, type ProxyServer } from './helpers/proxy-server.js';
import { distTarGz } from './helpers/tar-fixture.js';

/** Runs the `mpy` command with `env` merged over the test's. */
const mpy = (args: string[], env: NodeJS.ProcessEnv = {}): ReturnType<typeof runMpy> => runMpy(args, { env });

let ca: TestCa;
let proxy: ProxyServer;
let web: Running;
let tlsWeb: Running;
let echo: Running;
let root: string;

const NO_PROXY_ENV = {
  HTTP_PROXY: undefined,
  HTTPS_PROXY: undefined,
  NO_PROXY: undefined,
  http_proxy: undefined,
  https_proxy: undefined,
  no_proxy: undefined,
};
const archive = distTarGz({ name: 'viaproxy', version: '1.0' });

/** An index serving one package, whose file URLs name the scheme and host it was asked under. */
const indexHandler = (scheme: string) => (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
  if (req.url === '/pypi/viaproxy/json') {
    const url = `${scheme}://${req.headers.host}/files/viaproxy-1.0.tar.gz`;
    const digest = createHash('sha256').update(archive).digest('hex');
    return void res.end(
      JSON.stringify({ info: { version: '1.0' }, releases: { '1.0': [{ url, packagetype: 'sdist', digests: { sha256: digest } }] } }),
    );
  }
  if (req.url === '/files/viaproxy-1.0.tar.gz') return void res.end(archive);
  res.writeHead(200).end(`at ${req.url} host=${req.headers.host}`);
};

beforeAll(async () => {
  buildOnce();
  ca = makeTestCa();
  root = tempDir('mpy-proxy-');
  proxy = await proxyServer();
  web = await httpServer(indexHandler('http'));
  tlsWeb = await httpServer(indexHandler('https'), ca);
  echo = await tcpServer(lineEcho);
});

afterAll(async () => {
  await Promise.all([proxy.close(), web.close(), tlsWeb.close(), echo.close()]);
  rmSync(ca.dir, { recursive: true, force: true });
  removeDir(root);
});

beforeEach(() => {
  proxy.seen.length = 0;
  proxy.auth.length = 0;
});

describe("Python's sockets through a proxy", () => {
  it('plain HTTP goes to HTTP_PROXY in absolute form, with the credentials of its URL', async () => {
    const r = await runPython(
      `${PRELUDE}
s = get(${web.port}, "hello")
print(head(s)[0], s.read())
`,
      { ...NO_PROXY_ENV, HTTP_PROXY: proxy.url.replace('http://', 'http://user:pa%20ss@') },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`b'HTTP/1.1 200 OK\\r\\n' b'at /hello host=127.0.0.1:${web.port}'\n`);
    expect(proxy.seen).toEqual([`GET http://127.0.0.1:${web.port}/hello`]);
    expect(proxy.auth).toEqual([`Basic ${Buffer.from('user:pa ss').toString('base64')}`]);
  });

  it('TLS goes through a CONNECT tunnel to HTTPS_PROXY, the certificate still verified end to end', async () => {
    const r = await runPython(
      `${PRELUDE}
s = get(${tlsWeb.port}, "secure", host="localhost", tls=True)
print(head(s)[0], s.read())
`,
      { ...NO_PROXY_ENV, https_proxy: proxy.url, NODE_EXTRA_CA_CERTS: ca.caFile },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`b'HTTP/1.1 200 OK\\r\\n' b'at /secure host=localhost:${tlsWeb.port}'\n`);
    expect(proxy.seen).toEqual([`CONNECT localhost:${tlsWeb.port}`]);
  });

  it("with MPY_INDEX_URL, upip's https request for pypi.org is mapped first, then sent through the proxy", async () => {
    const r = await runPython(
      `${PRELUDE}
s = get(443, "pypi/viaproxy/json", host="pypi.org", tls=True)
print(head(s)[0], s.read()[:9])
`,
      { ...NO_PROXY_ENV, HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, MPY_INDEX_URL: `http://127.0.0.1:${web.port}/pypi` },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`b'HTTP/1.1 200 OK\\r\\n' b'{"info":{'\n`);
    expect(proxy.seen).toEqual([`GET http://127.0.0.1:${web.port}/pypi/viaproxy/json`]);
  });

  it('a byte stream that is not HTTP goes through CONNECT', async () => {
    const r = await runPython(
      `${PRELUDE}
s = conn(${echo.port})
s.write(b"through\\n")
print(s.readline())
`,
      { ...NO_PROXY_ENV, HTTP_PROXY: proxy.url },
    );
    expect(r.stdout).toBe("b'echo: THROUGH\\n'\n");
    expect(proxy.seen).toEqual([`CONNECT 127.0.0.1:${echo.port}`]);
  });

  it('NO_PROXY destinations are reached directly', async () => {
    const r = await runPython(
      `${PRELUDE}
s = get(${web.port}, "direct")
print(head(s)[0], s.read())
`,
      { ...NO_PROXY_ENV, HTTP_PROXY: proxy.url, NO_PROXY: 'example.com, 127.0.0.1' },
    );
    expect(r.stdout).toBe(`b'HTTP/1.1 200 OK\\r\\n' b'at /direct host=127.0.0.1:${web.port}'\n`);
    expect(proxy.seen).toEqual([]);
  });

  it('the allow-list still applies to the destination behind the proxy', async () => {
    const r = await runPython(
      `${PRELUDE}
print(err(lambda: conn(${web.port})))
`,
      { ...NO_PROXY_ENV, HTTP_PROXY: proxy.url, MPY_NET_ALLOW: `127.0.0.1:${echo.port}` },
    );
    expect(r.stdout).toBe('OSError(13,)\n');
    expect(proxy.seen).toEqual([]);
  });

  it('a proxy URL that is not http(s) is ignored with a warning naming the variable', async () => {
    const r = await runPython(
      `${PRELUDE}
s = get(${web.port}, "direct")
print(head(s)[0])
`,
      { ...NO_PROXY_ENV, HTTPS_PROXY: 'socks5://127.0.0.1:1080', HTTP_PROXY: proxy.url },
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('mpy: warning: HTTPS_PROXY "socks5://127.0.0.1:1080": a proxy URL must be http:// or https://; it is ignored\n');
    expect(r.stdout).toBe("b'HTTP/1.1 200 OK\\r\\n'\n");
    expect(proxy.seen).toEqual([`GET http://127.0.0.1:${web.port}/direct`]);
  });

  it('mpy install refuses a proxy URL that is not http(s), naming the variable', async () => {
    const r = await mpy(['install', '-i', `http://127.0.0.1:${web.port}/pypi`, '-p', join(root, 'e'), '--no-cache', 'viaproxy'], {
      ...NO_PROXY_ENV,
      HTTP_PROXY: 'socks5://127.0.0.1:1080',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('HTTP_PROXY "socks5://127.0.0.1:1080": a proxy URL must be http:// or https://');
  });
});

describe('mpy install through a proxy', () => {
  it('http index: the metadata and the archive go through HTTP_PROXY', async () => {
    const r = await mpy(['install', '-i', `http://127.0.0.1:${web.port}/pypi`, '-p', join(root, 'a'), '--no-cache', 'viaproxy'], {
      ...NO_PROXY_ENV,
      HTTP_PROXY: proxy.url,
    });
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
    expect(proxy.seen).toEqual([
      `GET http://127.0.0.1:${web.port}/pypi/viaproxy/json`,
      `GET http://127.0.0.1:${web.port}/files/viaproxy-1.0.tar.gz`,
    ]);
  });

  it('https index: CONNECT tunnels to HTTPS_PROXY', async () => {
    const r = await mpy(['install', '-i', `https://localhost:${tlsWeb.port}/pypi`, '-p', join(root, 'b'), '--no-cache', 'viaproxy'], {
      ...NO_PROXY_ENV,
      HTTPS_PROXY: proxy.url,
      NODE_EXTRA_CA_CERTS: ca.caFile,
    });
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
    expect(proxy.seen).toEqual([`CONNECT localhost:${tlsWeb.port}`, `CONNECT localhost:${tlsWeb.port}`]);
  });

  it('NO_PROXY bypasses the proxy', async () => {
    const r = await mpy(['install', '-i', `http://127.0.0.1:${web.port}/pypi`, '-p', join(root, 'c'), '--no-cache', 'viaproxy'], {
      ...NO_PROXY_ENV,
      http_proxy: proxy.url,
      no_proxy: '127.0.0.1',
    });
    expect(r.status).toBe(0);
    expect(proxy.seen).toEqual([]);
  });

  it('a proxy that is down: the error names the proxy', async () => {
    const r = await mpy(['install', '-i', `https://localhost:${tlsWeb.port}/pypi`, '-p', join(root, 'd'), '--no-cache', 'viaproxy'], {
      ...NO_PROXY_ENV,
      HTTPS_PROXY: 'http://127.0.0.1:1',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`cannot reach https://localhost:${tlsWeb.port}/pypi/viaproxy/json: `);
    expect(r.stderr).toContain('proxy 127.0.0.1:1: ECONNREFUSED');
  });
});
