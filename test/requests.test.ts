/**
 * mpy's own `requests` (and `urequests`): micropython-lib's documented API
 * over the host's sockets, against real loopback servers, in the CLI and in
 * an embedded instance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { MicroPython } from '../index.js';
import { buildOnce, netProgramBatch } from './fixtures/net/run.js';
import { httpServer, makeTestCa, tcpServer, type Running, type TestCa } from './fixtures/net/servers.js';

let ca: TestCa;
let web: Running;
let tlsWeb: Running;
let chunked: Running;
let early: Running;
let closedPort: number;

/** The command's programs, in one `mpy` child that trusts the test CA (the others make no TLS connection). */
const batch = netProgramBatch(() => ({ NODE_EXTRA_CA_CERTS: ca.caFile }));

beforeAll(async () => {
  buildOnce();
  ca = makeTestCa();
  web = await httpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const url = req.url ?? '/';
      if (url === '/moved') return void res.writeHead(302, { Location: '/echo?from=moved' }).end();
      if (url === '/missing') return void res.writeHead(404, 'Nowhere').end('no such thing');
      if (url === '/big') return void res.end(Buffer.alloc(100_000, 'x'));
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Mixed-Case': 'Yes' });
      res.end(JSON.stringify({ method: req.method, url, headers: req.headers, body: Buffer.concat(chunks).toString() }));
    });
  });
  tlsWeb = await httpServer((req, res) => res.end(`tls ${req.method} ${req.url}`), ca);
  // A raw server: a chunked HTTP/1.1 response with a chunk extension and a trailer.
  chunked = await tcpServer((s) => {
    s.on('error', () => {});
    s.once('data', () =>
      s.end(
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n',
      ),
    );
  });
  early = await tcpServer((s) => {
    s.on('error', () => {});
    s.once('data', () => s.end('HTTP/1.0 200 OK\r\nContent-Length: 100\r\n\r\nshort'));
  });
  const dead = await tcpServer(() => {});
  closedPort = dead.port;
  await dead.close();
});

afterAll(async () => {
  await Promise.all([web.close(), tlsWeb.close(), chunked.close(), early.close()]);
  rmSync(ca.dir, { recursive: true, force: true });
});

describe('requests in the mpy command', () => {
  const verbs = batch.add(
    () => `
import requests
u = "http://127.0.0.1:${web.port}"
r = requests.get(u + "/a?b=1", headers={"X-Test": "t"})
d = r.json()
print(r.status_code, r.reason, d["method"], d["url"], d["headers"]["x-test"], r.headers["X-Mixed-Case"])
d = requests.post(u + "/p", json={"k": [1, 2]}).json()
print(d["method"], d["body"], d["headers"]["content-type"])
d = requests.put(u + "/p", data=b"raw bytes").json()
print(d["method"], d["body"], d["headers"]["content-length"])
d = requests.patch(u + "/p", data={"a": "b c", "d": "&"}).json()
print(d["method"], d["body"], d["headers"]["content-type"])
d = requests.delete(u + "/p", auth=("user", "pa:ss")).json()
print(d["method"], d["headers"]["authorization"])
r = requests.head(u + "/p")
print(r.status_code, r.content)
r = requests.request("GET", u + "/missing")
print(r.status_code, r.reason, r.text)
`,
  );
  it('get/post/put/patch/delete/head with data=, json=, headers=, auth=', async () => {
    const r = await verbs();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        "200 b'OK' GET /a?b=1 t Yes",
        'POST {"k": [1, 2]} application/json',
        'PUT raw bytes 9',
        'PATCH a=b+c&d=%26 application/x-www-form-urlencoded',
        `DELETE Basic ${Buffer.from('user:pa:ss').toString('base64')}`,
        "200 b''",
        "404 b'Nowhere' no such thing",
        '',
      ].join('\n'),
    );
  });

  const streams = batch.add(
    () => `
import requests, json
u = "http://127.0.0.1:${web.port}"
print(requests.get(u + "/moved").json()["url"])
r = requests.get(u + "/big", stream=True, timeout=10)
buf = bytearray(128)
total = 0
while True:
    n = r.raw.readinto(buf)
    if not n:
        break
    total += n
r.close()
print(total)
r = requests.get(u + "/j", stream=True)
print(json.load(r.raw)["url"])
r.close()
`,
  );
  it('redirects are followed; stream=True gives raw for readinto and json.load; timeout= is accepted', async () => {
    const r = await streams();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('/echo?from=moved\n100000\n/j\n');
  });

  const chunkedBody = batch.add(
    () => `
import requests
r = requests.get("http://127.0.0.1:${chunked.port}/c")
print(r.status_code, r.headers["Transfer-Encoding"], r.text)
try:
    requests.get("http://127.0.0.1:${early.port}/").content
except OSError as e:
    print("error:", e)
`,
  );
  it('decodes a chunked response and reports a body cut short', async () => {
    const r = await chunkedBody();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('200 chunked hello, world\nerror: connection closed before the end of the response body\n');
  });

  const https = batch.add(
    () => `
import urequests
r = urequests.get("https://localhost:${tlsWeb.port}/secure")
print(r.status_code, r.text)
`,
  );
  it('https, verified against NODE_EXTRA_CA_CERTS; urequests is the same module', async () => {
    const r = await https();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('200 tls GET /secure\n');
  });

  const badUrls = batch.add(
    () => `
import requests
for url in ("ftp://x/y", "no-scheme", "http://127.0.0.1:${closedPort}/"):
    try:
        requests.get(url)
    except (ValueError, OSError) as e:
        print(type(e).__name__, e)
`,
  );
  it('bad URLs and unreachable hosts are clear errors', async () => {
    const r = await badUrls();
    expect(r.stdout).toBe(
      "ValueError unsupported protocol 'ftp' in 'ftp://x/y': use http or https\nValueError invalid URL 'no-scheme': no scheme (http:// or https://)\nOSError [Errno 111] ECONNREFUSED\n",
    );
  });
});

describe('requests in an embedded instance', () => {
  it('is importable and reaches an allowed server', async () => {
    await using mp = await MicroPython.create({ network: { allow: [`127.0.0.1:${web.port}`] } });
    await mp.exec(`import requests\nr = requests.post("http://127.0.0.1:${web.port}/e", json={"x": 1})`);
    expect(await mp.eval('(r.status_code, r.json()["body"])')).toEqual([200, '{"x": 1}']);
  });
});
