/**
 * HTTP over a program's own socket, through the real `mpy` command: a
 * relative redirect is followed to where the program connected (not to
 * its Host header), and a request to switch protocols (a WebSocket
 * handshake) passes through byte-exact and the socket then carries the
 * program's own protocol.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRELUDE, buildOnce, runPython } from './fixtures/net/run.js';
import { httpServer, tcpServer, type Running } from './fixtures/net/servers.js';

let redirecting: Running;
const seen: string[] = [];
let ws: Running;
let wsReceived = Buffer.alloc(0);

const WS_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const WS_ACCEPT = createHash('sha1').update(`${WS_KEY}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');

beforeAll(async () => {
  buildOnce();
  redirecting = await httpServer((req, res) => {
    seen.push(`${req.url} ${req.headers.host}`);
    if (req.url === '/start') return void res.writeHead(302, { location: '/next' }).end();
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`at ${req.url}`);
  });
  ws = await tcpServer((socket) => {
    let upgraded = false;
    socket.on('data', (d: Buffer) => {
      wsReceived = Buffer.concat([wsReceived, d]);
      if (!upgraded && wsReceived.includes('\r\n\r\n')) {
        upgraded = true;
        socket.write(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${WS_ACCEPT}\r\n\r\n`,
        );
        socket.write(Buffer.from([0x81, 0x05, ...Buffer.from('hello')]));
      } else if (upgraded) {
        socket.write(d); // echo frames back
      }
    });
    socket.on('error', () => {});
  });
});

afterAll(async () => {
  await Promise.all([redirecting.close(), ws.close()]);
});

describe('HTTP on a program socket', () => {
  it('follows a relative redirect to the connected address, keeping the Host header it wrote', async () => {
    const r = await runPython(`${PRELUDE}
s = conn(${redirecting.port})
s.write(b"GET /start HTTP/1.0\\r\\nHost: name-that-does-not-resolve.invalid:1\\r\\n\\r\\n")
status, headers = head(s)
print(status, s.read())
`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("b'HTTP/1.1 200 OK\\r\\n' b'at /next'\n");
    expect(seen).toEqual(['/start name-that-does-not-resolve.invalid:1', '/next name-that-does-not-resolve.invalid:1']);
  });

  it('a WebSocket handshake passes through byte-exact; the socket then carries frames both ways', async () => {
    const request =
      'GET /chat HTTP/1.1\\r\\nHost: 127.0.0.1:' +
      ws.port +
      `\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Key: ${WS_KEY}\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n`;
    const r = await runPython(`${PRELUDE}
s = conn(${ws.port})
s.write(b"${request}")
status, headers = head(s)
print(status)
print([h for h in headers if h.lower().startswith(b"sec-websocket-accept")])
print(s.read(7))
frame = bytes([0x81, 0x83, 1, 2, 3, 4]) + bytes(a ^ b for a, b in zip(b"abc", b"\\x01\\x02\\x03"))
s.write(frame)
print(s.read(len(frame)) == frame)
s.close()
`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      `b'HTTP/1.1 101 Switching Protocols\\r\\n'\n[b'Sec-WebSocket-Accept: ${WS_ACCEPT}\\r\\n']\nb'\\x81\\x05hello'\nTrue\n`,
    );
    const head = wsReceived.subarray(0, wsReceived.indexOf('\r\n\r\n') + 4).toString('latin1');
    expect(head).toBe(request.replace(/\\r\\n/g, '\r\n'));
  });
});
