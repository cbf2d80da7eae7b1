// `mpy index build` of a micropython-lib-sized tree of manifest.py packages:
// 150 packages (450 modules of about 3 KB, 3 per package; most require() one
// of ten base packages in the tree, as micropython-lib's do, and one outside it), built by the real CLI into index v2 and timed
// whole (process start, manifest evaluation in the sandboxed instance,
// compiling on the pool, writing). With MPY_BENCH_MICROPYTHON_LIB (or a
// checkout at /tmp/micropython/lib/micropython-lib), that tree is timed too.
//
//   npx tsc -p . && node bench/index-build.bench.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MPY = fileURLToPath(new URL('../dist/host/cli/bin.cjs', import.meta.url));
const QUICK = process.env.MPY_BENCH_QUICK === '1';
const ROUNDS = QUICK ? 1 : 3;
const PACKAGES = 150;
const LIB = process.env.MPY_BENCH_MICROPYTHON_LIB ?? '/tmp/micropython/lib/micropython-lib';

const dir = mkdtempSync(join(tmpdir(), 'mpy-index-bench-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function module(n, k) {
  const lines = [`# module ${n}.${k}`, 'import sys', '', `class Thing${k}:`, '    def __init__(self, x):', '        self.x = x', ''];
  for (let f = 0; f < 25; f++)
    lines.push(
      `def f${f}(a, b=${f}):`,
      `    if a > ${(n * 31 + f) % 97}:`,
      `        return [a * i for i in range(b)]`,
      `    return {"a": a, "b": b, "s": "${(n * k * 7919 + f).toString(36)}"}`,
      '',
    );
  return `${lines.join('\n')}\n`;
}

function writeTree(root) {
  for (let n = 0; n < PACKAGES; n++) {
    const pkg = join(root, n % 3 === 0 ? 'micropython' : 'python-stdlib', `pkg${n}`);
    mkdirSync(join(pkg, `pkg${n}`), { recursive: true });
    // As in micropython-lib: most packages require one or two common ones.
    const requires = n >= 10 ? `require("pkg${n % 10}")\n` : '';
    writeFileSync(
      join(pkg, 'manifest.py'),
      `metadata(version="1.${n}.0", description="bench package ${n}")\n${requires}require("external${n % 5}")\npackage("pkg${n}", opt=${n % 4})\n`,
    );
    for (let k = 0; k < 3; k++) writeFileSync(join(pkg, `pkg${n}`, k === 0 ? '__init__.py' : `m${k}.py`), module(n, k));
  }
}

function build(source, out) {
  const start = performance.now();
  const r = spawnSync(process.execPath, [MPY, 'index', 'build', source, '-o', out], { encoding: 'utf8' });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`mpy index build ${source} failed: ${r.stderr}`);
  rmSync(out, { recursive: true, force: true });
  return { ms, summary: r.stdout.trim() };
}

try {
  const tree = join(dir, 'tree');
  writeTree(tree);
  const results = {};
  const runs = [['synthetic', tree]];
  if (existsSync(join(LIB, 'micropython', 'mip', 'manifest.py'))) runs.push(['micropython-lib', LIB]);
  console.log(
    `mpy index build: ${ROUNDS} rounds (median), ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}`,
  );
  for (const [name, source] of runs) {
    const rounds = [];
    let summary = '';
    for (let r = 0; r < ROUNDS; r++) {
      const b = build(source, join(dir, `out-${name}-${r}`));
      rounds.push(b.ms);
      summary = b.summary;
    }
    results[name] = { ms: median(rounds), rounds };
    console.log(
      `  ${name.padEnd(16)}${(median(rounds) / 1000).toFixed(2)} s   (rounds: ${rounds.map((x) => (x / 1000).toFixed(2)).join(', ')} s)   ${summary}`,
    );
  }
  if (process.env.MPY_BENCH_JSON) writeFileSync(process.env.MPY_BENCH_JSON, JSON.stringify({ packages: PACKAGES, results }, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
