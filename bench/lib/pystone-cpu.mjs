// pystone_lowmem by CPU time, against the native Unix port: what the
// interpreter's code costs per pystone, independent of how busy the machine
// is (wall-clock rates on a shared machine swing by 2x; CPU time much less).
// Rounds are interleaved (native, then each mpy variant, then again); each
// figure is the median over rounds, each ratio the median of the per-round
// ratios.
//
// - native: the Unix port's whole process CPU time (bash's `time`) for
//   `loops * calls` pystones, minus that of a process that only imports the
//   module;
// - mpy: a child process (pystone-cpu-child.mjs) with the interpreter on its
//   main thread, after warm-up calls (so that TurboFan's code runs), the
//   median CPU time of its timed calls;
// - the mpy variants: the shipped wasm with the `mpy` command's V8 flags; the
//   same without V8's wasm inlining; a build with plain `-O3` (no inlined
//   setjmp trampolines, no direct calls: the build before this tuning).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { skipped } from './report.mjs';

const CHILD = fileURLToPath(new URL('./pystone-cpu-child.mjs', import.meta.url));
const DIST = new URL('../../dist/', import.meta.url);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The interpreter wasm built with binaryen's plain `-O3` (with in-run GC and interrupt support, as shipped). */
async function buildPlainO3Wasm() {
  const { optimiseInterpreterWasm } = await import(new URL('wasm/build/optimise.js', DIST).href);
  const { makeMemoryShared, appendCustomSection } = await import(new URL('wasm/build/shared-memory.js', DIST).href);
  const { INTERRUPT_SECTION } = await import(new URL('wasm/interrupt-layout.js', DIST).href);
  const { locateInterpreter } = await import(new URL('wasm/locate.js', DIST).href);
  const original = new Uint8Array(readFileSync(locateInterpreter().wasm));
  const built = await optimiseInterpreterWasm(original, true, { directCalls: false, flexibleInlineMaxSize: 20 });
  if ('problem' in built.interrupt) throw new Error(built.interrupt.problem);
  const layout = new TextEncoder().encode(JSON.stringify(built.interrupt));
  const dir = mkdtempSync(join(tmpdir(), 'mpy-bench-wasm-'));
  const path = join(dir, 'micropython.plain-o3.wasm');
  writeFileSync(path, appendCustomSection(makeMemoryShared(built.bytes), INTERRUPT_SECTION, layout));
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function nativeCpuSeconds(native, env, code) {
  const r = spawnSync('bash', ['-c', 'TIMEFORMAT="%3U %3S"; time "$0" -c "$1" >/dev/null', native, code], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`native micropython failed: ${r.stderr}`);
  const [user, sys] = r.stderr.trim().split('\n').pop().split(/\s+/).map(Number);
  return user + sys;
}

function mpyCpuMs(wasm, flags, source, loops, calls) {
  const r = spawnSync(process.execPath, [CHILD, wasm, flags, String(loops), String(calls), String(calls)], {
    input: source,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`pystone child failed: ${r.stderr}`);
  return median(JSON.parse(r.stdout).cpuMs);
}

/**
 * The pystone CPU-time rows.
 * @param {{sizes: import('./sizes.mjs').Sizes, tools: {native?: string, pystone?: {path: string, source: string}}}} options
 */
export async function pystoneCpuRows({ sizes, tools }) {
  const ids = ['cpu-vs-native', 'vs-no-wasm-inlining', 'vs-plain-o3'];
  const label = 'pystone_lowmem, CPU time';
  if (!tools.pystone) return ids.map((id) => skipped(`pystone.${id}`, label, 'pystone_lowmem not installed'));
  const { loops, calls, rounds } = sizes.pystoneCpu;
  const plain = sizes.pystoneCpu.plainO3 ? await buildPlainO3Wasm() : undefined;
  try {
    const variants = { mpy: ['optimised', 'cli-flags'], 'no-wasm-inlining': ['optimised', 'no-wasm-inlining'] };
    if (plain) variants['plain-o3'] = [plain.path, 'cli-flags'];
    const ms = Object.fromEntries(['native', ...Object.keys(variants)].map((k) => [k, []]));
    const env = { ...process.env, MICROPYPATH: join(tools.pystone.path, '..') };
    for (let r = 0; r < rounds; r++) {
      if (tools.native) {
        const run = nativeCpuSeconds(tools.native, env, `import pystone_lowmem as p\nfor _ in range(${calls}): p.pystones(${loops})`);
        const start = nativeCpuSeconds(tools.native, env, 'import pystone_lowmem');
        ms.native.push(((run - start) * 1000) / calls);
      }
      for (const [k, [wasm, flags]] of Object.entries(variants)) ms[k].push(mpyCpuMs(wasm, flags, tools.pystone.source, loops, calls));
    }
    const rate = (k) => loops / (median(ms[k]) / 1000);
    const ratio = (k) => median(ms.mpy.map((m, i) => ms[k][i] / m));
    const row = (id, k, baselineName, target) => ({
      id: `pystone.${id}`,
      benchmark: `${label} (${loops} loops, median of ${calls} calls, ${rounds} rounds)`,
      status: 'ok',
      mpy: `${Math.round(rate('mpy')).toLocaleString('en-US')} pystones/CPU-s`,
      baseline: `${Math.round(rate(k)).toLocaleString('en-US')} pystones/CPU-s`,
      baselineName,
      ratio: ratio(k),
      ratioMeaning: 'faster',
      target,
      note: 'median of per-round ratios; CPU time, in process after warm-up',
      data: { msPerCall: ms, loops },
    });
    return [
      tools.native
        ? row('cpu-vs-native', 'native', 'native micropython (process CPU time)', '≥0.75x')
        : skipped('pystone.cpu-vs-native', label, 'MPY_NATIVE does not name a working micropython binary'),
      row('vs-no-wasm-inlining', 'no-wasm-inlining', 'mpy without V8 wasm inlining'),
      plain
        ? row('vs-plain-o3', 'plain-o3', 'mpy wasm built with plain -O3')
        : skipped('pystone.vs-plain-o3', label, 'not built at this size (--quick, --smoke)'),
    ];
  } finally {
    plain?.remove();
  }
}
