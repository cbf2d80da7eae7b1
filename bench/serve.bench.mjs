// Throughput of `mpy serve` (dist/), against a bare node:http server that
// answers the same bytes from memory, in the same run. Each server runs in
// its own worker thread; the load generator (keep-alive, CONCURRENCY
// connections) runs on the main thread. Every figure is a bounded run:
// TIME_MS per task and BATCH requests per iteration.
//
//   npx tsc -p . && node bench/serve.bench.mjs
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Bench } from 'tinybench';
import { writeTar } from '../dist/host/pkg/tar-writer.js';
import { gzipSmallWindow } from '../dist/host/pkg/gzip-writer.js';

const BATCH = 200;
const CONCURRENCY = 16;
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 2000);
const PROJECTS = 50;

const dir = mkdtempSync(join(tmpdir(), 'mpy-serve-bench-'));
const enc = new TextEncoder();
for (let i = 0; i < PROJECTS; i++) {
  for (const v of ['1.0', '1.1', '2.0']) {
    const top = `pkg${i}-${v}`;
    const info = enc.encode(`Metadata-Version: 1.0\nName: pkg${i}\nVersion: ${v}\nSummary: bench\n`);
    const tar = writeTar([
      { path: `${top}/PKG-INFO`, data: info },
      { path: `${top}/pkg${i}.egg-info/PKG-INFO`, data: info },
      // ~12 KB of source that compresses like code does (about 3:1), not like a repeated line.
      {
        path: `${top}/pkg${i}/__init__.py`,
        data: enc.encode(
          Array.from({ length: 400 }, (_, n) => `v${n} = ${(n * 2654435761) % 1000003}  # ${(n * 40503).toString(36)}\n`).join(''),
        ),
      },
    ]);
    writeFileSync(join(dir, `${top}.tar.gz`), gzipSmallWindow(tar));
  }
}
// An index directory populated a while ago: outside the rescan window for recent changes.
const past = new Date(Date.now() - 60_000);
utimesSync(dir, past, past);

const SERVER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  if (workerData.kind === 'mpy') {
    const { startIndexServer } = await import(workerData.module);
    const s = await startIndexServer({ dir: workerData.dir, port: 0 });
    parentPort.postMessage(s.url);
  } else {
    const http = require('node:http');
    const routes = new Map(workerData.routes.map(([p, b, t]) => [p, [Buffer.from(b), t]]));
    const s = http.createServer({ keepAlive: true }, (req, res) => {
      const hit = routes.get(req.url);
      if (!hit) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': hit[1], 'content-length': hit[0].length }).end(hit[0]);
    });
    s.listen(0, '127.0.0.1', () => parentPort.postMessage('http://127.0.0.1:' + s.address().port));
  }
})();
`;

function startWorker(data) {
  const worker = new Worker(SERVER, { eval: true, workerData: data });
  return new Promise((resolve, reject) => {
    worker.once('message', (url) => resolve({ url, worker }));
    worker.once('error', reject);
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function get(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`${url}: ${res.statusCode}`));
        let n = 0;
        res.on('data', (c) => (n += c.length));
        res.on('end', () => resolve(n));
      })
      .on('error', reject);
  });
}
async function batch(base, paths) {
  let next = 0;
  const lane = async () => {
    while (next < BATCH) await get(base + paths[next++ % paths.length]);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
}

const mpy = await startWorker({ kind: 'mpy', module: new URL('../dist/host/index/server.js', import.meta.url).href, dir });
const jsonPaths = Array.from({ length: PROJECTS }, (_, i) => `/pypi/pkg${i}/json`);
const filePaths = Array.from({ length: PROJECTS }, (_, i) => `/files/pkg${i}-1.1.tar.gz`);
// The reference serves exactly the bytes mpy serve answers.
const routes = [];
for (const p of [...jsonPaths, ...filePaths]) {
  const res = await fetch(mpy.url + p, { headers: { host: new URL(mpy.url).host } });
  routes.push([p, new Uint8Array(await res.arrayBuffer()), res.headers.get('content-type')]);
}
const bare = await startWorker({ kind: 'bare', routes });
// Same Host header for both so the JSON bodies are byte-identical.
const fileBytes = routes.find(([p]) => p === filePaths[0])[1].length;

// Rounds alternate the order of the servers, and the median round is
// reported, so that load from elsewhere on the machine hits both alike.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const tasks = {
  'mpy serve  JSON metadata': () => batch(mpy.url, jsonPaths),
  'bare http  JSON metadata': () => batch(bare.url, jsonPaths),
  [`mpy serve  file (${fileBytes} B)`]: () => batch(mpy.url, filePaths),
  [`bare http  file (${fileBytes} B)`]: () => batch(bare.url, filePaths),
};
const samples = Object.fromEntries(Object.keys(tasks).map((k) => [k, []]));
for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({ time: TIME_MS / ROUNDS, warmupTime: 200, iterations: 3 });
  const names = Object.keys(tasks);
  for (const name of round % 2 ? names.reverse() : names) bench.add(name, tasks[name]);
  await bench.run();
  for (const t of bench.tasks) samples[t.name].push(BATCH / (t.result.latency.mean / 1000));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rps = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
console.table(
  Object.entries(samples).map(([task, v]) => ({ task, 'requests/s (median)': Math.round(median(v)), rounds: v.map(Math.round).join(' ') })),
);
const [mj, bj, mf, bf] = Object.values(rps);
console.log(
  `mpy serve / bare node:http: JSON ${(mj / bj).toFixed(2)}x, files ${(mf / bf).toFixed(2)}x ` +
    `(${BATCH} requests per batch, ${CONCURRENCY} keep-alive connections, ${ROUNDS} rounds, ${TIME_MS} ms per task, node ${process.version})`,
);

agent.destroy();
await Promise.all([mpy.worker.terminate(), bare.worker.terminate()]);
rmSync(dir, { recursive: true, force: true });
