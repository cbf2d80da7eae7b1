// Start-up of the `mpy` command as whole processes, each figure a ratio to a
// reference measured in the same run (commands interleaved round by round,
// medians): `mpy -c pass` wall time and peak RSS against `node -e 0` and
// against a node process that starts an empty worker thread and waits for it
// (the floor of any design that runs the interpreter in a worker); a cold
// `mpy install` of one package (no download cache) and a cold in-wasm upip
// install of one package, from a local index, against `mpy -c pass`.
// Also, to show what is left: `mpy -c pass` with V8 flags that change the wasm
// compile (Liftoff only), as extra rows against the same references; and what
// the bundles save: `mpy -c pass` with each thread importing its ES modules
// (MPY_NO_BUNDLE=1) instead of running its bundle from the code cache; what
// the CommonJS executable saves: the same command started from the ES module
// entry (`node dist/host/cli/main.js`, Node's ES module loader in the main
// thread); what the compiled boot modules save: the boot compiling their
// sources (MPY_NO_COMPILED_BOOT=1, which also boots without the boot image,
// captured with them); what the boot image saves: the boot run instead
// (MPY_NO_BOOT_IMAGE=1, runtime/boot-image.ts).
//
// MPY_BENCH_BASELINE_CLI=/path/to/another/checkout/dist/host/cli/bin.cjs (or main.js) adds
// that build's `mpy -c pass` as a reference (before/after a change).
//
// Peak RSS is the child's own maximum resident set (GNU time's %M, so the exit
// and its teardown are included), CPU its user + system time (all threads:
// steadier than wall time on a shared machine); without /usr/bin/time neither
// is reported.
//
//   npx tsc -p . && node bench/startup.bench.mjs        (ROUNDS=N, default 15; 5 with MPY_BENCH_QUICK=1)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { writeTar } from '../dist/host/pkg/tar-writer.js';
import { gzipSmallWindow } from '../dist/host/pkg/gzip-writer.js';
import { upipCacheDir } from '../dist/host/upip/cache-dir.js';
import { requireBuilt } from './lib/paths.mjs';

await requireBuilt();

const QUICK = process.env.MPY_BENCH_QUICK === '1';
const ROUNDS = Number(process.env.ROUNDS ?? (QUICK ? 5 : 15));
const MPY = fileURLToPath(new URL('../dist/host/cli/bin.cjs', import.meta.url));
const MPY_ESM = fileURLToPath(new URL('../dist/host/cli/main.js', import.meta.url));
const STAND_IN = fileURLToPath(new URL('../test/fixtures/net/upip_conformance.py', import.meta.url));
const GNU_TIME = '/usr/bin/time';
const hasGnuTime = spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0;

const root = mkdtempSync(join(tmpdir(), 'mpy-startup-bench-'));
const indexDir = join(root, 'index');
mkdirSync(indexDir);

// One small package in upip's distribution layout (a module of ~2 KiB).
const PACKAGE = 'micropython-startup1';
{
  const enc = new TextEncoder();
  const top = `${PACKAGE}-1.0`;
  const info = enc.encode(`Metadata-Version: 1.0\nName: ${PACKAGE}\nVersion: 1.0\n`);
  const module = Array.from({ length: 80 }, (_, n) => `v${n} = ${(n * 2654435761) % 1000003}\n`).join('');
  const files = [
    { path: `${top}/PKG-INFO`, data: info },
    { path: `${top}/${PACKAGE}.egg-info/PKG-INFO`, data: info },
    { path: `${top}/startup1.py`, data: enc.encode(module) },
  ];
  writeFileSync(join(indexDir, `${top}.tar.gz`), gzipSmallWindow(writeTar(files)));
}

// The index runs in a worker thread so this thread can wait on child processes.
const server = new Worker(
  `const { parentPort, workerData } = require('node:worker_threads');
   import(workerData.module).then(async ({ startIndexServer }) => {
     const s = await startIndexServer({ dir: workerData.dir, port: 0 });
     parentPort.postMessage(s.indexUrl);
   });`,
  { eval: true, workerData: { module: new URL('../dist/host/index/server.js', import.meta.url).href, dir: indexDir } },
);
const index = await new Promise((ok, ko) => server.once('message', ok).once('error', ko));

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

let targets = 0;
const freshTarget = () => join(root, `target${targets++}`);
const installed = (target) => existsSync(join(target, 'startup1.py'));

const EMPTY_WORKER = "const { Worker } = require('node:worker_threads'); new Worker('', { eval: true });";

/**
 * Each command: argv and env, or `prepare` making a fresh target and returning them with a check run
 * after the command (`reports`: it writes its progress to stderr).
 */
const commands = {
  node: { argv: [process.execPath, '-e', '0'] },
  'empty-worker': { argv: [process.execPath, '-e', EMPTY_WORKER] },
  'mpy-c-pass': { argv: [process.execPath, MPY, '-c', 'pass'] },
  'mpy-c-pass-modules': { argv: [process.execPath, MPY, '-c', 'pass'], env: { MPY_NO_BUNDLE: '1' } },
  'mpy-c-pass-esm-entry': { argv: [process.execPath, MPY_ESM, '-c', 'pass'] },
  'mpy-c-pass-boot-sources': { argv: [process.execPath, MPY, '-c', 'pass'], env: { MPY_NO_COMPILED_BOOT: '1' } },
  'mpy-c-pass-no-boot-image': { argv: [process.execPath, MPY, '-c', 'pass'], env: { MPY_NO_BOOT_IMAGE: '1' } },
  'mpy-c-pass-liftoff-only': { argv: [process.execPath, '--liftoff-only', MPY, '-c', 'pass'] },
  ...(process.env.MPY_BENCH_BASELINE_CLI
    ? { 'baseline-c-pass': { argv: [process.execPath, process.env.MPY_BENCH_BASELINE_CLI, '-c', 'pass'] } }
    : {}),
  'mpy-install-1': {
    prepare() {
      const target = freshTarget();
      const argv = [process.execPath, MPY, 'install', '--no-cache', '-p', target, '-i', index, PACKAGE];
      return { argv, check: () => installed(target), reports: true };
    },
  },
  'upip-install-1': {
    prepare() {
      const target = freshTarget();
      mkdirSync(target);
      const code = [
        'import sys',
        `sys.argv[:] = ["upip", "install", "-p", ${JSON.stringify(target)}, ${JSON.stringify(PACKAGE)}]`,
        'try:',
        upip.module === 'upip' ? '    import upip; upip.main()' : `    exec(open(${JSON.stringify(STAND_IN)}).read())`,
        'except SystemExit as e:',
        '    if e.args and e.args[0]: raise',
      ].join('\n');
      return {
        argv: [process.execPath, MPY, '-c', code],
        env: { MICROPYPATH: `${upip.dir}:${join(root, 'nothing')}`, MPY_INDEX_URL: index },
        check: () => installed(target),
      };
    },
  },
};

function runOnce(name) {
  const c = commands[name];
  const { argv, env, check, reports } = c.prepare ? c.prepare() : c;
  const wrapped = hasGnuTime ? [GNU_TIME, '-f', 'mpy-bench-rss-kb %M %U %S', ...argv] : argv;
  const start = process.hrtime.bigint();
  const r = spawnSync(wrapped[0], wrapped.slice(1), { env: { ...process.env, ...env }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const stderr = (r.stderr ?? '').replace(/mpy-bench-rss-kb .*\n?/, '');
  if (r.status !== 0 || (!reports && stderr.trim() !== '') || (check && !check())) {
    throw new Error(`${name} failed (status ${r.status}): ${stderr}${r.stdout}`);
  }
  const usage = /mpy-bench-rss-kb (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  return {
    ms,
    rssKb: usage ? Number(usage[1]) : Number.NaN,
    cpuMs: usage ? (Number(usage[2]) + Number(usage[3])) * 1000 : Number.NaN,
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const runs = Object.fromEntries(Object.keys(commands).map((k) => [k, { ms: [], rssKb: [], cpuMs: [] }]));
for (let round = -1; round < ROUNDS; round++) {
  for (const name of Object.keys(commands)) {
    const r = runOnce(name);
    if (round < 0) continue; // warm-up: fills the OS file cache
    runs[name].ms.push(r.ms);
    runs[name].rssKb.push(r.rssKb);
    runs[name].cpuMs.push(r.cpuMs);
  }
}
const med = Object.fromEntries(
  Object.entries(runs).map(([k, v]) => [k, { ms: median(v.ms), rssMb: median(v.rssKb) / 1024, cpuMs: median(v.cpuMs) }]),
);

const rows = [];
const row = (what, name, ref) => {
  const m = med[name];
  const b = med[ref];
  rows.push({
    row: `${what} vs ${ref}`,
    'mpy ms': m.ms.toFixed(0),
    'ref ms': b.ms.toFixed(0),
    'time ratio': (m.ms / b.ms).toFixed(2),
    'CPU ratio': (m.cpuMs / b.cpuMs).toFixed(2),
    'mpy MB': m.rssMb.toFixed(1),
    'ref MB': b.rssMb.toFixed(1),
    'RSS ratio': (m.rssMb / b.rssMb).toFixed(2),
  });
};
row('mpy -c pass', 'mpy-c-pass', 'node');
row('mpy -c pass', 'mpy-c-pass', 'empty-worker');
row('empty worker', 'empty-worker', 'node');
row('mpy -c pass', 'mpy-c-pass', 'mpy-c-pass-modules');
row('mpy -c pass', 'mpy-c-pass', 'mpy-c-pass-esm-entry');
row('mpy -c pass', 'mpy-c-pass', 'mpy-c-pass-boot-sources');
row('mpy -c pass', 'mpy-c-pass', 'mpy-c-pass-no-boot-image');
row('mpy -c pass, --liftoff-only', 'mpy-c-pass-liftoff-only', 'mpy-c-pass');
if (med['baseline-c-pass']) row('mpy -c pass', 'mpy-c-pass', 'baseline-c-pass');
row('mpy install 1 package, cold', 'mpy-install-1', 'mpy-c-pass');
row('upip install 1 package, cold', 'upip-install-1', 'mpy-c-pass');
console.table(rows);
console.log(`medians of ${ROUNDS} interleaved rounds; upip: ${upip.kind}; peak RSS ${hasGnuTime ? 'from GNU time' : 'not measured'}`);
console.log(
  `mpy -c pass: ${(med['mpy-c-pass'].ms / med.node.ms).toFixed(2)}x node -e 0 (goal ≤1.3x), ` +
    `${med['mpy-c-pass'].rssMb.toFixed(1)} MB peak RSS (goal ≤45 MB)`,
);
if (process.env.MPY_BENCH_JSON)
  writeFileSync(process.env.MPY_BENCH_JSON, JSON.stringify({ rounds: ROUNDS, upip: upip.kind, medians: med, runs }, null, 2));
await server.terminate();
rmSync(root, { recursive: true, force: true });
