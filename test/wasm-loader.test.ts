/**
 * Which interpreter wasm the host loads: the optimised copy the build step
 * writes, its manifest checks, the `MPY_WASM` override, and the build step's
 * own refusal of a module it cannot rewrite.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureOptimisedWasm } from './helpers/wasm-build.js';
import { ROOT } from './helpers/dist.js';
import { MPY_BIN, runMpy } from './helpers/cli.js';
import {
  compileInterpreterModule,
  compileInterpreterModuleAsync,
  getInterpreterModule,
  getInterpreterModuleAsync,
  interpreterWasmKind,
  WASM_CHOICE_ENV,
} from '../wasm/compiled-module.js';
import { findOptimisedWasm, OPTIMISATION_FORMAT, OPTIMISED_MANIFEST_FILE, OPTIMISED_WASM_FILE } from '../wasm/optimised-wasm.js';
import { INTERPRETER_VERSION, locateInterpreter } from '../wasm/locate.js';
import { checkDropIn, optimiseInterpreterWasm } from '../wasm/build/optimise.js';

beforeAll(() => ensureOptimisedWasm(), 120_000);

const importNames = (m: WebAssembly.Module): string[] => WebAssembly.Module.imports(m).map((i) => i.name);

describe('the optimised wasm', () => {
  it('is the module loaded by default, with no JS trampolines or longjmp import', () => {
    const module = getInterpreterModule();
    expect(interpreterWasmKind(module)).toBe('optimised');
    const names = importNames(module);
    expect(names.filter((n) => n.startsWith('invoke_'))).toEqual([]);
    expect(names).not.toContain('_emscripten_throw_longjmp');
    expect(names).toContain('fd_write');
  });

  it('was built from the installed interpreter by the current transformation', () => {
    const found = findOptimisedWasm();
    expect(found).toBeDefined();
    const original = readFileSync(locateInterpreter().wasm);
    expect(found!.manifest.format).toBe(OPTIMISATION_FORMAT);
    expect(found!.manifest.interpreterVersion).toBe(INTERPRETER_VERSION);
    expect(found!.manifest.sourceBytes).toBe(original.length);
    expect(found!.manifest.sourceSha256).toBe(createHash('sha256').update(original).digest('hex'));
    expect(found!.manifest.invokes).toContain('invoke_ii');
  });

  it('is what the compiled CLI loads', () => {
    const url = new URL(`file://${join(ROOT, 'dist', 'wasm', 'compiled-module.js')}`).href;
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(url)}); console.log(m.interpreterWasmKind(m.getInterpreterModule()))`,
      ],
      { encoding: 'utf8', env: { ...process.env, [WASM_CHOICE_ENV]: '' } },
    );
    expect(out).toBe('optimised\n');
    expect(statSync(MPY_BIN).isFile()).toBe(true);
  });
});

describe('choosing the wasm', () => {
  const saved = process.env[WASM_CHOICE_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[WASM_CHOICE_ENV];
    else process.env[WASM_CHOICE_ENV] = saved;
  });

  it('MPY_WASM=original loads the package file, which imports its trampolines', () => {
    process.env[WASM_CHOICE_ENV] = 'original';
    const module = compileInterpreterModule();
    expect(interpreterWasmKind(module)).toBe('original');
    expect(importNames(module)).toContain('invoke_ii');
  });

  it("compiles in the background to the same choices, sharing the thread's module", async () => {
    expect(interpreterWasmKind(await compileInterpreterModuleAsync('original'))).toBe('original');
    expect(interpreterWasmKind(await compileInterpreterModuleAsync('optimised'))).toBe('optimised');
    expect(await getInterpreterModuleAsync()).toBe(getInterpreterModule());
  });

  it('rejects an unknown MPY_WASM value', () => {
    process.env[WASM_CHOICE_ENV] = 'fastest';
    expect(() => compileInterpreterModule()).toThrow(/MPY_WASM must be/);
  });

  it('the CLI runs programs on either wasm', async () => {
    const program = 'try:\n    {}[1]\nexcept KeyError as e:\n    print("ok", e)';
    for (const choice of ['original', 'optimised']) {
      const r = await runMpy(['-c', program], { env: { [WASM_CHOICE_ENV]: choice } });
      expect(r.stdout).toBe('ok 1\n');
      expect(r.status).toBe(0);
    }
  });
});

describe('the manifest check', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const manifestFor = (overrides: Record<string, unknown>): string =>
    JSON.stringify({
      format: OPTIMISATION_FORMAT,
      interpreterVersion: INTERPRETER_VERSION,
      sourceBytes: statSync(locateInterpreter().wasm).size,
      sourceSha256: '',
      binaryenVersion: '0',
      optimizeLevel: 3,
      tuning: { directCalls: true, flexibleInlineMaxSize: 80 },
      invokes: [],
      buildMs: 0,
      ...overrides,
    });

  it('accepts a current manifest and ignores stale or partial outputs', () => {
    dir = mkdtempSync(join(tmpdir(), 'mpy-optwasm-'));
    writeFileSync(join(dir, OPTIMISED_WASM_FILE), 'x');
    expect(findOptimisedWasm(dir)).toBeUndefined(); // no manifest
    writeFileSync(join(dir, OPTIMISED_MANIFEST_FILE), manifestFor({}));
    expect(findOptimisedWasm(dir)?.path).toBe(join(dir, OPTIMISED_WASM_FILE));
    writeFileSync(join(dir, OPTIMISED_MANIFEST_FILE), manifestFor({ format: OPTIMISATION_FORMAT - 1 }));
    expect(findOptimisedWasm(dir)).toBeUndefined();
    writeFileSync(join(dir, OPTIMISED_MANIFEST_FILE), manifestFor({ interpreterVersion: '1.26.0' }));
    expect(findOptimisedWasm(dir)).toBeUndefined();
    writeFileSync(join(dir, OPTIMISED_MANIFEST_FILE), manifestFor({ sourceBytes: 1 }));
    expect(findOptimisedWasm(dir)).toBeUndefined();
    writeFileSync(join(dir, OPTIMISED_MANIFEST_FILE), '{not json');
    expect(findOptimisedWasm(dir)).toBeUndefined();
  });
});

describe('the build step', () => {
  it('refuses a module without emscripten longjmp, so the original is kept', async () => {
    const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    await expect(optimiseInterpreterWasm(empty)).rejects.toThrow(/_emscripten_throw_longjmp/);
  });

  it('checks that the result is a drop-in for the original', () => {
    const original = new Uint8Array(readFileSync(locateInterpreter().wasm));
    const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    expect(() => checkDropIn(original, empty, new Set())).toThrow(/same exports/);
    expect(() => checkDropIn(original, original, new Set())).not.toThrow();
  });
});
