/**
 * The optimised mpy-cross wasm the build step writes (longjmp → wasm
 * exception handling, binaryen -O3): what it imports, that it compiles
 * exactly as the original does, its manifest checks and the
 * `MPY_CROSS_WASM` override.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BytecodeCompiler, type CompileOutcome } from '../host/compile/bytecode-compiler.js';
import { MpyCross } from '../host/compile/mpy-cross.js';
import { mpyCrossAbi } from '../host/compile/mpy-cross-abi.js';
import { locateMpyCross } from '../host/compile/mpy-cross-files.js';
import {
  compileMpyCrossModule,
  findOptimisedMpyCross,
  MPY_CROSS_MANIFEST_FILE,
  MPY_CROSS_OPTIMISED_FILE,
  MPY_CROSS_WASM_ENV,
} from '../host/compile/optimised-mpy-cross.js';
import { INPUT_GLOBAL_EXPORTS, OUTPUT_GLOBAL_EXPORTS } from '../host/compile/syscall-files.js';
import { ROOT } from './helpers/dist.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';

const dirs: string[] = [];
const saved = process.env[MPY_CROSS_WASM_ENV];

beforeAll(() => {
  // vitest's global setup builds it when missing; a build that could not make it says why on stderr.
  if (!findOptimisedMpyCross())
    throw new Error('dist/wasm has no optimised mpy-cross wasm: run `node dist/wasm/build/mpy-cross-main.js` to see why');
});
afterEach(() => {
  if (saved === undefined) delete process.env[MPY_CROSS_WASM_ENV];
  else process.env[MPY_CROSS_WASM_ENV] = saved;
});
afterAll(() => dirs.forEach(removeDir));

const SOURCES: Record<string, string> = {
  'classes.py': 'class A:\n    X = 1.5\n    def f(self, *a, **k):\n        return [x ** 2 for x in a if x], {k: v for k, v in k.items()}\n',
  'gen.py':
    'def g(n):\n    try:\n        for i in range(n):\n            yield i * 0.1\n    finally:\n        print("end")\nasync def h():\n    async with x:\n        await y()\n',
  'syntax.py': 'def f(:\n    pass\n',
  'outside.py': 'return 1\n',
  'big.py': `T = [${Array.from({ length: 3000 }, (_, i) => `'item${i}'`).join(', ')}]\n`,
  // Above the 1 MiB the optimised wasm reads from its own memory: read and written through the host.
  'huge.py': `${'# a comment line of sixty-four bytes, to make a source of 1.1 MiB\n'.repeat(18_000)}X = 1\n`,
};

async function compileAll(module: WebAssembly.Module): Promise<CompileOutcome[]> {
  const c = await BytecodeCompiler.load({ module });
  const out: CompileOutcome[] = [];
  for (const [name, text] of Object.entries(SOURCES)) out.push(await c.compile(text, { name }));
  return out;
}

describe('the optimised mpy-cross wasm', () => {
  it('has no JS trampolines or longjmp import and the same exports as the original', () => {
    const original = new WebAssembly.Module(readFileSync(locateMpyCross().wasm));
    const optimised = new WebAssembly.Module(readFileSync(findOptimisedMpyCross()!));
    const names = (m: WebAssembly.Module) => WebAssembly.Module.imports(m).map((i) => `${i.module}.${i.name}`);
    // The glue's asmLibraryArg: d, e, g, h, j, l are invoke_*, n is _emscripten_throw_longjmp.
    expect(names(original)).toEqual(expect.arrayContaining(['a.d', 'a.e', 'a.g', 'a.h', 'a.j', 'a.l', 'a.n']));
    expect(names(optimised).sort()).toEqual(
      names(original)
        .filter((n) => !['a.d', 'a.e', 'a.g', 'a.h', 'a.j', 'a.l', 'a.n'].includes(n))
        .sort(),
    );
    // Plus the globals through which the host hands over the source and the room for the .mpy (wasm/build/mpy-cross-io.ts).
    expect(WebAssembly.Module.exports(optimised)).toEqual([
      ...WebAssembly.Module.exports(original),
      ...[...Object.values(INPUT_GLOBAL_EXPORTS), ...Object.values(OUTPUT_GLOBAL_EXPORTS)].map((name) => ({ name, kind: 'global' })),
    ]);
  });

  it('compiles, fails and runs out of heap exactly as the original does', async () => {
    const original = await compileAll(new WebAssembly.Module(readFileSync(locateMpyCross().wasm)));
    const optimised = await compileAll(new WebAssembly.Module(readFileSync(findOptimisedMpyCross()!)));
    expect(original.map((o) => o.ok)).toEqual([true, true, false, false, true, true]);
    expect(optimised).toEqual(original);
  });

  it('is what compileMpyCrossModule loads by default; MPY_CROSS_WASM chooses, and a bad value is a clear error', async () => {
    const importCount = (m: WebAssembly.Module) => WebAssembly.Module.imports(m).length;
    delete process.env[MPY_CROSS_WASM_ENV];
    const auto = await compileMpyCrossModule();
    process.env[MPY_CROSS_WASM_ENV] = 'original';
    const original = await compileMpyCrossModule();
    process.env[MPY_CROSS_WASM_ENV] = 'optimised';
    const optimised = await compileMpyCrossModule();
    expect(importCount(original) - importCount(auto)).toBe(7);
    expect(importCount(optimised)).toBe(importCount(auto));
    process.env[MPY_CROSS_WASM_ENV] = 'fast';
    await expect(compileMpyCrossModule()).rejects.toThrow('MPY_CROSS_WASM must be "original", "optimised" or "auto", not "fast"');
  });

  it('is ignored when its manifest is from another transformation or package', () => {
    const dir = tempDir('mpy-cross-opt-');
    dirs.push(dir);
    copyFileSync(findOptimisedMpyCross()!, join(dir, MPY_CROSS_OPTIMISED_FILE));
    const manifest = JSON.parse(readFileSync(join(ROOT, 'dist', 'wasm', MPY_CROSS_MANIFEST_FILE), 'utf8'));
    writeFileSync(join(dir, MPY_CROSS_MANIFEST_FILE), JSON.stringify(manifest));
    expect(findOptimisedMpyCross(dir)).toBe(join(dir, MPY_CROSS_OPTIMISED_FILE));
    writeFileSync(join(dir, MPY_CROSS_MANIFEST_FILE), JSON.stringify({ ...manifest, format: manifest.format + 1 }));
    expect(findOptimisedMpyCross(dir)).toBeUndefined();
    writeFileSync(join(dir, MPY_CROSS_MANIFEST_FILE), JSON.stringify({ ...manifest, packageVersion: '1.0.0' }));
    expect(findOptimisedMpyCross(dir)).toBeUndefined();
    writeFileSync(join(dir, MPY_CROSS_MANIFEST_FILE), 'not json');
    expect(findOptimisedMpyCross(dir)).toBeUndefined();
  });
});

describe('mpy-cross without its emscripten glue', () => {
  it('reads the names behind the minified imports and exports from the glue text, and refuses a glue of another shape', () => {
    const abi = mpyCrossAbi();
    expect([...abi.imports.values()]).toEqual(
      expect.arrayContaining(['___syscall_open', '_fd_read', '_fd_write', '_fd_close', '_fd_seek', '_exit', 'invoke_ii']),
    );
    expect([...abi.exports.keys()]).toEqual(expect.arrayContaining(['_main', '___wasm_call_ctors', 'stackAlloc', '_setThrew']));
    expect(abi.memory).not.toBe(abi.table);
    expect(() => mpyCrossAbi('var Module = {};')).toThrow('the mpy-cross glue does not have the expected import and export tables');
  });

  it('compiles byte for byte what the glue-driven instance did, with both wasm files (known answers)', async () => {
    const source = new TextEncoder().encode(
      'import math\nclass Shape:\n    def area(self, r=2):\n        return math.pi * r ** 2, [x for x in range(r) if x], {"k": b"v"}\n',
    );
    for (const choice of ['original', 'optimised']) {
      process.env[MPY_CROSS_WASM_ENV] = choice;
      const cross = await MpyCross.load();
      const ok = cross.run('shape.py', source, ['-O1']);
      // The .mpy the glue-driven instance (mpy 0.1.0 before this change) wrote for this source.
      expect([ok.status, ok.output?.length, createHash('sha256').update(ok.output!).digest('hex')]).toEqual([
        0,
        179,
        'f10d2b5fe5413ea81855f1a000f2a8f7e6c2b689e7ede138cb436aca54b8ad3b',
      ]);
      const bad = cross.run('bad.py', new TextEncoder().encode('x = 1\ndef f(:\n'));
      expect(bad).toEqual({
        status: 1,
        output: undefined,
        stdout: '',
        stderr: 'Traceback (most recent call last):\n  File "bad.py", line 2\nSyntaxError: invalid syntax\n',
      });
    }
  });
});
