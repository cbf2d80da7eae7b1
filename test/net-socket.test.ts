/**
 * Sockets through the real `mpy` command: raw TCP and TLS byte streams,
 * and the OSErrors of the Unix port for refused, unknown, stalled and
 * denied connections.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { PRELUDE, buildOnce, netProgramBatch, runPython } from './fixtures/net/run.js';
import { lineEcho, makeTestCa, tcpServer, tlsServer, type Running, type TestCa } from './fixtures/net/servers.js';

let ca: TestCa;
let echo: Running;
let tlsEcho: Running;
let stall: Running;
let jsonOnce: Running;
let rst: Running;
let closed: number;

// One `mpy` child runs the programs that need no environment of their own;
// another those that trust the test CA.
const plain = netProgramBatch(() => ({ NODE_EXTRA_CA_CERTS: undefined }));
const trusting = netProgramBatch(() => ({ NODE_EXTRA_CA_CERTS: ca.caFile }));

beforeAll(async () => {
  buildOnce();
  ca = makeTestCa();
  echo = await tcpServer(lineEcho);
  tlsEcho = await tlsServer(ca, lineEcho);
  stall = await tcpServer(() => {});
  jsonOnce = await tcpServer((s) => {
    s.on('error', () => {});
    s.end('{"a": [1, 2, {"b": null}]}');
  });
  rst = await tcpServer((s) => {
    s.on('error', () => {});
    s.once('data', () => s.resetAndDestroy());
  });
  const gone = await tcpServer(() => {});
  closed = gone.port;
  await gone.close();
});

afterAll(async () => {
  await Promise.all([echo.close(), tlsEcho.close(), stall.close(), jsonOnce.close(), rst.close()]);
  rmSync(ca.dir, { recursive: true, force: true });
});

describe('raw TCP', () => {
  const lineProtocol = plain.add(
    () => `${PRELUDE}
s = conn(${echo.port})
s.write(b"hello\\n")
print(s.readline())
s.send(b"part one ")
s.sendall("part two\\n")
print(s.readline())
f = s.makefile("rwb")
f.write(b"x" * 100000 + b"\\n")
line = f.readline()
print(len(line), line[:8], line[-2:])
s.write(b"last\\n")
print(s.recv(100))
s.close()
print(err(lambda: s.write(b"after close")))
`,
  );
  it('talks a line protocol: write, readline, recv, send, sendall, makefile', async () => {
    const r = await lineProtocol();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("b'echo: HELLO\\n'\nb'echo: PART ONE PART TWO\\n'\n100007 b'echo: XX' b'X\\n'\nb'echo: LAST\\n'\nOSError(9,)\n");
  });

  const tuples = plain.add(
    () => `${PRELUDE}
ai = usocket.getaddrinfo("127.0.0.1", ${echo.port}, 0, usocket.SOCK_STREAM)
print(ai[0][:4], type(ai[0][4]).__name__, usocket.sockaddr(ai[0][4]))
print(len(usocket.getaddrinfo("127.0.0.1", ${echo.port})))
s = usocket.socket()
s.connect(("localhost", ${echo.port}))
s.write("tuple\\n")
print(s.readline())
s.close()
`,
  );
  it('getaddrinfo returns Unix-port tuples with raw sockaddr bytes; connect takes them or (host, port)', async () => {
    const r = await tuples();
    expect(r.stderr).toBe('');
    const port = echo.port;
    expect(r.stdout).toBe(`(2, 1, 6, None) bytearray (2, b'\\x7f\\x00\\x00\\x01', ${port})\n3\nb'echo: TUPLE\\n'\n`);
  });

  const withJson = plain.add(
    () => `${PRELUDE}
with conn(${jsonOnce.port}) as s:
    print(json.load(s))
`,
  );
  it('with statement and json.load over a raw socket', async () => {
    const r = await withJson();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("{'a': [1, 2, {'b': None}]}\n");
  });
  const nonBlocking = plain.add(
    () => `${PRELUDE}
import select
s = usocket.socket()
s.setblocking(False)
print(err(lambda: s.connect(usocket.getaddrinfo("127.0.0.1", ${echo.port})[0][-1])))
p = select.poll()
p.register(s, select.POLLOUT)
print([ev for o, ev in p.poll(2000)])
s.write(b"ready?\\n")
p.modify(s, select.POLLIN)
print([ev for o, ev in p.poll(2000)], s.readline())
`,
  );
  it('non-blocking connect raises EINPROGRESS; select.poll reports write, then read readiness', async () => {
    const r = await nonBlocking();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("OSError(115,)\n[4]\n[1] b'echo: READY?\\n'\n");
  });
});

describe('TLS', () => {
  const wrapped = trusting.add(
    () => `${PRELUDE}
import ssl
s = ussl.wrap_socket(conn(${tlsEcho.port}, "localhost"), server_hostname="localhost")
s.write(b"over tls\\n")
print(s.readline(), type(s).__name__)
s.close()
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
s = ctx.wrap_socket(conn(${tlsEcho.port}), server_hostname="localhost")
s.write(b"context\\n")
print(s.readline())
s.close()
`,
  );
  it('wraps a raw socket with ssl.wrap_socket and SSLContext, verified against NODE_EXTRA_CA_CERTS', async () => {
    const r = await wrapped();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("b'echo: OVER TLS\\n' SSLSocket\nb'echo: CONTEXT\\n'\n");
  });

  const untrusted = plain.add(
    () => `${PRELUDE}
print(err(lambda: ussl.wrap_socket(conn(${tlsEcho.port}), server_hostname="localhost")))
`,
  );
  const refused = trusting.add(
    () => `${PRELUDE}
print(err(lambda: ussl.wrap_socket(conn(${tlsEcho.port}), server_hostname="example.com")))
print(err(lambda: ussl.wrap_socket(conn(${echo.port}), server_hostname="localhost")))
s = ussl.wrap_socket(conn(${tlsEcho.port}), server_hostname="example.com", cert_reqs=ussl.CERT_NONE)
s.write(b"unverified on request\\n")
print(s.readline())
`,
  );
  it('refuses an unknown CA, a wrong name and a peer that does not speak TLS, as mbedTLS errors', async () => {
    expect((await untrusted()).stdout).toBe("OSError(-9984, 'MBEDTLS_ERR_X509_CERT_VERIFY_FAILED')\n");
    const r = await refused();
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toBe("OSError(-9984, 'MBEDTLS_ERR_X509_CERT_VERIFY_FAILED')");
    expect(r.stdout.split('\n')[1]).toMatch(/^OSError\(-(29184|27648), 'MBEDTLS_ERR_SSL_/);
    expect(r.stdout.split('\n')[2]).toBe("b'echo: UNVERIFIED ON REQUEST\\n'");
  });
});

describe('errors, as the Unix port raises them', () => {
  const refusedConnect = plain.add(
    () => `${PRELUDE}
e = err(lambda: conn(${closed}))
print(e, e == repr(OSError(errno.ECONNREFUSED)))
`,
  );
  it('connection refused: OSError(ECONNREFUSED) from connect', async () => {
    expect((await refusedConnect()).stdout).toBe('OSError(111,) True\n');
  });

  const unknownHost = plain.add(
    () => `${PRELUDE}
print(err(lambda: usocket.getaddrinfo("no-such-host.invalid", 80)))
`,
  );
  it('unknown host: OSError("[addrinfo error N]") from getaddrinfo', async () => {
    // EAI_NONAME (-2) with a resolver, EAI_AGAIN (-3) on a machine with no DNS at all.
    expect((await unknownHost()).stdout).toMatch(/^OSError\('\[addrinfo error -[23]\]',\)\n$/);
  });

  it('a stalled server: OSError(ETIMEDOUT) after settimeout(), and after the host default', async () => {
    const r = await runPython(
      `${PRELUDE}
s = conn(${stall.port})
s.settimeout(0.2)
s.write(b"anyone?\\n")
print(err(lambda: s.readline()))
s.setblocking(False)
print(err(lambda: s.recv(10)), s.read(10))
s.setblocking(True)
print(err(lambda: s.recv(10)))
`,
      { MPY_NET_TIMEOUT: '0.3' },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('OSError(110,)\nOSError(11,) None\nOSError(110,)\n');
  });

  const unconnected = plain.add(
    () => `${PRELUDE}
s = usocket.socket()
print(err(lambda: s.recv(1)), err(lambda: s.send(b"x")))
`,
  );
  it('operations on an unconnected socket: ENOTCONN for reads, EPIPE for writes', async () => {
    expect((await unconnected()).stdout).toBe('OSError(107,) OSError(32,)\n');
  });

  const reset = plain.add(
    () => `${PRELUDE}
s = conn(${rst.port})
s.write(b"x")
print(err(lambda: s.recv(10)))
`,
  );
  it('a peer that resets the connection: ECONNRESET', async () => {
    expect((await reset()).stdout).toBe('OSError(104,)\n');
  });

  it('the allow-list: a denied connect raises OSError(EACCES); allowed ones work', async () => {
    const r = await runPython(
      `${PRELUDE}
print(err(lambda: conn(${echo.port})))
s = conn(${tlsEcho.port})
print("allowed")
print(err(lambda: usocket.getaddrinfo("example.com", 80)))
`,
      { MPY_NET_ALLOW: `127.0.0.1:${tlsEcho.port}` },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("OSError(13,)\nallowed\nOSError('[addrinfo error -3]',)\n");
  });

  it('a malformed MPY_NET_ALLOW or MPY_INDEX_URL stops mpy with a message naming it', async () => {
    const allow = await runPython('print(1)', { MPY_NET_ALLOW: 'example.com' });
    expect(allow.status).toBe(1);
    expect(allow.stderr).toBe(
      'mpy: MPY_NET_ALLOW: "example.com" is not HOST:PORT (e.g. "example.com:443", "*.example.com:*", "[::1]:8080")\n',
    );
    const index = await runPython('print(1)', { MPY_INDEX_URL: 'ftp://mirror/' });
    expect(index.stderr).toBe('mpy: MPY_INDEX_URL ftp://mirror/ is not http(s)\n');
  });
});
