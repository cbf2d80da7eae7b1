// Time for the in-wasm upip path to install 20 small packages from a local
// index (`mpy serve` on 127.0.0.1), as whole `mpy` processes (per package:
// the run minus an `mpy -c pass` start, over 20), and the socket
// reads behind it: Python-level reads (upip reads one byte per call) against
// host crossings (one per buffered chunk).
//
// The same 20 packages are also installed by `mpy install` (the host-native
// installer, no cache) in the same run, and the two are reported as a ratio.
//
// Which upip runs: MPY_UPIP_PATH (a directory holding upip.py, or the file)
// if set; else the one the upip bootstrap cached (~/.cache/mpy/upip); else
// this project's conformance stand-in (test/fixtures/net/upip_conformance.py),
// which makes upip's calls in upip's order. The summary says which.
// Requests go to upip's built-in index URLs, mapped to the local index by
// MPY_INDEX_URL, so any upip version works unchanged.
//
//   npx tsc -p . && node bench/upip-install.bench.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Bench } from 'tinybench';
import { writeTar } from '../dist/host/pkg/tar-writer.js';
import { gzipSmallWindow } from '../dist/host/pkg/gzip-writer.js';
import { upipCacheDir } from '../dist/host/upip/cache-dir.js';

const PACKAGES = 20;
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 5000);
const MPY = fileURLToPath(new URL('../dist/host/cli/main.js', import.meta.url));
const STAND_IN = fileURLToPath(new URL('../test/fixtures/net/upip_conformance.py', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'mpy-upip-bench-'));
const dir = join(root, 'index');
mkdirSync(dir);
const enc = new TextEncoder();

// 20 small packages, each a module of ~2 KiB, in upip's distribution layout.
const names = Array.from({ length: PACKAGES }, (_, i) => `micropython-bench${i}`);
for (const name of names) {
  const top = `${name}-1.0`;
  const info = enc.encode(`Metadata-Version: 1.0\nName: ${name}\nVersion: 1.0\n`);
  const module = Array.from({ length: 80 }, (_, n) => `v${n} = ${(n * 2654435761) % 1000003}\n`).join('');
  const files = [
    { path: `${top}/PKG-INFO`, data: info },
    { path: `${top}/${name}.egg-info/PKG-INFO`, data: info },
    { path: `${top}/${name.replace('micropython-', '')}.py`, data: enc.encode(module) },
  ];
  writeFileSync(join(dir, `${top}.tar.gz`), gzipSmallWindow(writeTar(files)));
}

// The index runs in a worker thread so this thread can wait on child processes.
const worker = new Worker(
  `const { parentPort, workerData } = require('node:worker_threads');
   import(workerData.module).then(async ({ startIndexServer }) => {
     const s = await startIndexServer({ dir: workerData.dir, port: 0 });
     parentPort.postMessage(s.indexUrl);
   });`,
  { eval: true, workerData: { module: new URL('../dist/host/index/server.js', import.meta.url).href, dir } },
);
const index = await new Promise((ok, ko) => worker.once('message', ok).once('error', ko));

function whichUpip() {
  const given = process.env.MPY_UPIP_PATH;
  if (given) {
    const d = statSync(given).isDirectory() ? given : dirname(given);
    return { kind: `upip from MPY_UPIP_PATH (${d})`, dir: d, module: 'upip' };
  }
  const cache = upipCacheDir(process.env);
  if (existsSync(join(cache, 'upip.py'))) return { kind: `upip from the bootstrap cache (${cache})`, dir: cache, module: 'upip' };
  return { kind: 'the conformance stand-in (set MPY_UPIP_PATH to run a real upip)', dir: dirname(STAND_IN), module: 'upip_conformance' };
}
const upip = whichUpip();

let run = 0;
let last;
function install(pkgs) {
  const target = join(root, `target${run++}`);
  mkdirSync(target);
  const code = [
    'import sys, usocket',
    `sys.argv[:] = ["upip", "install", "-p", ${JSON.stringify(target)}] + ${JSON.stringify(pkgs)}`,
    'try:',
    upip.module === 'upip' ? '    import upip; upip.main()' : `    exec(open(${JSON.stringify(STAND_IN)}).read())`,
    'except SystemExit as e:',
    '    if e.args and e.args[0]: raise',
    'print("STATS", *usocket.stats())',
  ].join('\n');
  const r = spawnSync(process.execPath, [MPY, '-c', code], {
    encoding: 'utf8',
    env: { ...process.env, MICROPYPATH: `${upip.dir}:${join(root, 'nothing')}`, MPY_INDEX_URL: index },
  });
  const stats = /STATS (\d+) (\d+) (\d+) (\d+)/.exec(r.stdout);
  if (r.status !== 0 || !stats || r.stderr) throw new Error(`install failed (status ${r.status}): ${r.stderr}${r.stdout}`);
  for (const p of pkgs) if (!existsSync(join(target, `${p.replace('micropython-', '')}.py`))) throw new Error(`${p} not installed`);
  rmSync(target, { recursive: true, force: true });
  last = { pythonReads: Number(stats[1]), readCrossings: Number(stats[2]), crossings: Number(stats[3]), bytes: Number(stats[4]) };
}

function nativeInstall(pkgs) {
  const target = join(root, `target${run++}`);
  const r = spawnSync(process.execPath, [MPY, 'install', '--no-cache', '-p', target, '-i', index, ...pkgs], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mpy install failed (status ${r.status}): ${r.stderr}${r.stdout}`);
  for (const p of pkgs)
    if (!existsSync(join(target, `${p.replace('micropython-', '')}.py`))) throw new Error(`${p} not installed by mpy install`);
  rmSync(target, { recursive: true, force: true });
}

const bench = new Bench({ time: TIME_MS, iterations: 3, warmupIterations: 1 });
bench.add(`install ${PACKAGES} packages`, () => install(names));
bench.add('mpy -c pass (process start)', () => {
  const r = spawnSync(process.execPath, [MPY, '-c', 'pass']);
  if (r.status !== 0) throw new Error(String(r.stderr));
});
bench.add(`mpy install ${PACKAGES} packages (host installer)`, () => nativeInstall(names));
// A failing install stops here with its output, not as a silent tinybench error.
install(names.slice(0, 2));
nativeInstall(names.slice(0, 2));
await bench.run();
for (const t of bench.tasks) if (t.result.state === 'errored') throw t.result.error;
const twenty = bench.tasks[0].result.latency.mean;
const start = bench.tasks[1].result.latency.mean;
const native = bench.tasks[2].result.latency.mean;
install(names);
const counts = last;

const perPackage = (twenty - start) / PACKAGES;
const summary = {
  upip: upip.kind,
  packages: PACKAGES,
  installMs: twenty,
  processStartMs: start,
  perPackageMs: perPackage,
  ...counts,
  mpyInstallMs: native,
  upipOverMpyInstall: twenty / native,
  pythonReadsPerPackage: counts.pythonReads / PACKAGES,
  readCrossingsPerPackage: counts.readCrossings / PACKAGES,
};
console.table(bench.table());
console.log(`ran: ${upip.kind}`);
console.log(
  `${PACKAGES} packages in ${twenty.toFixed(0)} ms, of which ${start.toFixed(0)} ms is starting mpy; ` +
    `${perPackage.toFixed(1)} ms per package`,
);
console.log(
  `mpy install of the same ${PACKAGES} packages: ${native.toFixed(0)} ms; the in-wasm upip path takes ${(twenty / native).toFixed(2)}x as long`,
);
console.log(
  `socket reads for ${PACKAGES} packages: ${counts.pythonReads} Python-level reads, ${counts.readCrossings} host crossings for them ` +
    `(${(counts.pythonReads / counts.readCrossings).toFixed(0)} reads per crossing); ${counts.crossings} crossings in all, ${counts.bytes} bytes received`,
);
if (process.env.MPY_BENCH_JSON) writeFileSync(process.env.MPY_BENCH_JSON, JSON.stringify(summary, null, 2));
await worker.terminate();
rmSync(root, { recursive: true, force: true });
