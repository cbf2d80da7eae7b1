/**
 * Server sockets, UDP and select through the real `mpy` command (and the
 * listen allow-list of the embedding API): the test's own Node clients and
 * servers on 127.0.0.1 talk to the program.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, netProgramBatch, runPython } from './fixtures/net/run.js';
import { exited, mpyUntilFirstLine } from './helpers/cli.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import type * as Api from '../dist/index.js';

let dir: string;

/** One `mpy` child for the programs that need no environment of their own. */
const batch = netProgramBatch();

beforeAll(() => {
  buildOnce();
  dir = tempDir('mpy-net-server-');
});

afterAll(() => removeDir(dir));

function script(name: string, code: string): string {
  const file = join(dir, name);
  writeFileSync(file, code);
  return file;
}

describe('server sockets', () => {
  const listening = batch.add(
    () => `
import socket, errno
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(socket.getaddrinfo("127.0.0.1", 0)[0][-1])
s.listen(2)
host, port = s.getsockname()
print(host, port > 0)
s.setblocking(False)
try:
    s.accept()
except OSError as e:
    print("accept", errno.errorcode[e.errno])
s.settimeout(0.05)
try:
    s.accept()
except OSError as e:
    print("accept", errno.errorcode[e.errno])
c = socket.socket()
c.connect(("127.0.0.1", port))
s.setblocking(True)
a, peer = s.accept()
print(type(peer).__name__, socket.sockaddr(peer)[1], a.getpeername() == c.getsockname(), c.getpeername() == (host, port))
a.settimeout(0)
try:
    a.recv(1)
except OSError as e:
    print("recv", errno.errorcode[e.errno])
c.write(b"ping")
a.settimeout(None)
print(a.recv(10))
a.write(b"pong")
print(c.read(4))
c.close()
print(a.recv(10))
try:
    s.recv(1)
except OSError as e:
    print("recv on listener", errno.errorcode[e.errno])
a.close(); s.close()
print(a.fileno(), s.fileno())
`,
  );
  it('bind, listen, accept, names, non-blocking accept and recv, timeouts', async () => {
    const r = await listening();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      "127.0.0.1 True\naccept EAGAIN\naccept ETIMEDOUT\nbytes b'\\x7f\\x00\\x00\\x01' True True\nrecv EAGAIN\nb'ping'\nb'pong'\nb''\nrecv on listener ENOTCONN\n-1 -1\n",
    );
  });

  it('serves a Node client from a blocking accept loop', async () => {
    const file = script(
      'upper.py',
      `
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
print(s.getsockname()[1])
for _ in range(2):
    a, _ = s.accept()
    line = a.readline()
    a.write(line.upper())
    a.close()
s.close()
`,
    );
    const { child, line } = await mpyUntilFirstLine([file]);
    const port = Number(line);
    for (const word of ['one', 'two']) {
      const sock = connect(port, '127.0.0.1');
      sock.end(`${word}\n`);
      const chunks: Buffer[] = [];
      sock.on('data', (d: Buffer) => chunks.push(d));
      await once(sock, 'close');
      expect(Buffer.concat(chunks).toString()).toBe(`${word.toUpperCase()}\n`);
    }
    expect(await exited(child)).toBe(0);
  });

  const badConstructor = batch.add(
    () => `
import socket
for args in ((None,), (socket.AF_INET, None), (socket.AF_INET, socket.SOCK_RAW, None)):
    try:
        socket.socket(*args)
    except TypeError:
        print("TypeError")
try:
    socket.socket(1, 2, 3, 4)
except OSError as e:
    print("OSError", e.errno)
print(type(socket.socket()), socket.socket().fileno() >= 0)
`,
  );
  it('a bad constructor raises as native; the socket type is named socket', async () => {
    const r = await badConstructor();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("TypeError\nTypeError\nTypeError\nOSError 93\n<class 'socket'> True\n");
  });
});

describe('UDP', () => {
  it('echoes datagrams to a Node client, with recvfrom addresses and non-blocking EAGAIN', async () => {
    const file = script(
      'udp_echo.py',
      `
import socket, errno
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
u.settimeout(0)
try:
    u.recv(1)
except OSError as e:
    assert e.errno == errno.EAGAIN
u.settimeout(None)
print(u.getsockname()[1])
while True:
    data, sender = u.recvfrom(100)
    if data == b"stop":
        break
    u.sendto(b"echo " + data, sender)
u.close()
`,
    );
    const { child, line } = await mpyUntilFirstLine([file]);
    const port = Number(line);
    const client = createSocket('udp4');
    for (const word of ['alpha', 'beta']) {
      client.send(word, port, '127.0.0.1');
      const [msg] = (await once(client, 'message')) as [Buffer];
      expect(msg.toString()).toBe(`echo ${word}`);
    }
    client.send('stop', port, '127.0.0.1');
    expect(await exited(child)).toBe(0);
    client.close();
  });

  const selfTalk = batch.add(
    () => `
import socket
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.bind(("127.0.0.1", 0))
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b.connect(("127.0.0.1", a.getsockname()[1]))
b.send(b"hi")
data, sender = a.recvfrom(1)
print(data, socket.sockaddr(sender)[2] == b.getsockname()[1])
a.sendto(b"back", sender)
print(b.recv(10))
`,
  );
  it('talks to itself: sendto/recvfrom, connect then send/recv', async () => {
    const r = await selfTalk();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("b'h' True\nb'back'\n");
  });
});

describe('select', () => {
  const polls = batch.add(
    () => `
import socket, select, uselect
print(uselect is select)
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
p = select.poll()
p.register(s, select.POLLIN)
print("idle listener", p.poll(0))
c = socket.socket()
c.connect(s.getsockname())
print("pending", [(o is s, ev) for o, ev in p.poll(-1)])
a, _ = s.accept()
p.unregister(s)
p.register(a, select.POLLIN)
print("quiet", p.poll(0))
p.modify(a, select.POLLIN | select.POLLOUT)
print("writable", [(o is a, ev) for o, ev in p.poll(0)])
p.modify(a, select.POLLIN)
c.write(b"x")
print("readable", [(o is a, ev) for o, ev in p.poll(None)])
print("one-shot", [ev for o, ev in p.ipoll(0, 1)], list(p.ipoll(0)))
p.register(a, select.POLLIN)
print(a.read(1))
c.close()
print("peer closed", [ev & select.POLLIN for o, ev in p.poll(1000)], a.read(1))
a.close()
print("closed", [ev for o, ev in p.poll(0)])
try:
    p.modify(s, select.POLLIN)
except OSError as e:
    print("modify unregistered", e.errno)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
print(select.select([u], [u], [], 0) == ([], [u], []))
`,
  );
  it('poll on listening, connected and closed sockets; modify, unregister, one-shot ipoll; select.select', async () => {
    const r = await polls();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      'True\nidle listener []\npending [(True, 1)]\nquiet []\nwritable [(True, 4)]\nreadable [(True, 1)]\n' +
        "one-shot [1] []\nb'x'\npeer closed [1] b''\nclosed [32]\nmodify unregistered 2\nTrue\n",
    );
  });
});

describe('the listen allow-list', () => {
  it('MPY_NET_LISTEN limits what the program may bind; a malformed one stops mpy with a clear error', async () => {
    const code = `
import socket, errno
for host in ("127.0.0.1", "127.0.0.2"):
    s = socket.socket()
    try:
        s.bind((host, 0))
        print(host, "bound")
    except OSError as e:
        print(host, errno.errorcode[e.errno])
    s.close()
`;
    const r = await runPython(code, { MPY_NET_LISTEN: '127.0.0.1:*' });
    expect(r.stdout).toBe('127.0.0.1 bound\n127.0.0.2 EACCES\n');
    const bad = await runPython(code, { MPY_NET_LISTEN: 'nonsense' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^mpy: MPY_NET_LISTEN: "nonsense" is not HOST:PORT/);
  });

  it('the embedding API denies binding unless network.listen grants it', async () => {
    const { MicroPython } = (await import('../dist/index.js')) as typeof Api;
    const code = `
import socket, errno
def bind():
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        return "bound"
    except OSError as e:
        return errno.errorcode[e.errno]
    finally:
        s.close()
`;
    const closed = await MicroPython.create();
    const open = await MicroPython.create({ network: { listen: ['127.0.0.1:*'] } });
    try {
      await closed.exec(code);
      await open.exec(code);
      expect(await closed.eval('bind()')).toBe('EACCES');
      expect(await open.eval('bind()')).toBe('bound');
    } finally {
      await Promise.all([closed.dispose(), open.dispose()]);
    }
  });
});
