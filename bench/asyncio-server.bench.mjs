// An HTTP server written with asyncio.start_server, under mpy (dist/) and,
// when MPY_NATIVE names a native MicroPython Unix port, under it in the same
// run: requests per second with CONCURRENCY keep-alive-less clients, and the
// CPU time the server process uses while it waits idle (as a share of the
// wall time; a spinning loop would be near 100%).
//
//   npx tsc -p . && MPY_NATIVE=/path/to/micropython node bench/asyncio-server.bench.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const QUICK = process.env.MPY_BENCH_QUICK === '1';
const REQUESTS = QUICK ? 200 : 2000;
const CONCURRENCY = 16;
const IDLE_MS = QUICK ? 1000 : 3000;
const MPY = fileURLToPath(new URL('../dist/host/cli/bin.cjs', import.meta.url));

const APP = `
import asyncio, sys
async def handle(reader, writer):
    await reader.readline()
    while (await reader.readline()) not in (b"", b"\\r\\n"):
        pass
    writer.write(b"HTTP/1.0 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nhello")
    await writer.drain()
    writer.close()
    await writer.wait_closed()
async def main():
    await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]))
    print("listening")
    await asyncio.Event().wait()
asyncio.run(main())
`;

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

function get(port) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        res.resume();
        res.on('end', resolve);
      })
      .on('error', reject);
  });
}

async function measure(label, argv) {
  const port = await freePort();
  const child = spawn(argv[0], [...argv.slice(1), String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout.once('data', resolve);
    child.once('exit', () => reject(new Error(`${label} exited before listening`)));
  });
  const c0 = cpuTicks(child.pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const idleShare = (cpuTicks(child.pid) - c0) / ((performance.now() - t0) / 10);
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < REQUESTS) await get(port);
    }),
  );
  const rps = REQUESTS / ((performance.now() - start) / 1000);
  child.kill();
  return { label, rps: Math.round(rps), idleCpuPercent: Math.round(idleShare * 1000) / 10 };
}

const dir = mkdtempSync(join(tmpdir(), 'mpy-asyncio-bench-'));
try {
  const app = join(dir, 'app.py');
  writeFileSync(app, APP);
  const rows = [await measure('mpy', [process.execPath, MPY, app])];
  if (process.env.MPY_NATIVE) rows.push(await measure('native', [process.env.MPY_NATIVE, app]));
  for (const r of rows)
    console.log(`${r.label}: ${r.rps} requests/s (${CONCURRENCY} concurrent), idle CPU ${r.idleCpuPercent}% of wall time`);
  if (rows.length === 2) console.log(`mpy/native throughput: ${(rows[0].rps / rows[1].rps).toFixed(2)}`);
  if (process.env.MPY_BENCH_JSON)
    writeFileSync(process.env.MPY_BENCH_JSON, JSON.stringify({ requests: REQUESTS, concurrency: CONCURRENCY, idleMs: IDLE_MS, rows }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
