import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BytecodeCompiler, type CompileOutcome } from '../host/compile/bytecode-compiler.js';
import { compileTree } from '../host/compile/compile-tree.js';
import { idleCores } from '../host/compile/idle-cores.js';
import { exactFloatExpression } from '../host/compile/exact-float.js';
import { readMpyConstants } from '../host/compile/mpy-constants.js';
import { heapLadder, MpyCross } from '../host/compile/mpy-cross.js';
import { PlanError } from '../host/compile/plan.js';
import { findNumberLiterals } from '../host/compile/python-numbers.js';
import { renderResourceModule } from '../host/pkg/resource-module.js';
import { ensureDist } from './helpers/dist.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';
import { runMpy } from './helpers/cli.js';
import { runMpyInPty } from './helpers/pty.js';
import { loadRawInterpreter, type RawInterpreter } from './helpers/raw-interpreter.js';

const PKG_RESOURCES = readFileSync(new URL('../runtime/lib/pkg_resources.py', import.meta.url), 'utf8');

function mpyOf(outcome: CompileOutcome): Uint8Array {
  if (!outcome.ok) throw new Error(`compile failed: ${outcome.line}: ${outcome.message}`);
  return outcome.mpy;
}

function writeTree(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

/** A generated corpus: a package tree of modules that import each other, plus data files. */
function corpus(modules: number): Record<string, string> {
  const files: Record<string, string> = { 'app/__init__.py': 'NAME = "app"\n', 'app/data/table.csv': 'a,b\n1,2\n', 'README.txt': 'hi\n' };
  for (let i = 0; i < modules; i++) {
    const pkg = `app/p${i % 5}`;
    files[`${pkg}/__init__.py`] = '';
    files[`${pkg}/m${i}.py`] = [
      `"""Module ${i}."""`,
      'from app import NAME',
      `K = ${i}`,
      `class C${i}:`,
      '    def __init__(self, v):',
      '        self.v = v',
      '    def total(self, n):',
      '        return sum(self.v * k for k in range(n)) + K',
      `def f(x, scale=${i}.25):`,
      `    return [x * scale, {"k": K, "s": "${'x'.repeat(i % 7)}"}, (1, 2.5, None)]`,
      '',
    ].join('\n');
  }
  return files;
}

let mp: RawInterpreter;
let compiler: BytecodeCompiler;
const dirs: string[] = [];
const mk = (): string => {
  const d = tempDir('mpy-compile-');
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  mp = await loadRawInterpreter();
  mp.run("import sys\nsys.path.append('/lib')\nsys.path.append('/usr/lib/micropython')");
  mp.writeFile('/usr/lib/micropython/pkg_resources.py', PKG_RESOURCES);
  compiler = await BytecodeCompiler.load();
});
afterAll(() => dirs.forEach(removeDir));

describe('finding float literals', () => {
  it('finds floats and imaginaries in code and f-string fields, not in strings, comments or names', () => {
    const src = [
      'x1 = 1.5 + .5 + 5. + 1e3 + 2E-3 + 1_0.0_1 + 3j + 0x1e5 + 10 + 0o7 + 0b1',
      "s = '1.5' + \"2.5\" + r'3.5\\'' + b'4.5'  # 5.5",
      '"""6.5',
      '7.5"""',
      'f = f\'{8.5} {{9.5}} {y:.2f} {z!r:>{10.5}}\' + rf"{11.5}"',
      'obj.attr2 = x[1.25:]',
    ].join('\n');
    expect(findNumberLiterals(src).map((l) => `${l.text}@${l.line}${l.imaginary ? 'j' : ''}`)).toEqual([
      '1.5@1',
      '.5@1',
      '5.@1',
      '1e3@1',
      '2E-3@1',
      '1_0.0_1@1',
      '3j@1j',
      '8.5@5',
      '10.5@5',
      '11.5@5',
      '1.25@6',
    ]);
    const lit = findNumberLiterals('a = 0.25\n')[0]!;
    expect([lit.start, lit.end]).toEqual([4, 8]);
  });
});

describe('reading .mpy constants', () => {
  it('lists the constant table with the stored text of numbers', async () => {
    const mpy = mpyOf(
      await compiler.compile('a = "str"\nb = b"by"\nc = 123456789012345678901234567890\nd = 1.5\ne = 2.5j\nf = ...\n', { name: 'k.py' }),
    );
    // Short strings are qstrs, not constants.
    expect(readMpyConstants(mpy)).toEqual([
      { kind: 'bytes', text: undefined },
      { kind: 'int', text: '123456789012345678901234567890' },
      { kind: 'float', text: '1.5' },
      { kind: 'complex', text: '2.5j' },
      { kind: 'ellipsis', text: undefined },
    ]);
  });
});

describe('float literals stay exact', () => {
  const hexOf = (x: number): string => Buffer.from(new Float64Array([x]).buffer).toString('hex');

  it('the trap is real: bare mpy-cross turns 0.9999999999999999 into 1.0', async () => {
    const cross = await MpyCross.load();
    const r = await cross.run('trap.py', new TextEncoder().encode('X = 0.9999999999999999\n'));
    expect(readMpyConstants(r.output!).find((c) => c.kind === 'float')!.text).toBe('1.0');
  });

  it('and no digit rule predicts it: 834.25103 round-trips through 16 digits, yet mpy-cross changes it', async () => {
    const x = 834.25103;
    expect(Number(x.toPrecision(16))).toBe(x);
    const cross = await MpyCross.load();
    const r = await cross.run('trap.py', new TextEncoder().encode(`X = ${x}\n`));
    const stored = Number(readMpyConstants(r.output!).find((c) => c.kind === 'float')!.text);
    expect(stored).not.toBe(x);
    expect(Math.abs(stored - x)).toBeLessThan(1e-12);
  });

  it('compiled code computes exactly what its source computes (named traps and 600 random doubles)', async () => {
    const named = [
      '0.9999999999999999',
      '834.25103',
      '1e23',
      '5e-324',
      '2.2250738585072014e-308',
      '1.7976931348623157e308',
      '0.1',
      '1e-310',
      '123456.789e-20',
    ];
    const random: string[] = [];
    const words = new Uint32Array(2);
    // A float literal even when JS writes an integral double without a point (837299944302501800000):
    // as an int literal Python would convert it, truncating, which is not what this test is about.
    const floatLiteral = (x: number): string => {
      const text = String(x).replace('e+', 'e');
      return /[.e]/.test(text) ? text : `${text}.0`;
    };
    while (random.length < 600) {
      crypto.getRandomValues(words);
      const x = Math.abs(new Float64Array(words.buffer)[0]!);
      if (Number.isFinite(x)) random.push(floatLiteral(x));
      random.push(floatLiteral(Math.random() * 10 ** ((random.length % 30) - 15)));
    }
    random.push(floatLiteral(837299944302501800000));
    const literals = [...named, ...random];
    const body = literals.map((l, i) => `    L.append(${l})${i % 7 === 0 ? `; I.append(${l}j)` : ''}`).join('\n');
    const src = [
      'import struct',
      'L = []',
      'I = [0.9999999999999999j, 1e23j]',
      'def fill():',
      body,
      'fill()',
      "S = f'{0.9999999999999999}|{2.5j}|{0.9999999999999999j}'",
      "H = [struct.pack('<d', x).hex() for x in L]",
      "HI = [struct.pack('<d', z.imag).hex() + struct.pack('<d', z.real).hex() for z in I]",
      '',
    ].join('\n');
    const outcome = await compiler.compile(src, { name: 'floats.py' });
    const mpy = mpyOf(outcome);
    expect(outcome.ok && outcome.rewrites.some((r) => r.literal === '0.9999999999999999' && r.line === 5)).toBe(true);
    mp.writeFile('/lib/floats_src.py', src);
    mp.writeFile('/lib/floats_mpy.mpy', mpy);
    const out = mp.run(
      [
        'import json, floats_src, floats_mpy',
        'print(json.dumps([floats_src.H, floats_mpy.H, floats_src.S, floats_mpy.S, floats_src.HI, floats_mpy.HI]))',
      ].join('\n'),
    );
    const [srcH, mpyH, srcS, mpyS, srcI, mpyI] = JSON.parse(out) as [string[], string[], string, string, string[], string[]];
    expect(srcH).toEqual(literals.map((l) => hexOf(Number(l.replace(/_/g, '')))));
    expect(mpyH).toEqual(srcH);
    expect(mpyS).toBe(srcS);
    expect(mpyI).toEqual(srcI);
  });

  it('writes the exact expression with integers only', () => {
    expect(exactFloatExpression(0.9999999999999999)).toBe('(9007199254740991 / 9007199254740992)');
    expect(exactFloatExpression(0)).toBe('(0 / 1)');
    expect(exactFloatExpression(1e23)).toBe('(99999999999999991611392 / 1)');
    expect(exactFloatExpression(5e-324)).toMatch(/^\(1 \/ \d+ \/ \d+\)$/);
    expect(() => exactFloatExpression(Infinity)).toThrow(RangeError);
  });
});

describe('BytecodeCompiler', () => {
  it('reports syntax errors with their line', async () => {
    expect(await compiler.compile('x = 1\n\ndef f(:\n    pass\n', { name: 'bad.py' })).toEqual({
      ok: false,
      line: 3,
      message: 'SyntaxError: invalid syntax',
    });
    expect(await compiler.compile(new Uint8Array([0x78, 0x3d, 0xff, 0x0a]), { name: 'bin.py' })).toMatchObject({
      ok: false,
      message: /not valid UTF-8/,
    });
  });

  it('stores the source name and honours -O', async () => {
    mp.writeFile('/lib/opt/__init__.py', '');
    const src = 'def f():\n    assert False, "kept"\n    return 1\n';
    mp.writeFile('/lib/opt/o0.mpy', mpyOf(await compiler.compile(src, { name: 'opt/o0.py' })));
    mp.writeFile('/lib/opt/o1.mpy', mpyOf(await compiler.compile(src, { name: 'opt/o1.py', optimize: 1 })));
    const out = mp.run(
      [
        'import opt.o0, opt.o1',
        'print(opt.o1.f())',
        'try:',
        '    opt.o0.f()',
        'except AssertionError as e:',
        '    import sys',
        '    sys.print_exception(e)',
      ].join('\n'),
    );
    expect(out).toContain('1\n');
    expect(out).toContain('File "opt/o0.py", line 2, in f');
  });

  it('recycles its instance: 120 files in one thread, none aborts, no process listeners left', async () => {
    const listeners = process.listenerCount('uncaughtException') + process.listenerCount('unhandledRejection');
    const c = await BytecodeCompiler.load({ heapFactor: 1024 }); // heaps of 512 KiB and more: about 20 calls per instance
    const files = corpus(120);
    for (const [path, text] of Object.entries(files)) {
      if (!path.endsWith('.py')) continue;
      expect((await c.compile(text, { name: path })).ok).toBe(true);
    }
    expect(c.stats.failures).toBe(0);
    expect(c.stats.instances).toBeGreaterThanOrEqual(5);
    expect(process.listenerCount('uncaughtException') + process.listenerCount('unhandledRejection')).toBe(listeners);
  });

  it('is safe to call concurrently: one instance at a time, budget never overdrawn', async () => {
    const c = await BytecodeCompiler.load();
    const outcomes = await Promise.all(
      Array.from({ length: 250 }, (_, i) => c.compile(`x = ${i}.5 + 0.9999999999999999\n`, { name: `m${i}.py` })),
    );
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(c.stats.failures).toBe(0);
    expect(c.stats.instances).toBeLessThan(10);
  });

  it('sizes the heap by the source and retries with a larger one on MemoryError', async () => {
    expect(heapLadder(1000)).toEqual([32 * 1024, 128 * 1024, 512 * 1024, 2 * 1024 * 1024, 8 * 1024 * 1024]);
    expect(heapLadder(100_000)).toEqual([2 * 1024 * 1024, 8 * 1024 * 1024]);
    const big = Array.from({ length: 1200 }, (_, i) => `def f${i}(a, b=${i}):\n    return [a, b, "s${i}"]\n`).join('');
    const stingy = await BytecodeCompiler.load({ heapFactor: 1 }); // first try: 128 KiB, too little
    const outcome = await stingy.compile(big, { name: 'big.py' });
    expect(outcome.ok).toBe(true);
    expect(stingy.stats.calls).toBeGreaterThan(1);
    expect(stingy.stats.failures).toBe(0);
  });
});

describe('pkg_resources with compiled packages', () => {
  it('reads resources from R.mpy, and from R.py beside a compiled package', async () => {
    const r = renderResourceModule([{ key: 'x.bin', data: Uint8Array.from([0, 255, 10]) }]);
    mp.writeFile('/lib/cres/__init__.mpy', mpyOf(await compiler.compile('', { name: 'cres/__init__.py' })));
    mp.writeFile('/lib/cres/R.mpy', mpyOf(await compiler.compile(r, { name: 'cres/R.py' })));
    mp.writeFile('/lib/cres2/__init__.mpy', mpyOf(await compiler.compile('', { name: 'cres2/__init__.py' })));
    mp.writeFile('/lib/cres2/R.py', r);
    mp.writeFile('/lib/cres3/__init__.mpy', mpyOf(await compiler.compile('', { name: 'cres3/__init__.py' })));
    mp.writeFile('/lib/cres3/x.bin', Uint8Array.from([0, 255, 10]));
    const out = mp.run(
      [
        'import pkg_resources as p',
        "for pkg in ('cres', 'cres2', 'cres3'):",
        "    print(pkg, p.resource_stream(pkg, 'x.bin').read())",
      ].join('\n'),
    );
    expect(out).toBe("cres b'\\x00\\xff\\n'\ncres2 b'\\x00\\xff\\n'\ncres3 b'\\x00\\xff\\n'\n");
  });
});

describe('compileTree on the worker pool', () => {
  beforeAll(() => ensureDist(['host'], ['dist/host/compile/pool-worker.js', 'dist/host/cli/commands/compile.js']));

  it('compiles a generated corpus, keeps the layout, copies data, and the .mpy files import and run', async () => {
    const root = mk();
    writeTree(join(root, 'src'), corpus(30));
    writeTree(join(root, 'src'), { 'app/broken.py': 'def g(:\n', 'app/p1/also_broken.py': 'x = 1\ny = (\n' });
    const summary = await compileTree({ sources: ['src'], outDir: 'build', cwd: root, jobs: 2, inThreadBelow: 0 });
    expect(summary.compiled).toBe(1 + 5 + 30);
    expect(summary.copied).toBe(2);
    expect([summary.threads, summary.inThread]).toEqual([2, false]);
    expect(summary.failed).toEqual([
      { file: join('src', 'app', 'broken.py'), line: 1, message: 'SyntaxError: invalid syntax' },
      { file: join('src', 'app', 'p1', 'also_broken.py'), line: 3, message: 'SyntaxError: invalid syntax' },
    ]);
    expect(readFileSync(join(root, 'build', 'app', 'data', 'table.csv'), 'utf8')).toBe('a,b\n1,2\n');
    expect(existsSync(join(root, 'build', 'README.txt'))).toBe(true);
    expect(existsSync(join(root, 'build', 'app', 'p0', 'm0.py'))).toBe(false);
    for (const m of [0, 7, 29])
      mp.writeFile(`/corpus/app/p${m % 5}/m${m}.mpy`, readFileSync(join(root, 'build', 'app', `p${m % 5}`, `m${m}.mpy`)));
    for (let p = 0; p < 5; p++)
      mp.writeFile(`/corpus/app/p${p}/__init__.mpy`, readFileSync(join(root, 'build', 'app', `p${p}`, '__init__.mpy')));
    mp.writeFile('/corpus/app/__init__.mpy', readFileSync(join(root, 'build', 'app', '__init__.mpy')));
    const out = mp.run(
      [
        "import sys; sys.path.insert(0, '/corpus')",
        'from app.p2 import m7',
        'from app.p4 import m29',
        'print(m7.f(2), m7.C7(3).total(4), m29.K, m7.__file__)',
      ].join('\n'),
    );
    expect(out).toBe("[14.5, {'k': 7, 's': ''}, (1, 2.5, None)] 25 29 /corpus/app/p2/m7.mpy\n");
  });

  it('one thread compiles 300 files (probes included) without an abort, recycling its instance', async () => {
    const root = mk();
    writeTree(root, corpus(300));
    const progress: number[] = [];
    const summary = await compileTree({
      sources: [root],
      outDir: join(root, 'out'),
      jobs: 1,
      inThreadBelow: 0,
      onProgress: (done, total) => progress.push(total === 306 ? done : -1),
    });
    expect(summary.failed).toEqual([]);
    expect(summary.compiled).toBe(306);
    expect(summary.threads).toBe(1);
    // 306 calls and the probes outrun one instance's heap budget (about 280 calls), so at least one new
    // instance was made, besides whatever this thread's compiler had left from an earlier compileTree.
    expect(summary.instances).toBeGreaterThanOrEqual(1);
    // Reported batch by batch, growing to the total.
    expect(progress.length).toBeGreaterThan(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress[0]).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(306);
  });

  it('mpy compile on a terminal shows a progress bar on stderr, cleared before the summary', () => {
    const root = mk();
    writeTree(root, corpus(40));
    const r = runMpyInPty(
      ['compile', join(root, 'app'), '-o', join(root, 'out')],
      [{ expect: '/46 files compiled' }, { expect: ' compiled, ' }],
    );
    expect(r.failure).toBeNull();
    expect(r.status).toBe(0);
    expect(r.transcript).toContain('46/46 files compiled\r\x1b[K');
    expect(r.transcript).toMatch(/\r\x1b\[K46 compiled, \d+ copied in /);
  });

  it('writes beside the sources without -o, and refuses what it cannot plan', async () => {
    const root = mk();
    writeTree(root, { 'a.py': 'A = 0.9999999999999999\n', 'b.txt': 'b' });
    const summary = await compileTree({ sources: ['a.py', '.'], cwd: root, jobs: 1 }).catch((e: unknown) => e);
    expect(summary).toBeInstanceOf(PlanError); // a.py named twice: same output
    const ok = await compileTree({ sources: ['.'], cwd: root, jobs: 1 });
    expect([ok.compiled, ok.copied, ok.keptFloats]).toEqual([1, 0, [{ file: 'a.py', line: 1, literal: '0.9999999999999999' }]]);
    expect(existsSync(join(root, 'a.mpy'))).toBe(true);
    await expect(compileTree({ sources: ['missing'], cwd: root })).rejects.toThrow(/missing: no such file or directory/);
    await expect(compileTree({ sources: ['b.txt'], cwd: root })).rejects.toThrow(/not a \.py file/);
    // Directories are made while the files compile: one that cannot be made still fails the call.
    writeTree(root, { 'tree/x/m.py': 'M = 1\n', blocked: '' });
    await expect(compileTree({ sources: ['tree'], outDir: 'blocked', cwd: root, jobs: 1 })).rejects.toThrow(
      /^cannot create directory .*blocked.*: (ENOTDIR|EEXIST)$/,
    );
  });

  it('defaults to the cores idle right now, from the runnable threads in /proc/loadavg', () => {
    expect(idleCores('0.10 0.20 0.30 1/300 4242\n', 2)).toBe(2); // only this thread runs
    expect(idleCores('1.50 1.20 0.90 2/300 4242\n', 2)).toBe(1);
    expect(idleCores('15.3 14.1 13.3 19/446 638\n', 2)).toBe(1); // never less than this thread
    expect(idleCores('3.00 3.00 3.00 2/300 4242\n', 8)).toBe(7); // the instant, not the average
    expect(idleCores('', 4)).toBe(4); // no /proc: every CPU
    expect(idleCores('garbage', 4)).toBe(4);
    const now = idleCores();
    expect(now >= 1 && now <= availableParallelism()).toBe(true);
  });

  it('mpy compile: FILE:LINE errors, summary line, exit status', async () => {
    const root = mk();
    writeTree(root, { 'src/ok.py': 'X = 0.9999999999999999\n', 'src/bad.py': 'x = 1\n\ny = )\n', 'src/logo.bin': 'x' });
    const r = await runMpy(['compile', 'src', '-o', 'out', '-j', '2', '-O1', '-v'], { cwd: root });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`${join('src', 'bad.py')}:3: SyntaxError: invalid syntax\n`);
    expect(r.stdout).toMatch(
      /^src\/ok\.py:1: float literal 0\.9999999999999999 kept exact\n1 compiled, 1 copied, 1 failed, 1 float literal kept exact in \d+\.\d\d s \(in-thread\)\n$/,
    );
    expect(existsSync(join(root, 'out', 'ok.mpy')) && existsSync(join(root, 'out', 'logo.bin'))).toBe(true);
    const good = await runMpy(['compile', 'src/ok.py', '-o', 'out2'], { cwd: root });
    expect([good.status, good.stderr]).toEqual([0, '']);
    const bad = await runMpy(['compile', '-j', '0', 'src'], { cwd: root });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/-j must be a whole number from 1/);
    expect((await runMpy(['compile', '--help'])).stdout).toMatch(/^usage: mpy compile SRC\.\.\. \[-o OUT\] \[-O N\] \[-j N\]/);
  });
});

describe('mpy compile from its bundle', () => {
  beforeAll(() => ensureDist(['host'], ['dist/bundle/compile-command.js', 'dist/bundle/compile-command-default.v8cache']));

  /** Every file below `dir`, relative, with its bytes. */
  function filesOf(dir: string, under = ''): Map<string, string> {
    const out = new Map<string, string>();
    for (const e of readdirSync(join(dir, under), { withFileTypes: true })) {
      const rel = join(under, e.name);
      if (e.isDirectory()) for (const [k, v] of filesOf(dir, rel)) out.set(k, v);
      else out.set(rel, readFileSync(join(dir, rel)).toString('base64'));
    }
    return out;
  }

  it('runs from its code cache and writes the same files as through its modules, in its thread and with a worker', async () => {
    const root = mk();
    // 306 .py files: with -j 2 a worker joins (300 and more), with -j 1 the command's thread compiles alone.
    writeTree(join(root, 'src'), corpus(300));
    writeTree(join(root, 'src'), { 'app/floats.py': 'A = 0.9999999999999999\nB = 0.5\n' });
    const bundled = await runMpy(['compile', 'src', '-o', 'bundled', '-j', '2'], { cwd: root, env: { MPY_DEBUG: 'load' } });
    expect(bundled.stderr).toBe('mpy load: compile-command.js: from its code cache\n');
    expect(bundled.stdout).toMatch(/^307 compiled, 2 copied, \d+ float literals kept exact in \d+\.\d\d s \(2 threads\)\n$/);
    const alone = await runMpy(['compile', 'src', '-o', 'alone', '-j', '1'], { cwd: root });
    const modules = await runMpy(['compile', 'src', '-o', 'modules', '-j', '2'], {
      cwd: root,
      env: { MPY_NO_BUNDLE: '1', MPY_DEBUG: 'load' },
    });
    expect([alone.status, modules.status, modules.stderr]).toEqual([0, 0, '']);
    const summary = (out: string): string => out.replace(/ in .*/, '');
    expect(summary(modules.stdout)).toBe(summary(bundled.stdout));
    const expected = filesOf(join(root, 'modules'));
    expect(expected.size).toBe(309);
    expect(filesOf(join(root, 'bundled'))).toEqual(expected);
    expect(filesOf(join(root, 'alone'))).toEqual(expected);
  });
});

describe('compileTree in the calling thread', () => {
  beforeAll(() => ensureDist(['host'], ['dist/host/compile/pool-worker.js']));

  it('compiles a small tree without a pool, byte for byte as the pool does', async () => {
    const root = mk();
    writeTree(join(root, 'src'), corpus(30));
    writeTree(join(root, 'src'), { 'app/broken.py': 'def g(:\n' });
    const mine = await compileTree({ sources: ['src'], outDir: 'mine', cwd: root });
    const pooled = await compileTree({ sources: ['src'], outDir: 'pooled', cwd: root, jobs: 2, inThreadBelow: 0 });
    expect([mine.inThread, mine.threads, pooled.inThread]).toEqual([true, 1, false]);
    expect(mine.failed).toEqual([{ file: join('src', 'app', 'broken.py'), line: 1, message: 'SyntaxError: invalid syntax' }]);
    expect(mine.compiled).toBe(pooled.compiled);
    for (let m = 0; m < 30; m++) {
      const rel = join('app', `p${m % 5}`, `m${m}.mpy`);
      expect(Buffer.compare(readFileSync(join(root, 'mine', rel)), readFileSync(join(root, 'pooled', rel)))).toBe(0);
    }
  });
});
