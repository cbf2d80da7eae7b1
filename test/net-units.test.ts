/** The network layer's pure parts: allow-list, index mapping, HTTP framing, errno mapping, sockaddrs, the receive queue. */
import { describe, expect, it } from 'vitest';
import { ERR, Eai, TLS_CODES, eaiFromNode, netErrorFromNode, oserrorArgs, resultName } from '../host/net/errno.js';
import { errnoName, LINUX_ERRNO } from '../base/errno.js';
import { NetPolicy, canonicalAddress } from '../host/net/policy.js';
import { IndexMapping } from '../host/net/index-mapping.js';
import { proxyAuthorization, proxyFor, proxySettingsFromEnv, usableProxies } from '../host/net/proxy.js';
import { needsClose, requestUrl, serializeHead, sniffRequest, type RequestHead } from '../host/net/http-request.js';
import { redirectRequest, sniffResponse } from '../host/net/http-response.js';
import { parseSockaddr, splitHostPort } from '../host/net/lookup.js';
import { literalAnswer, lookupText, sockaddrBytes } from '../host/net/lookup-answer.js';
import { HIGH_WATER_BYTES, Inbound, LOW_WATER_BYTES } from '../host/net/inbound.js';

describe('allow-list', () => {
  it('matches host:port patterns: names, *. suffixes, *, addresses, [IPv6], port *', () => {
    const p = new NetPolicy(['pypi.org:443', '*.example.com:*', '127.0.0.1:8080', '[::1]:*']);
    expect(p.allows(['pypi.org'], 443)).toBe(true);
    expect(p.allows(['PyPI.org.'], 443)).toBe(true);
    expect(p.allows(['pypi.org'], 80)).toBe(false);
    expect(p.allows(['files.example.com'], 1)).toBe(true);
    expect(p.allows(['example.com'], 1)).toBe(false);
    expect(p.allows(['127.0.0.1'], 8080)).toBe(true);
    expect(p.allows(['10.0.0.1', '127.0.0.1'], 8080)).toBe(true);
    expect(p.allows(['::1'], 5)).toBe(true);
    expect(new NetPolicy(['*:*']).allows(['anything'], 1)).toBe(true);
    expect(new NetPolicy([]).allows(['127.0.0.1'], 80)).toBe(false);
    expect(new NetPolicy(undefined).allows(['127.0.0.1'], 80)).toBe(true);
    expect(p.mayReach('pypi.org')).toBe(true);
    expect(p.mayReach('evil.org')).toBe(false);
  });

  it('canonicalises addresses as inet_aton and the URL parser do; names stay names', () => {
    expect(canonicalAddress('127.1')).toBe('127.0.0.1');
    expect(canonicalAddress('0x7f000001')).toBe('127.0.0.1');
    expect(canonicalAddress('017700000001')).toBe('127.0.0.1');
    expect(canonicalAddress('[0:0:0:0:0:0:0:1]')).toBe('::1');
    expect(canonicalAddress('FE80::1%eth0')).toBe('fe80::1');
    expect(canonicalAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(canonicalAddress('::ffff:127.0.0.1', false)).toBe('::ffff:7f00:1');
    for (const name of ['localhost', 'deadbeef.cafe', 'a.b.c.1', '::g', 'example.com']) expect(canonicalAddress(name)).toBeUndefined();
  });

  it('name rules match names only, address rules addresses only', () => {
    const p = new NetPolicy(['localhost:80', '0x7f000001:81']);
    expect(p.allows(['localhost'], 80)).toBe(true);
    expect(p.allows(['127.0.0.1'], 80)).toBe(false);
    expect(p.allows(['127.0.0.1'], 81)).toBe(true);
    expect(p.allows(['::ffff:7f00:1'], 81)).toBe(true);
    expect(p.allows(['127.1'], 81)).toBe(true);
    expect(p.mayReach('127.0.0.1')).toBe(true);
    expect(p.mayReach('localhost.evil.org')).toBe(false);
  });

  it('refuses malformed patterns', () => {
    for (const bad of ['pypi.org', 'a*b.com:1', '[::g]:1', 'x:70000', '::1:80']) expect(() => new NetPolicy([bad])).toThrow(TypeError);
  });
});

describe('proxy settings', () => {
  it('reads HTTP(S)_PROXY and NO_PROXY, lower-case first', () => {
    expect(proxySettingsFromEnv({})).toBeNull();
    expect(proxySettingsFromEnv({ HTTP_PROXY: 'http://a:1', http_proxy: 'http://b:2', NO_PROXY: 'x, y z' })).toEqual({
      http: 'http://b:2',
      https: null,
      noProxy: ['x', 'y', 'z'],
    });
  });

  it('chooses the proxy by scheme and honours NO_PROXY names, subdomains, ports, addresses, CIDR and *', () => {
    const s = proxySettingsFromEnv({
      http_proxy: 'proxy:3128',
      https_proxy: 'https://sproxy',
      no_proxy: 'example.com,.internal,10.0.0.0/8,127.0.0.1:8080,[::1]',
    })!;
    expect(proxyFor(s, 'http', 'pypi.org', 80)?.href).toBe('http://proxy:3128/');
    expect(proxyFor(s, 'https', 'pypi.org', 443)?.href).toBe('https://sproxy/');
    for (const [host, port] of [
      ['example.com', 80],
      ['a.example.com', 80],
      ['b.internal', 80],
      ['10.1.2.3', 80],
      ['127.0.0.1', 8080],
      ['::1', 80],
    ] as const) {
      expect(proxyFor(s, 'http', host, port), host).toBeUndefined();
    }
    expect(proxyFor(s, 'http', 'notexample.com', 80)).toBeDefined();
    expect(proxyFor(s, 'http', '11.0.0.1', 80)).toBeDefined();
    expect(proxyFor(s, 'http', '127.0.0.1', 8081)).toBeDefined();
    expect(proxyFor({ ...s, noProxy: ['*'] }, 'https', 'pypi.org', 443)).toBeUndefined();
  });

  it('sets aside proxies it cannot use, saying why; Basic credentials from the URL', () => {
    const { settings, problems } = usableProxies({ http: 'socks5://h:1', https: 'http://u:p%40ss@h:2', noProxy: [] });
    expect(settings).toEqual({ http: null, https: 'http://u:p%40ss@h:2', noProxy: [] });
    expect(problems).toEqual(['HTTP_PROXY "socks5://h:1": a proxy URL must be http:// or https://']);
    expect(proxyAuthorization(new URL('http://u:p%40ss@h:2'))).toBe(`Basic ${Buffer.from('u:p@ss').toString('base64')}`);
    expect(proxyAuthorization(new URL('http://h:2'))).toBeUndefined();
  });
});

describe('index mapping', () => {
  const m = new IndexMapping('http://127.0.0.1:8080/pypi/');
  it("maps upip's default index URLs, and only those", () => {
    expect(m.map(new URL('https://pypi.org/pypi/foo/json'))?.href).toBe('http://127.0.0.1:8080/pypi/foo/json');
    expect(m.map(new URL('https://pypi.org:443/pypi/foo/1.0/json?x=1'))?.href).toBe('http://127.0.0.1:8080/pypi/foo/1.0/json?x=1');
    expect(m.map(new URL('https://micropython.org/pi/foo/json'))?.href).toBe('http://127.0.0.1:8080/pypi/foo/json');
    expect(m.map(new URL('https://pypi.python.org/pypi/foo/json'))?.href).toBe('http://127.0.0.1:8080/pypi/foo/json');
    expect(m.map(new URL('http://pypi.org/pypi/foo/json'))).toBeUndefined();
    expect(m.map(new URL('https://pypi.org:8443/pypi/foo/json'))).toBeUndefined();
    expect(m.map(new URL('https://pypi.org/pypifoo/json'))).toBeUndefined();
    expect(m.map(new URL('https://pypi.org/simple/foo/'))).toBeUndefined();
    expect(m.map(new URL('https://files.pythonhosted.org/packages/x.tar.gz'))).toBeUndefined();
  });

  it("maps mip's index v2 and the raw hosts of github:, gitlab:, codeberg: onto the v2 root (the target without /pypi)", () => {
    expect(m.map(new URL('https://micropython.org/pi/v2/package/6/foo/latest.json'))?.href).toBe(
      'http://127.0.0.1:8080/package/6/foo/latest.json',
    );
    expect(m.map(new URL('https://micropython.org/pi/v2'))?.href).toBe('http://127.0.0.1:8080/');
    expect(m.map(new URL('https://raw.githubusercontent.com/org/repo/HEAD/package.json'))?.href).toBe(
      'http://127.0.0.1:8080/github/org/repo/HEAD/package.json',
    );
    expect(m.map(new URL('https://gitlab.com/org/repo/-/raw/main/x.py'))?.href).toBe(
      'http://127.0.0.1:8080/gitlab/org/repo/-/raw/main/x.py',
    );
    expect(m.map(new URL('https://codeberg.org/org/repo/raw/branch/main/x.py'))?.href).toBe(
      'http://127.0.0.1:8080/codeberg/org/repo/raw/branch/main/x.py',
    );
    const bare = new IndexMapping('http://127.0.0.1:9000/mirror');
    expect(bare.map(new URL('https://micropython.org/pi/v2/index.json'))?.href).toBe('http://127.0.0.1:9000/mirror/index.json');
    expect(bare.map(new URL('https://micropython.org/pi/foo/json'))?.href).toBe('http://127.0.0.1:9000/mirror/foo/json');
  });

  it('gives mapped hosts stand-in addresses in 198.18.0.0/15, and back', () => {
    expect(m.standIn('micropython.org')).toBe('198.18.0.1');
    expect(m.standIn('PYPI.ORG')).toBe('198.18.0.2');
    expect(m.standIn('example.com')).toBeUndefined();
    expect(m.hostOf('198.18.0.3')).toBe('pypi.python.org');
    expect(m.standIn('raw.githubusercontent.com')).toBe('198.18.0.4');
    expect(m.hostOf('198.18.0.9')).toBeUndefined();
    expect(m.hostOf('10.0.0.1')).toBeUndefined();
  });

  it('splits NAME:PORT for getaddrinfo only while mapping', () => {
    expect(splitHostPort('127.0.0.1:8080', 443, m)).toEqual(['127.0.0.1', 8080]);
    expect(splitHostPort('pypi.org', 443, m)).toEqual(['pypi.org', 443]);
    expect(splitHostPort('127.0.0.1:8080', 443, undefined)).toEqual(['127.0.0.1:8080', 443]);
    expect(() => new IndexMapping('ftp://x/')).toThrow(TypeError);
  });
});

describe('HTTP request framing', () => {
  const head = (text: string): RequestHead => {
    const r = sniffRequest(Buffer.from(text, 'latin1'));
    if (r.kind !== 'http') throw new Error(`not http: ${r.kind}`);
    return r.head;
  };

  it('decides HTTP only on a complete head, raw as soon as the bytes cannot be one', () => {
    expect(sniffRequest(Buffer.from('GE')).kind).toBe('more');
    expect(sniffRequest(Buffer.from('GET /x HTTP/1.0\r\nHost: a')).kind).toBe('more');
    expect(sniffRequest(Buffer.from('GET /x HTTP/1.0\r\nHost: a\r\n\r\n')).kind).toBe('http');
    expect(sniffRequest(Buffer.from('GET /x HTTP/1.0\n\n')).kind).toBe('http');
    expect(sniffRequest(Buffer.from('hello\n')).kind).toBe('raw');
    expect(sniffRequest(Buffer.from('HELO there\r\n')).kind).toBe('raw');
    expect(sniffRequest(Buffer.from('\x16\x03\x01')).kind).toBe('raw');
    expect(sniffRequest(Buffer.from('CONNECT a:1 HTTP/1.1\r\n\r\n')).kind).toBe('raw');
    expect(sniffRequest(Buffer.from('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n')).kind).toBe('raw');
    expect(sniffRequest(Buffer.from('GET / HTTP/1.0\r\nbad header\r\n\r\n')).kind).toBe('raw');
    expect(sniffRequest(Buffer.alloc(70_000, 'A')).kind).toBe('raw');
  });

  it('parses the head: method, target, version, headers, Content-Length, raw bytes', () => {
    const h = head('POST /p?q=1 HTTP/1.0\r\nHost: h:81\r\nContent-Length: 5\r\n\r\nbody!');
    expect([h.method, h.target, h.version, h.contentLength, h.raw.length]).toEqual(['POST', '/p?q=1', '1.0', 5, 55]);
    // The destination is where the program connected, not its Host header.
    expect(requestUrl(h, 'https', 'x')?.href).toBe('https://x/p?q=1');
    expect(requestUrl(head('GET /a HTTP/1.0\r\n\r\n'), 'http', '10.0.0.1:8080')?.href).toBe('http://10.0.0.1:8080/a');
    expect(requestUrl(head('GET http://other/b HTTP/1.0\r\n\r\n'), 'http', 'x')?.href).toBe('http://other/b');
  });

  it('asks for Connection: close on persistent requests only', () => {
    expect(needsClose(head('GET / HTTP/1.0\r\nHost: a\r\n\r\n'))).toBe(false);
    expect(needsClose(head('GET / HTTP/1.1\r\nHost: a\r\n\r\n'))).toBe(true);
    expect(needsClose(head('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'))).toBe(true);
    const h = head('GET / HTTP/1.1\r\nHost: a\r\nAuthorization: x\r\nConnection: keep-alive\r\n\r\n');
    const text = serializeHead({
      method: 'GET',
      url: new URL('http://b:8/c?d'),
      version: '1.1',
      headers: h.headers,
      withBody: false,
      withCredentials: false,
    }).toString();
    expect(text).toBe('GET /c?d HTTP/1.1\r\nHost: b:8\r\nConnection: close\r\n\r\n');
    const own = serializeHead({
      method: 'GET',
      url: new URL('http://10.0.0.1/c'),
      version: '1.0',
      headers: [],
      withBody: false,
      withCredentials: false,
      hostHeader: 'name.example',
    });
    expect(own.toString()).toBe('GET /c HTTP/1.0\r\nHost: name.example\r\nConnection: close\r\n\r\n');
  });

  it('never rewrites a request to switch protocols (Upgrade): Connection: Upgrade stays', () => {
    const ws = head('GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    expect(needsClose(ws)).toBe(false);
    const hop = serializeHead({
      method: 'GET',
      url: new URL('http://b/chat'),
      version: '1.1',
      headers: ws.headers,
      withBody: false,
      withCredentials: true,
    });
    expect(hop.toString()).toBe('GET /chat HTTP/1.1\r\nHost: b\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
  });
});

describe('redirects', () => {
  const base = { method: 'POST', url: new URL('http://a/x'), version: '1.0', headers: [], withBody: true, withCredentials: true } as const;
  it('follows fetch: 303 and 301/302 after POST become GET; 307/308 keep method and body', () => {
    const at = (status: number, location = '/y') => redirectRequest(base, { status, location }, true);
    expect(at(303)).toMatchObject({ method: 'GET', withBody: false });
    expect(at(302)).toMatchObject({ method: 'GET', withBody: false });
    expect(at(307)).toMatchObject({ method: 'POST', withBody: true });
    expect(at(308, 'https://b/z')).toMatchObject({ method: 'POST', withCredentials: false });
    expect(at(200)).toBeUndefined();
    expect(redirectRequest(base, { status: 302, location: undefined }, true)).toBeUndefined();
    expect(redirectRequest(base, { status: 307, location: '/y' }, false)).toBeUndefined();
    expect(at(301, 'ftp://b/')).toBeUndefined();
  });

  it("keeps the program's Host header on a same-origin redirect only", () => {
    const own = { ...base, method: 'GET', hostHeader: 'name.example' };
    expect(redirectRequest(own, { status: 302, location: '/y' }, true)?.hostHeader).toBe('name.example');
    expect(redirectRequest(own, { status: 302, location: 'http://elsewhere/y' }, true)?.hostHeader).toBeUndefined();
  });

  it('reads only a response head; anything else is "other"', () => {
    expect(sniffResponse(Buffer.from('HTTP/1.1 301 Moved\r\nLocation: /n\r\n\r\nbody'))).toEqual({
      kind: 'head',
      head: { status: 301, location: '/n' },
    });
    expect(sniffResponse(Buffer.from('HTTP/1.0 200 OK\r\n'))).toEqual({ kind: 'more' });
    expect(sniffResponse(Buffer.from('SSH-2.0\r\n'))).toEqual({ kind: 'other' });
  });
});

describe('errno mapping', () => {
  it("maps Node's codes to -errno (Linux numbering, the Unix port's) and TLS failures to mbedTLS codes: always negative", () => {
    const code = (c: string) => netErrorFromNode(Object.assign(new Error(c), { code: c }));
    expect(code('ECONNREFUSED')).toBe(-111);
    expect(code('ETIMEDOUT')).toBe(-110);
    expect(code('ECONNRESET')).toBe(-104);
    expect(code('EHOSTUNREACH')).toBe(-113);
    expect(code('ENETUNREACH')).toBe(-101);
    expect(code('EPIPE')).toBe(-32);
    expect(code('ENOTCONN')).toBe(-107);
    expect(code('EADDRINUSE')).toBe(-98);
    expect(code('ERR_SOCKET_CONNECTION_TIMEOUT')).toBe(ERR.ETIMEDOUT);
    expect(code('ENOTFOUND')).toBe(ERR.EHOSTUNREACH);
    expect(code('DEPTH_ZERO_SELF_SIGNED_CERT')).toBe(TLS_CODES.MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    expect(code('ERR_TLS_CERT_ALTNAME_INVALID')).toBe(-9984);
    expect(code('ERR_SSL_WRONG_VERSION_NUMBER')).toBe(TLS_CODES.MBEDTLS_ERR_SSL_INVALID_RECORD);
    expect(code('SOMETHING_ELSE')).toBe(ERR.EIO);
    expect(netErrorFromNode(new Error('no code'))).toBe(ERR.EIO);
    expect(eaiFromNode({ code: 'ENOTFOUND' })).toBe(Eai.EAI_NONAME);
    expect(eaiFromNode({ code: 'EAI_AGAIN' })).toBe(Eai.EAI_AGAIN);
  });

  it("gives Python the OSError's arguments and a trace the failure's name, from the one table", () => {
    expect(ERR.ECONNREFUSED).toBe(-LINUX_ERRNO.ECONNREFUSED);
    expect(oserrorArgs(ERR.ECONNREFUSED)).toBe('111');
    expect(oserrorArgs(ERR.EIO, 'the network worker could not start: gone')).toBe('5 the network worker could not start: gone');
    expect(oserrorArgs(TLS_CODES.MBEDTLS_ERR_SSL_INVALID_RECORD)).toBe('-29184 MBEDTLS_ERR_SSL_INVALID_RECORD');
    expect(resultName(12, false)).toBe('12');
    expect(resultName(ERR.EAGAIN, false)).toBe('EAGAIN (-11)');
    expect(resultName(TLS_CODES.MBEDTLS_ERR_X509_CERT_VERIFY_FAILED, false)).toBe('MBEDTLS_ERR_X509_CERT_VERIFY_FAILED (-9984)');
    expect(resultName(Eai.EAI_NONAME, true)).toBe('EAI_NONAME (-2)');
    expect(errnoName(4)).toBe('EINTR');
  });
});

describe('sockaddr', () => {
  it('writes and reads the Linux struct sockaddr layouts', () => {
    const v4 = sockaddrBytes({ family: 2, address: '192.168.1.2' }, 443);
    expect(v4.toString('hex')).toBe('020001bbc0a801020000000000000000');
    expect(parseSockaddr(v4)).toEqual({ address: '192.168.1.2', port: 443 });
    const v6 = sockaddrBytes({ family: 10, address: '::1' }, 80);
    expect(v6.length).toBe(28);
    expect(parseSockaddr(v6)).toEqual({ address: '0:0:0:0:0:0:0:1', port: 80 });
    expect(parseSockaddr(sockaddrBytes({ family: 10, address: '2001:db8::ffff:1.2.3.4' }, 1))?.address).toBe('2001:db8:0:0:0:ffff:102:304');
    expect(parseSockaddr(Buffer.from('0100', 'hex'))).toBeUndefined();
  });

  it('answers an address literal without a lookup, and leaves names and bad families to the worker', () => {
    expect(literalAnswer('127.1', 0)).toEqual([{ family: 2, address: '127.0.0.1' }]);
    expect(literalAnswer('[::ffff:127.0.0.1]', 10)).toEqual([{ family: 10, address: '::ffff:7f00:1' }]);
    expect(literalAnswer('::1', 2)).toBe(Eai.EAI_NODATA);
    expect(literalAnswer('127.0.0.1', 99)).toBeUndefined();
    expect(literalAnswer('localhost', 0)).toBeUndefined();
    expect(literalAnswer('127.0.0.1:8080', 0)).toBeUndefined();
    expect(lookupText([{ family: 2, address: '127.0.0.1' }], 80)).toBe('2 020000507f0000010000000000000000');
  });
});

describe('receive queue', () => {
  it('pauses its producer above the high-water mark and resumes below the low one', async () => {
    const q = new Inbound();
    const calls: string[] = [];
    q.attach({ pause: () => calls.push('pause'), resume: () => calls.push('resume') });
    const chunk = Buffer.alloc(64 * 1024, 1);
    for (let n = 0; n <= HIGH_WATER_BYTES; n += chunk.length) q.push(chunk);
    expect(calls).toEqual(['pause']);
    while (q.size > LOW_WATER_BYTES) await q.read(64 * 1024, 0);
    expect(calls).toEqual(['pause', 'resume']);
  });

  it('delivers data before end of stream and errors; waits with a timeout; EAGAIN when non-blocking', async () => {
    const q = new Inbound();
    expect(q.read(10, 0)).toBe(ERR.EAGAIN);
    expect(await q.read(10, 20)).toBe(ERR.ETIMEDOUT);
    const pending = q.read(10, 1000);
    q.push(Buffer.from('abcdefghijkl'));
    expect((await pending).toString()).toBe('abcdefghij');
    q.fail(ERR.ECONNRESET);
    expect((await q.read(10, 0)).toString()).toBe('kl');
    expect(await q.read(10, 0)).toBe(ERR.ECONNRESET);
    const t = new Inbound();
    t.end();
    expect(await t.read(1, 0)).toBe(0);
  });
});
