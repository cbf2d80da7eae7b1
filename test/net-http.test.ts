/**
 * A socket whose first bytes are an HTTP request: the host makes the
 * request (following redirects) and hands back the server's response byte
 * for byte. Bad servers give Python the errors the Unix port would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { PRELUDE, buildOnce, netProgramBatch, runPython } from './fixtures/net/run.js';
import { httpServer, makeTestCa, tcpServer, type Running, type TestCa } from './fixtures/net/servers.js';

let ca: TestCa;
let web: Running;
let other: Running;
let tlsWeb: Running;
const seen: Array<{ url: string; method: string; headers: Record<string, string | string[] | undefined>; body: string }> = [];
const tarGz = gzipSync(Buffer.from('a tar archive, say '.repeat(500)), { level: 9 });
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** One `mpy` child for the programs that need no environment of their own. */
const batch = netProgramBatch();

/** A server that answers the first bytes of each connection with `reply`. */
const raw = (reply: (s: import('node:net').Socket) => void): Promise<Running> =>
  tcpServer((s) => {
    s.on('error', () => {});
    s.once('data', () => reply(s));
  });
let midBodyJson: Running;
let midBodyGz: Running;
let longBody: Running;
let stallAfterHead: Running;
let notHttp: Running;
let redirectToClosed: Running;

beforeAll(async () => {
  buildOnce();
  ca = makeTestCa();
  other = await httpServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`other server got ${req.method} ${req.url}`);
  });
  web = await httpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      const url = req.url ?? '/';
      if (url === '/pkg.tar.gz') {
        res.writeHead(200, {
          'Content-Type': 'application/x-tar',
          'Content-Encoding': 'gzip',
          'X-Odd-Case': 'Kept',
          'Content-Length': tarGz.length,
        });
        res.end(tarGz);
      } else if (url === '/json') res.end('{"info": {"version": "1.0"}}');
      else if (url === '/bad-json') res.end('{"info": {"version": ');
      else if (url === '/bad-gzip') res.end(Buffer.concat([tarGz.subarray(0, 10), Buffer.from('garbage'.repeat(30))]));
      else if (url === '/relative') res.writeHead(302, { Location: '/json' }).end();
      else if (url === '/elsewhere') res.writeHead(301, { Location: `http://127.0.0.1:${other.port}/moved?x=1` }).end();
      else if (url === '/see-other') res.writeHead(303, { Location: '/echo-method' }).end();
      else if (url === '/temporary') res.writeHead(307, { Location: '/echo-method' }).end();
      else if (url === '/echo-method') res.end(`${req.method} ${Buffer.concat(chunks).toString()}`);
      else if (url === '/loop') res.writeHead(302, { Location: '/loop' }).end('loop');
      else if (url === '/error') res.writeHead(500).end('boom');
      else res.writeHead(404).end('not here');
    });
  });
  tlsWeb = await httpServer((req, res) => res.end(`tls ${req.url} host=${req.headers.host}`), ca);
  midBodyJson = await raw((s) => s.end('HTTP/1.0 200 OK\r\nContent-Length: 1000\r\n\r\n{"partial": '));
  midBodyGz = await raw((s) =>
    s.end(Buffer.concat([Buffer.from(`HTTP/1.0 200 OK\r\nContent-Length: ${tarGz.length}\r\n\r\n`), tarGz.subarray(0, 40)])),
  );
  longBody = await raw((s) => s.end('HTTP/1.0 200 OK\r\nContent-Length: 7\r\n\r\n{"a":1}trailing'));
  stallAfterHead = await raw((s) => s.write('HTTP/1.0 200 OK\r\n\r\n{"never": '));
  notHttp = await raw((s) => s.end('SSH-2.0-not-http\r\n'));
  const gone = await tcpServer(() => {});
  const closedPort = gone.port;
  await gone.close();
  redirectToClosed = await raw((s) => s.end(`HTTP/1.0 302 Found\r\nLocation: http://127.0.0.1:${closedPort}/\r\n\r\n`));
});

afterAll(async () => {
  await Promise.all(
    [web, other, tlsWeb, midBodyJson, midBodyGz, longBody, stallAfterHead, notHttp, redirectToClosed].map((s) => s.close()),
  );
  rmSync(ca.dir, { recursive: true, force: true });
});

describe('HTTP requests on a socket', () => {
  const gzipBody = batch.add(
    () => `${PRELUDE}
import hashlib, binascii
s = get(${web.port}, "pkg.tar.gz")
status, headers = head(s)
body = s.read()
print(status)
print([h for h in headers if h.lower().startswith(b"content-") or h.startswith(b"X-")])
print(len(body), binascii.hexlify(hashlib.sha256(body).digest()).decode())
`,
  );
  it('hands back the body exactly as sent: a gzip-encoded .tar.gz stays compressed', async () => {
    const r = await gzipBody();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      "b'HTTP/1.1 200 OK\\r\\n'\n" +
        `[b'Content-Type: application/x-tar\\r\\n', b'Content-Encoding: gzip\\r\\n', b'X-Odd-Case: Kept\\r\\n', b'Content-Length: ${tarGz.length}\\r\\n']\n` +
        `${tarGz.length} ${sha(tarGz)}\n`,
    );
  });

  it('sends an HTTP/1.0 request verbatim; DecompIO and json.load read the socket natively', async () => {
    // A child of its own: the check is of everything the server saw while it ran.
    const from = seen.length;
    const r = await runPython(`${PRELUDE}
s = get(${web.port}, "pkg.tar.gz")
head(s)
print(uzlib.DecompIO(s, 16 + 15).read(19))
s = get(${web.port}, "json")
head(s)
print(json.load(s))
`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("b'a tar archive, say '\n{'info': {'version': '1.0'}}\n");
    expect(seen.slice(from).map((s) => [s.url, Object.keys(s.headers)])).toEqual([
      ['/pkg.tar.gz', ['host']],
      ['/json', ['host']],
    ]);
  });

  const redirects = batch.add(
    () => `${PRELUDE}
for path in ("relative", "elsewhere"):
    s = get(${web.port}, path)
    print(head(s)[0], s.read())
for path in ("see-other", "temporary"):
    s = conn(${web.port})
    s.write(b"POST /%s HTTP/1.0\\r\\nHost: 127.0.0.1:${web.port}\\r\\nContent-Length: 9\\r\\n\\r\\n" % path)
    s.write(b"form=data")
    print(head(s)[0], s.read())
`,
  );
  it('follows redirects: relative, to another server, 303 to GET, 307 repeating a POST body', async () => {
    const r = await redirects();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      'b\'HTTP/1.1 200 OK\\r\\n\' b\'{"info": {"version": "1.0"}}\'\n' +
        "b'HTTP/1.1 200 OK\\r\\n' b'other server got GET /moved?x=1'\n" +
        "b'HTTP/1.1 200 OK\\r\\n' b'GET '\n" +
        "b'HTTP/1.1 200 OK\\r\\n' b'POST form=data'\n",
    );
  });

  const loop = batch.add(
    () => `${PRELUDE}
s = get(${web.port}, "loop")
print(head(s)[0], s.read())
`,
  );
  it('a redirect loop ends after 20 redirects with the last 3xx handed back (upip: ValueError(b"302"))', async () => {
    const r = await loop();
    expect(r.stdout).toBe("b'HTTP/1.1 302 Found\\r\\n' b'loop'\n");
    // No other program of the batch asks for /loop.
    expect(seen.filter((s) => s.url === '/loop')).toHaveLength(21);
  });

  const statuses = batch.add(
    () => `${PRELUDE}
for path in ("missing", "error"):
    s = get(${web.port}, path)
    print(head(s)[0], s.read())
`,
  );
  it('404 and 500 come back as they are', async () => {
    expect((await statuses()).stdout).toBe(
      "b'HTTP/1.1 404 Not Found\\r\\n' b'not here'\nb'HTTP/1.1 500 Internal Server Error\\r\\n' b'boom'\n",
    );
  });

  const badBodies = batch.add(
    () => `${PRELUDE}
s = get(${web.port}, "bad-json")
head(s)
print(err(lambda: json.load(s)))
s = get(${web.port}, "bad-gzip")
head(s)
print(err(lambda: uzlib.DecompIO(s, 31).read(100)))
`,
  );
  it('invalid JSON raises ValueError; a corrupt gzip raises OSError(EINVAL), as in the Unix port', async () => {
    expect((await badBodies()).stdout).toBe("ValueError('syntax error in JSON',)\nOSError(22,)\n");
  });

  const http11 = batch.add(
    () => `${PRELUDE}
s = conn(${web.port})
s.write(b"GET /json HTTP/1.1\\r\\nHost: example\\r\\nUser-Agent: t\\r\\n\\r\\n")
status, headers = head(s)
print(status, s.read())
`,
  );
  it('HTTP/1.1 requests get Connection: close so the response ends at EOF', async () => {
    const r = await http11();
    expect(r.stdout).toBe('b\'HTTP/1.1 200 OK\\r\\n\' b\'{"info": {"version": "1.0"}}\'\n');
    // The only request of the batch with this Host header.
    expect(seen.find((s) => s.headers.host === 'example')?.headers).toEqual({ host: 'example', 'user-agent': 't', connection: 'close' });
  });

  it('https: wrap_socket, then the request goes over the verified connection', async () => {
    const r = await runPython(
      `${PRELUDE}
s = get(${tlsWeb.port}, "secure", host="localhost", tls=True)
print(head(s)[0], s.read())
`,
      { NODE_EXTRA_CA_CERTS: ca.caFile },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`b'HTTP/1.1 200 OK\\r\\n' b'tls /secure host=localhost:${tlsWeb.port}'\n`);
  });
});

describe('servers that misbehave', () => {
  const midBody = batch.add(
    () => `${PRELUDE}
s = get(${midBodyJson.port}, "x")
head(s)
print(err(lambda: json.load(s)))
s = get(${midBodyGz.port}, "x")
head(s)
print(err(lambda: uzlib.DecompIO(s, 31).read(100000)))
s = get(${midBodyJson.port}, "x")
head(s)
print(s.read(), s.read())
`,
  );
  it('a server that closes mid-body: the bytes sent, then EOF (json: ValueError, gzip: EOFError)', async () => {
    expect((await midBody()).stdout).toBe("ValueError('syntax error in JSON',)\nEOFError()\nb'{\"partial\": ' b''\n");
  });

  const overLength = batch.add(
    () => `${PRELUDE}
s = get(${longBody.port}, "x")
head(s)
print(err(lambda: json.load(s)))
s = get(${longBody.port}, "x")
head(s)
print(s.read())
`,
  );
  it('a body larger than Content-Length arrives whole, as on a plain socket (json: ValueError)', async () => {
    expect((await overLength()).stdout).toBe("ValueError('syntax error in JSON',)\nb'{\"a\":1}trailing'\n");
  });

  const stalls = batch.add(
    () => `${PRELUDE}
s = get(${stallAfterHead.port}, "x", timeout=0.3)
print(head(s)[0])
print(err(lambda: json.load(s)))
`,
  );
  it('a server that stalls after the head: OSError(ETIMEDOUT) at the settimeout() limit', async () => {
    expect((await stalls()).stdout).toBe("b'HTTP/1.0 200 OK\\r\\n'\nOSError(110,)\n");
  });

  const notHttpReply = batch.add(
    () => `${PRELUDE}
s = get(${notHttp.port}, "x")
print(s.read())
`,
  );
  it('a response that is not HTTP is handed back as it is', async () => {
    expect((await notHttpReply()).stdout).toBe("b'SSH-2.0-not-http\\r\\n'\n");
  });

  const refusedRedirect = batch.add(
    () => `${PRELUDE}
s = get(${redirectToClosed.port}, "x")
print(err(lambda: s.readline()))
`,
  );
  it('a redirect to a port where nothing listens: the refusal comes at the read', async () => {
    expect((await refusedRedirect()).stdout).toBe('OSError(111,)\n');
  });
});

describe('index mapping (MPY_INDEX_URL)', () => {
  it("maps upip's default index URLs onto the given index, offline, for any upip's way of asking", async () => {
    seen.length = 0;
    const r = await runPython(
      `${PRELUDE}
for host in ("pypi.org", "micropython.org", "pypi.python.org"):
    ai = usocket.getaddrinfo(host, 443, 0, usocket.SOCK_STREAM)
    print(host, usocket.sockaddr(ai[0][-1]))
# upip 1.19.1: Host with port; micropython-lib upip 1.2.x: Host without it.
for host, path, hosthdr in (("pypi.org", "pypi/foo/json", "pypi.org:443"), ("micropython.org", "pi/bar/json", "micropython.org:443"), ("pypi.org", "pypi/baz/json", "pypi.org")):
    ai = usocket.getaddrinfo(host, 443, 0, usocket.SOCK_STREAM)[0]
    s = usocket.socket(ai[0], ai[1], ai[2])
    s.connect(ai[-1])
    s = ussl.wrap_socket(s, server_hostname=host)
    s.write("GET /%s HTTP/1.0\\r\\nHost: %s\\r\\n\\r\\n" % (path, hosthdr))
    print(head(s)[0], s.read())
print(usocket.sockaddr(usocket.getaddrinfo("127.0.0.1:${web.port}", 443)[0][-1]))
`,
      { MPY_INDEX_URL: `http://127.0.0.1:${web.port}/mirror` },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      "pypi.org (2, b'\\xc6\\x12\\x00\\x02', 443)\nmicropython.org (2, b'\\xc6\\x12\\x00\\x01', 443)\npypi.python.org (2, b'\\xc6\\x12\\x00\\x03', 443)\n" +
        "b'HTTP/1.1 404 Not Found\\r\\n' b'not here'\n".repeat(3) +
        `(2, b'\\x7f\\x00\\x00\\x01', ${web.port})\n`,
    );
    expect(seen.map((s) => [s.url, s.headers.host])).toEqual([
      ['/mirror/foo/json', `127.0.0.1:${web.port}`],
      ['/mirror/bar/json', `127.0.0.1:${web.port}`],
      ['/mirror/baz/json', `127.0.0.1:${web.port}`],
    ]);
  });
});
