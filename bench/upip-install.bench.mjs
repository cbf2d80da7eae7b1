// Installing packages from a local index (`mpy serve` on 127.0.0.1, in a
// worker thread), as whole commands, three installers in one run:
//
//   - native: upip on the native MicroPython Unix port (MPY_NATIVE), the
//     baseline: `micropython -m upip install -p DIR -i INDEX PKG...`;
//   - upip in mpy: the same upip, unchanged, run by `mpy -m upip install ...`
//     (the bootstrap fetches it from the local index once, into a temporary
//     XDG_CACHE_HOME, before the timed runs);
//   - `mpy install --no-cache -p DIR -i INDEX PKG...`, the host installer.
//
// Two workloads: 90 packages in one command, and 1 package in a cold process.
// Rounds interleave the installers (and `mpy -c pass` / `micropython -c pass`,
// for the start-up share); medians. The ratios divide each mpy command's time
// by native upip's. One more, untimed, run of upip in mpy reports the host
// crossings behind it (calls into the network worker, reads among them).
//
// Which upip: MPY_UPIP_PATH (a directory holding upip.py and
// upip_utarfile.py, or upip.py itself) if set; else MicroPython 1.19's, read
// at run time from a MicroPython checkout's history (bench/lib/upstream.mjs;
// never kept in the repository). Without either, the upip rows run this
// project's conformance stand-in (test/fixtures/net/upip_conformance.py),
// which makes upip's calls in upip's order, and there is no native row. The
// native port lacks `uzlib` and `ussl` (1.27 removed them): the native run gets
// mpy's own `uzlib.py` shim and an `ussl` stub on MICROPYPATH (the index is
// plain HTTP).
//
//   MPY_NATIVE=/tmp/micropython/ports/unix/build-standard/micropython node bench/upip-install.bench.mjs
//
// Honours the runner's MPY_BENCH_JSON and MPY_BENCH_QUICK (1 round instead of
// 5, no two-package warm-up installs, no socket statistics run).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { writeTar } from '../dist/host/pkg/tar-writer.js';
import { gzipSmallWindow } from '../dist/host/pkg/gzip-writer.js';
import { nativeMicroPython } from './lib/tools.mjs';
import { upstreamUpip } from './lib/upstream.mjs';

const QUICK = process.env.MPY_BENCH_QUICK === '1';
const ROUNDS = Number(process.argv[2] ?? (QUICK ? 1 : 5));
const PACKAGES = 90;
const MPY = fileURLToPath(new URL('../dist/host/cli/bin.cjs', import.meta.url));
const UZLIB_SHIM = fileURLToPath(new URL('../runtime/lib/uzlib.py', import.meta.url));
const STAND_IN = fileURLToPath(new URL('../test/fixtures/net/upip_conformance.py', import.meta.url));
const NATIVE = nativeMicroPython();
const root = mkdtempSync(join(tmpdir(), 'mpy-upip-bench-'));
const dir = join(root, 'index');
mkdirSync(dir);
const enc = new TextEncoder();

function addDistribution(name, version, files) {
  const top = `${name}-${version}`;
  const info = enc.encode(`Metadata-Version: 1.0\nName: ${name}\nVersion: ${version}\n`);
  const members = [
    { path: `${top}/PKG-INFO`, data: info },
    { path: `${top}/${name}.egg-info/PKG-INFO`, data: info },
    ...Object.entries(files).map(([path, text]) => ({ path: `${top}/${path}`, data: enc.encode(text) })),
  ];
  writeFileSync(join(dir, `${top}.tar.gz`), gzipSmallWindow(writeTar(members)));
}

// The packages: each one module of ~2 KiB, in upip's distribution layout.
const names = Array.from({ length: PACKAGES }, (_, i) => `micropython-bench${i}`);
const moduleOf = (name) => `${name.replace('micropython-', '')}.py`;
const moduleText = Array.from({ length: 80 }, (_, n) => `v${n} = ${(n * 2654435761) % 1000003}\n`).join('');
for (const name of names) addDistribution(name, '1.0', { [moduleOf(name)]: moduleText });

function whichUpip() {
  const given = process.env.MPY_UPIP_PATH;
  if (given) {
    const d = statSync(given).isDirectory() ? given : dirname(given);
    const files = Object.fromEntries(['upip.py', 'upip_utarfile.py'].map((f) => [f, readFileSync(join(d, f), 'utf8')]));
    return { kind: `upip from MPY_UPIP_PATH (${d})`, files };
  }
  const files = upstreamUpip();
  if (files) return { kind: "MicroPython 1.19's upip (from the checkout's history)", files };
  return { kind: 'the conformance stand-in (set MPY_UPIP_PATH, or MPY_MICROPYTHON_DIR to a MicroPython checkout)' };
}
const upip = whichUpip();
if (upip.files) addDistribution('micropython-upip', '1.2.4', upip.files);

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

// Where each installer's programs live.
const cache = join(root, 'cache');
const nativeLib = join(root, 'native-lib');
if (upip.files) {
  mkdirSync(nativeLib);
  for (const [f, text] of Object.entries(upip.files)) writeFileSync(join(nativeLib, f), text);
  copyFileSync(UZLIB_SHIM, join(nativeLib, 'uzlib.py'));
  writeFileSync(join(nativeLib, 'ussl.py'), 'def wrap_socket(*a, **k):\n    raise OSError("no TLS in this benchmark")\n');
}
const mpyEnv = { XDG_CACHE_HOME: cache, MPY_UPIP_INDEX: index, MICROPYPATH: join(root, 'nothing') };

let run = 0;
/** The installers, by key: argv for a target directory and packages. */
const installers = {
  ...(NATIVE && upip.files
    ? {
        native: {
          name: 'native upip',
          argv: (t, p) => [NATIVE, '-m', 'upip', 'install', '-p', t, '-i', index, ...p],
          env: { MICROPYPATH: nativeLib },
        },
      }
    : {}),
  upip: upip.files
    ? { name: 'upip in mpy', argv: (t, p) => [process.execPath, MPY, '-m', 'upip', 'install', '-p', t, '-i', index, ...p], env: mpyEnv }
    : {
        name: 'upip stand-in in mpy',
        argv: (t, p) => [process.execPath, MPY, STAND_IN, 'install', '-p', t, '-i', index, ...p],
        env: mpyEnv,
      },
  mpyInstall: { name: 'mpy install', argv: (t, p) => [process.execPath, MPY, 'install', '--no-cache', '-p', t, '-i', index, ...p] },
};
const starts = {
  mpyStart: [process.execPath, MPY, '-c', 'pass'],
  ...(NATIVE ? { nativeStart: [NATIVE, '-c', 'pass'] } : {}),
};

function timedInstall(key, pkgs) {
  const who = installers[key];
  const target = join(root, `target${run++}`);
  const [cmd, ...args] = who.argv(target, pkgs);
  const t = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...who.env } });
  const ms = performance.now() - t;
  const missing = pkgs.filter((p) => !existsSync(join(target, moduleOf(p))));
  if (r.status !== 0 || missing.length)
    throw new Error(`${who.name}: status ${r.status}, ${missing.length} not installed: ${r.stderr.slice(-500)}${r.stdout.slice(-500)}`);
  rmSync(target, { recursive: true, force: true });
  return ms;
}

function timedStart(key) {
  const argv = starts[key];
  const t = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { env: { ...process.env, MICROPYPATH: join(root, 'nothing') } });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return performance.now() - t;
}

// Warm-up: fills the OS file cache, bootstraps upip into mpy's cache, and stops on a broken installer.
const firstRun = spawnSync(process.execPath, [MPY, '-m', 'upip', '--help'], { encoding: 'utf8', env: { ...process.env, ...mpyEnv } });
if (upip.files && !existsSync(join(cache, 'mpy', 'upip', 'upip.py')))
  throw new Error(`the upip bootstrap did not fill ${cache}: ${firstRun.stderr}`);
if (!QUICK) for (const key of Object.keys(installers)) timedInstall(key, names.slice(0, 2));

const lists = (keys) => Object.fromEntries(keys.map((k) => [k, []]));
const times = { many: lists(Object.keys(installers)), one: lists(Object.keys(installers)), start: lists(Object.keys(starts)) };
for (let r = 0; r < ROUNDS; r++) {
  const keys = Object.keys(installers);
  if (r % 2) keys.reverse();
  for (const key of keys) times.many[key].push(timedInstall(key, names));
  for (const key of keys) times.one[key].push(timedInstall(key, [names[r % PACKAGES]]));
  for (const key of Object.keys(starts)) times.start[key].push(timedStart(key));
}

// The socket reads behind upip in mpy, once, untimed.
function socketStats() {
  const target = join(root, 'stats');
  const code = [
    'import sys, usocket',
    `sys.argv[:] = ["upip", "install", "-p", ${JSON.stringify(target)}, "-i", ${JSON.stringify(index)}] + ${JSON.stringify(names)}`,
    'try:',
    upip.files ? '    import upip; upip.main()' : `    exec(open(${JSON.stringify(STAND_IN)}).read())`,
    'except SystemExit as e:',
    '    if e.args and e.args[0]: raise',
    's = usocket.stats()',
    'print("STATS", s["recv_crossings"], s["crossings"], s["bytes_in"])',
  ].join('\n');
  const path = upip.files ? join(cache, 'mpy', 'upip') : join(root, 'nothing');
  const r = spawnSync(process.execPath, [MPY, '-c', code], { encoding: 'utf8', env: { ...process.env, MICROPYPATH: path } });
  const m = /STATS (\d+) (\d+) (\d+)/.exec(r.stdout);
  if (r.status !== 0 || !m) throw new Error(`socket statistics run failed (status ${r.status}): ${r.stderr}${r.stdout.slice(-300)}`);
  rmSync(target, { recursive: true, force: true });
  return { readCrossings: Number(m[1]), crossings: Number(m[2]), bytesReceived: Number(m[3]) };
}
const stats = QUICK ? undefined : socketStats();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const medians = (group) => Object.fromEntries(Object.entries(group).map(([k, xs]) => [k, median(xs)]));
const summary = {
  upip: upip.kind,
  packages: PACKAGES,
  rounds: ROUNDS,
  many: medians(times.many),
  one: medians(times.one),
  start: medians(times.start),
  socket: stats,
  runsMs: times,
  loadAverage: loadavg(),
};
if (summary.many.native) {
  summary.ratios = {
    manyUpip: summary.many.upip / summary.many.native,
    manyMpyInstall: summary.many.mpyInstall / summary.many.native,
    oneUpip: summary.one.upip / summary.one.native,
    oneMpyInstall: summary.one.mpyInstall / summary.one.native,
  };
}
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const line = (group) =>
  Object.entries(summary[group])
    .map(([k, ms]) => `${installers[k].name} ${fmt(ms)}${summary.many.native ? ` (${(ms / summary[group].native).toFixed(2)}x)` : ''}`)
    .join('; ');
console.log(`ran: ${upip.kind}; ${NATIVE ? `native ${NATIVE}` : 'no native row (set MPY_NATIVE)'}; medians of ${ROUNDS} rounds`);
console.log(`install ${PACKAGES} packages, one command: ${line('many')}`);
console.log(`install 1 package, cold process: ${line('one')}`);
console.log(
  `start-up: mpy -c pass ${fmt(summary.start.mpyStart)}${NATIVE ? `, micropython -c pass ${fmt(summary.start.nativeStart)}` : ''}; ` +
    `upip in mpy per package: ${((summary.many.upip - summary.start.mpyStart) / PACKAGES).toFixed(1)} ms`,
);
if (stats)
  console.log(
    `network crossings for ${PACKAGES} packages: ${stats.readCrossings} for reads, ${stats.crossings} in all; ` +
      `${stats.bytesReceived} bytes received`,
  );
if (process.env.MPY_BENCH_JSON) writeFileSync(process.env.MPY_BENCH_JSON, JSON.stringify(summary, null, 2));
await worker.terminate();
rmSync(root, { recursive: true, force: true });
