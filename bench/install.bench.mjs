// Time of `mpy install` (dist/) for 30 packages (one requiring 29) from a
// local `mpy serve` in a worker thread behind a front adding LATENCY_MS per
// answer: fetches concurrently (the default, 8 in flight) against one
// request at a time (upip's way), cold and from the cache. Bounded: TIME_MS
// per task, at least 3 runs.
//
//   npx tsc -p . && node bench/install.bench.mjs
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Bench } from 'tinybench';
import { install, UnpackPool } from '../dist/host/install/index.js';
import { writeTar } from '../dist/host/pkg/tar-writer.js';
import { gzipSmallWindow } from '../dist/host/pkg/gzip-writer.js';

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 3000);
const DEPS = 29;
const root = mkdtempSync(join(tmpdir(), 'mpy-install-bench-'));
const dir = join(root, 'index');
const enc = new TextEncoder();
rmSync(dir, { force: true, recursive: true });
(await import('node:fs')).mkdirSync(dir);
function dist(name, requires) {
  const top = `${name}-1.0`;
  const info = enc.encode(`Metadata-Version: 1.0\nName: ${name}\nVersion: 1.0\n`);
  const files = [
    { path: `${top}/PKG-INFO`, data: info },
    { path: `${top}/${name}.egg-info/PKG-INFO`, data: info },
    ...Array.from({ length: 4 }, (_, i) => ({
      path: `${top}/${name}/m${i}.py`,
      data: enc.encode(Array.from({ length: 100 }, (_, n) => `v${n} = ${(n * 2654435761) % 1000003}\n`).join('')),
    })),
  ];
  if (requires.length) files.push({ path: `${top}/${name}.egg-info/requires.txt`, data: enc.encode(`${requires.join('\n')}\n`) });
  writeFileSync(join(dir, `${top}.tar.gz`), gzipSmallWindow(writeTar(files)));
}
const deps = Array.from({ length: DEPS }, (_, i) => `dep${i}`);
for (const d of deps) dist(d, []);
dist('app', deps);
const past = new Date(Date.now() - 60_000);
utimesSync(dir, past, past);

// A front that holds every answer LATENCY_MS before passing it on, as a
// remote index would; 0 measures the installer's own cost on loopback.
const LATENCY_MS = Number(process.env.LATENCY_MS ?? 20);
const worker = new Worker(
  `const { parentPort, workerData } = require('node:worker_threads');
   const http = require('node:http');
   import(workerData.module).then(async ({ startIndexServer }) => {
     let upstream;
     const agent = new http.Agent({ keepAlive: true });
     const front = http.createServer({ keepAlive: true }, (req, res) => {
       setTimeout(() => http.get(upstream + req.url, { agent }, (up) => { res.writeHead(up.statusCode, up.headers); up.pipe(res); }), workerData.latency);
     });
     await new Promise((ok) => front.listen(0, '127.0.0.1', ok));
     const base = 'http://127.0.0.1:' + front.address().port;
     upstream = (await startIndexServer({ dir: workerData.dir, port: 0, baseUrl: base })).url;
     parentPort.postMessage(base + '/pypi');
   });`,
  { eval: true, workerData: { module: new URL('../dist/host/index/server.js', import.meta.url).href, dir, latency: LATENCY_MS } },
);
const index = await new Promise((ok, ko) => worker.once('message', ok).once('error', ko));
const pool = new UnpackPool();
let n = 0;
const target = () => join(root, `t${n++}`);
const cacheDir = join(root, 'cache');
await install({ requirements: ['app'], indexes: [index], target: target(), cacheDir, pool });

const bench = new Bench({ time: TIME_MS, iterations: 3, warmupTime: 200 });
bench
  .add('cold, 8 requests in flight', () => install({ requirements: ['app'], indexes: [index], target: target(), noCache: true, pool }))
  .add('cold, 1 request at a time', () =>
    install({ requirements: ['app'], indexes: [index], target: target(), noCache: true, pool, concurrency: 1 }),
  )
  .add('warm cache, 8 in flight', () => install({ requirements: ['app'], indexes: [index], target: target(), cacheDir, pool }));
await bench.run();
console.table(
  bench.tasks.map((t) => ({
    task: t.name,
    'ms per install (30 packages)': t.result.latency.mean.toFixed(1),
    runs: t.runs,
    '±%': t.result.latency.rme.toFixed(1),
  })),
);
console.log(
  `node ${process.version}, ${DEPS + 1} packages, 120 modules, index latency ${LATENCY_MS} ms per request, ${TIME_MS} ms per task`,
);
await pool.close();
await worker.terminate();
rmSync(root, { recursive: true, force: true });
