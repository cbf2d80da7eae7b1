// `mpy compile` against native mpy-cross, as whole commands, in one run.
//
// The corpus is micropython-lib's .py files (MPY_COMPILE_CORPUS, default
// /tmp/micropython/lib/micropython-lib when present; else a generated tree),
// in sets of 163 and 1,630 modules (the big set repeats the corpus in
// numbered copies). Each round times `mpy compile SET -o OUT` (node
// dist/host/cli/bin.cjs: process start, planning, compiling, writing) and,
// when MPY_NATIVE_CROSS names a native mpy-cross, `find SET -name '*.py' |
// xargs -P2 -n1 mpy-cross` on a fresh copy of the set (2 jobs, .mpy beside
// each source), alternating which goes first. Medians of files/s and the
// median of the per-round ratios are printed. Without --quick the small set
// is also compiled with `-j 1` (the command's thread alone) and `-j 2` (a
// worker joins it): the default picks between them by the cores idle at the
// start, and these rows show what each would have given. Native mpy-cross is MicroPython
// 1.27's, mpy's is 1.19's (@pybricks/mpy-cross-v6): a few sources with newer
// syntax fail on mpy's; every file counts as processed either way. Both sides
// run with NODE_EXTRA_CA_CERTS unset: node reads that bundle at every start
// (~85 ms where it is set globally), which is node's cost, not the compile's.
//
//   MPY_NATIVE_CROSS=/tmp/micropython/mpy-cross/build/mpy-cross node bench/compile-native.bench.mjs [ROUNDS]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const QUICK = process.env.MPY_BENCH_QUICK === '1';
const ROUNDS = Number(process.argv[2] ?? (QUICK ? 1 : 5));
const SIZES = [163, 1630];
/** Extra `mpy compile` variants timed on the small set (not with --quick). */
const VARIANTS = QUICK
  ? []
  : [
      ['j1', ['-j', '1']],
      ['j2', ['-j', '2']],
    ];
const MPY = fileURLToPath(new URL('../dist/host/cli/bin.cjs', import.meta.url));
const NATIVE = process.env.MPY_NATIVE_CROSS;
const DEFAULT_CORPUS = '/tmp/micropython/lib/micropython-lib';

function pyFiles(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) pyFiles(p, out);
    else if (e.name.endsWith('.py')) out.push(p);
  }
  return out.sort();
}

// Used when no micropython-lib checkout is around: modules of about 40 lines.
function generatedCorpus(root) {
  for (let i = 0; i < 200; i++) {
    const lines = [`"""Module ${i}."""`, 'import math', ''];
    for (let f = 0; f < 6; f++) {
      lines.push(`class K${f}:`, `    R = ${f}.5`, '    def __init__(self, v):', '        self.v = v', '    def go(self, xs):');
      lines.push(`        return [x * self.R for x in xs if x % ${f + 2}], {str(k): k for k in xs}`, '');
    }
    mkdirSync(join(root, `p${i % 8}`), { recursive: true });
    writeFileSync(join(root, `p${i % 8}`, `m${i}.py`), lines.join('\n'));
  }
  return root;
}

function makeSet(files, base, n, dest) {
  for (let i = 0; i < n; i++) {
    const f = files[i % files.length];
    const target = join(dest, `copy${Math.floor(i / files.length)}`, relative(base, f));
    mkdirSync(join(target, '..'), { recursive: true });
    cpSync(f, target);
  }
}

/** The environment both sides run in: this one without NODE_EXTRA_CA_CERTS. */
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_EXTRA_CA_CERTS'));

function timed(argv, options) {
  const t = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: ENV, ...options });
  const ms = performance.now() - t;
  if (r.error || (r.status !== 0 && r.status !== 1) || r.signal)
    throw new Error(`${argv.join(' ')}: ${r.error ?? `status ${r.status}`} ${r.stderr?.slice(-300)}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const dir = mkdtempSync(join(tmpdir(), 'mpy-compile-native-'));
try {
  const corpusDir =
    process.env.MPY_COMPILE_CORPUS ?? (existsSync(DEFAULT_CORPUS) ? DEFAULT_CORPUS : generatedCorpus(join(dir, 'generated')));
  const files = pyFiles(corpusDir);
  console.log(
    `mpy compile vs ${NATIVE ? `native mpy-cross (${NATIVE}, xargs -P2)` : 'nothing (set MPY_NATIVE_CROSS for the native rows)'}; ` +
      `corpus ${corpusDir} (${files.length} .py); ${ROUNDS} rounds, ${availableParallelism()} CPUs, load ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}; NODE_EXTRA_CA_CERTS unset for both`,
  );
  const json = {};
  for (const n of SIZES) {
    const set = join(dir, `set${n}`);
    makeSet(files, corpusDir, n, set);
    const variants = n === SIZES[0] ? VARIANTS : [];
    const rate = { mpy: [], native: [], ...Object.fromEntries(variants.map(([name]) => [name, []])) };
    // One untimed run fills the OS file cache (with --quick, the first set's run does it for both).
    if (!QUICK || n === SIZES[0]) {
      timed([process.execPath, MPY, 'compile', set, '-o', join(dir, 'warm')]);
      rmSync(join(dir, 'warm'), { recursive: true, force: true });
    }
    for (let r = 0; r < ROUNDS; r++) {
      const order = ['mpy', 'native', ...variants.map(([name]) => name)];
      if (r % 2) order.reverse();
      for (const who of order) {
        if (who === 'native') {
          if (!NATIVE) continue;
          const copy = join(dir, 'native');
          cpSync(set, copy, { recursive: true });
          rate.native.push(n / (timed(['sh', '-c', `find "${copy}" -name '*.py' | xargs -P2 -n1 "${NATIVE}"`]) / 1000));
          rmSync(copy, { recursive: true, force: true });
        } else {
          const out = join(dir, 'out');
          const extra = variants.find(([name]) => name === who)?.[1] ?? [];
          rate[who].push(n / (timed([process.execPath, MPY, 'compile', set, '-o', out, ...extra]) / 1000));
          rmSync(out, { recursive: true, force: true });
        }
      }
    }
    const row = { files: n, mpyFilesPerSecond: median(rate.mpy), rounds: rate };
    let line = `  ${String(n).padStart(5)} modules: mpy ${row.mpyFilesPerSecond.toFixed(0)} files/s`;
    if (NATIVE) {
      row.nativeFilesPerSecond = median(rate.native);
      row.ratio = median(rate.mpy.map((m, i) => m / rate.native[i]));
      line += `, native ${row.nativeFilesPerSecond.toFixed(0)} files/s: ${row.ratio.toFixed(2)}x native (median of per-round ratios)`;
    }
    console.log(line);
    for (const [name, args] of variants) {
      row[`${name}FilesPerSecond`] = median(rate[name]);
      let v = `      mpy compile ${args.join(' ')}: ${row[`${name}FilesPerSecond`].toFixed(0)} files/s`;
      if (NATIVE) {
        row[`${name}Ratio`] = median(rate[name].map((m, i) => m / rate.native[i]));
        v += `: ${row[`${name}Ratio`].toFixed(2)}x native`;
      }
      console.log(v);
    }
    json[n] = row;
    rmSync(set, { recursive: true, force: true });
  }
  if (process.env.MPY_BENCH_JSON) writeFileSync(process.env.MPY_BENCH_JSON, JSON.stringify(json));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
