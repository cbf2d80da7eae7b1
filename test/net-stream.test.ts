/**
 * A 200 MB download through the bridge keeps the process's memory flat:
 * the body is generated on the fly by the server, read by Python in 64 KiB
 * pieces, and never held anywhere whole. Memory is the child's peak RSS
 * (VmHWM) during the download against its RSS once the response started.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { MPY_BIN } from './helpers/cli.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';
import { buildOnce } from './fixtures/net/run.js';
import { httpServer, type Running } from './fixtures/net/servers.js';

const TOTAL = 200 * 1024 * 1024;
const PIECE = Buffer.alloc(64 * 1024, 'mpy streaming ');
// Peak RSS over the baseline was 36-67 MiB for 20, 200 and 400 MB bodies
// alike on a quiet machine, and 105 MiB once at load 12 (GC slack of the
// threads the bytes cross grows when they get less CPU), so the bound is
// three quarters of the body: a program that held the body would need all of it.
const MAX_GROWTH_BYTES = 150 * 1024 * 1024;

let server: Running;
let dir: string;

beforeAll(async () => {
  buildOnce();
  dir = tempDir('mpy-net-stream-');
  server = await httpServer((_req, res) => {
    res.writeHead(200, { 'Content-Length': TOTAL, 'Content-Type': 'application/octet-stream' });
    let sent = 0;
    const pump = (): void => {
      while (sent < TOTAL) {
        sent += PIECE.length;
        if (!res.write(PIECE)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
});

afterAll(async () => {
  await server.close();
  removeDir(dir);
});

function kib(status: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (!m) throw new Error(`no ${field} in /proc status`);
  return Number(m[1]) * 1024;
}

describe('streaming', () => {
  it('reads a 200 MB body with flat memory', { timeout: 120_000 }, async () => {
    const script = join(dir, 'download.py');
    writeFileSync(
      script,
      `import sys, usocket
ai = usocket.getaddrinfo("127.0.0.1", ${server.port}, 0, usocket.SOCK_STREAM)[0]
s = usocket.socket(ai[0], ai[1], ai[2])
s.connect(ai[-1])
s.write(b"GET /big HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n")
while s.readline() != b"\\r\\n":
    pass
print("ready")
sys.stdin.readline()
buf = bytearray(65536)
total = 0
while True:
    n = s.readinto(buf)
    if not n:
        break
    total += n
print("done", total, bytes(buf[:14]))
sys.stdin.readline()
print("stats", usocket.stats())
`,
    );
    const child = spawn(process.execPath, [MPY_BIN, script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async (): Promise<string> => (await lines.next()).value ?? `EOF: ${stderr}`;
    const status = (): string => readFileSync(`/proc/${child.pid}/status`, 'utf8');

    expect(await next()).toBe('ready');
    const before = kib(status(), 'VmRSS');
    const started = performance.now();
    child.stdin.write('\n');
    expect(await next()).toBe(`done ${TOTAL} b'mpy streaming '`);
    const seconds = (performance.now() - started) / 1000;
    const peak = kib(status(), 'VmHWM');
    child.stdin.end('\n');
    const stats = await next();
    await new Promise((ok) => child.on('close', ok));
    const growth = Math.max(0, peak - before);
    console.log(
      `${TOTAL / 2 ** 20} MiB in ${seconds.toFixed(2)} s (${(TOTAL / 2 ** 20 / seconds).toFixed(0)} MiB/s); RSS ${(before / 2 ** 20).toFixed(1)} MiB -> peak ${(peak / 2 ** 20).toFixed(1)} MiB; ${stats}`,
    );
    expect(stderr).toBe('');
    expect(growth).toBeLessThan(MAX_GROWTH_BYTES);
  });
});
