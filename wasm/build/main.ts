/**
 * The build step that writes the optimised interpreter wasm
 * (`node dist/wasm/build/main.js`, part of `npm run build`, so `npm ci` runs
 * it through `prepare`). Reads the pinned package's wasm, rewrites and
 * optimises it with binaryen, self-tests the result in a worker, and writes
 * `dist/wasm/micropython.opt.wasm` with its manifest.
 *
 * It never fails the build: when binaryen is missing, the rewrite does not
 * apply, the output does not validate or the self-test fails, it removes any
 * earlier output, says why on stderr and exits 0, and the loader uses the
 * original wasm. When only the in-run garbage collection cannot be installed
 * (see `gc-collect.ts`), it says why and builds without it. Set
 * `MPY_SKIP_WASM_OPT=1` to skip the step, `MPY_NO_INRUN_GC=1` to build
 * without the in-run collection.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INTERPRETER_VERSION, locateInterpreter } from '../locate.js';
import {
  OPTIMISATION_FORMAT,
  OPTIMISED_MANIFEST_FILE,
  OPTIMISED_WASM_FILE,
  optimisedWasmDir,
  type OptimisedManifest,
} from '../optimised-wasm.js';
import { OPTIMIZE_LEVEL, SPEED_TUNING, optimiseInterpreterWasm, type OptimisedWasm } from './optimise.js';
import { SELF_TEST_EXPECTED, runSelfTest } from './self-test.js';
import { addInterruptSupport } from './interrupt-support.js';
import { isInterruptLayout } from '../interrupt-layout.js';

function removeOutputs(dir: string): void {
  rmSync(join(dir, OPTIMISED_MANIFEST_FILE), { force: true });
  rmSync(join(dir, OPTIMISED_WASM_FILE), { force: true });
}

function writeAtomically(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Optimises and self-tests; with `inRunGc`, a failure says why and falls back to a build without it. */
async function optimiseAndTest(original: Uint8Array<ArrayBuffer>, inRunGc: boolean): Promise<OptimisedWasm> {
  try {
    const result = await optimiseInterpreterWasm(original, inRunGc);
    const output = await runSelfTest(new WebAssembly.Module(result.bytes));
    if (output !== SELF_TEST_EXPECTED) {
      throw new Error(`the optimised wasm failed its self-test; it printed:\n${output}`);
    }
    if ('pointerTests' in result.collector && typeof result.collector.pointerTests === 'string') {
      process.stderr.write(
        `mpy build: the collector tests each word against every heap area (${result.collector.pointerTests}); large heaps collect more slowly\n`,
      );
    }
    if (!inRunGc || 'stateAddress' in result.collector) return result;
    process.stderr.write(
      `mpy build: no garbage collection during a run (${result.collector.notInstalled}); garbage will be collected only between top-level runs\n`,
    );
    return result;
  } catch (e) {
    if (!inRunGc) throw e;
    process.stderr.write(
      `mpy build: no garbage collection during a run (${(e as Error).message}); garbage will be collected only between top-level runs\n`,
    );
    return optimiseAndTest(original, false);
  }
}

async function build(dir: string): Promise<OptimisedManifest> {
  const started = performance.now();
  const original = readFileSync(locateInterpreter().wasm);
  const inRunGc = !process.env.MPY_NO_INRUN_GC;
  const optimised = await optimiseAndTest(original, inRunGc);
  const { invokes, binaryenVersion, collector } = optimised;
  let bytes = optimised.bytes;
  let interrupt = null;
  try {
    if (!isInterruptLayout(optimised.interrupt)) throw new Error(optimised.interrupt.problem);
    const withInterrupts = await addInterruptSupport(bytes, optimised.interrupt);
    const output = await runSelfTest(new WebAssembly.Module(withInterrupts));
    if (output !== SELF_TEST_EXPECTED) throw new Error(`the self-test failed with shared memory; it printed:\n${output}`);
    bytes = withInterrupts;
    interrupt = optimised.interrupt;
  } catch (e) {
    process.stderr.write(
      `mpy build: no interrupt support (${(e as Error).message}); running Python can only be stopped by ending its thread\n`,
    );
  }
  const manifest: OptimisedManifest = {
    format: OPTIMISATION_FORMAT,
    interpreterVersion: INTERPRETER_VERSION,
    sourceBytes: original.length,
    sourceSha256: createHash('sha256').update(original).digest('hex'),
    binaryenVersion,
    optimizeLevel: OPTIMIZE_LEVEL,
    tuning: SPEED_TUNING,
    invokes,
    inRunGc: 'stateAddress' in collector,
    interrupt,
    buildMs: Math.round(performance.now() - started),
  };
  mkdirSync(dir, { recursive: true });
  writeAtomically(join(dir, OPTIMISED_WASM_FILE), bytes);
  // The manifest goes last: the loader trusts the wasm only once it exists.
  writeAtomically(join(dir, OPTIMISED_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

const dir = optimisedWasmDir();
removeOutputs(dir);
if (process.env.MPY_SKIP_WASM_OPT) {
  process.stderr.write('mpy build: MPY_SKIP_WASM_OPT is set; the original interpreter wasm will be used\n');
} else {
  try {
    const manifest = await build(dir);
    process.stderr.write(
      `mpy build: wrote ${join(dir, OPTIMISED_WASM_FILE)} (binaryen ${manifest.binaryenVersion}, -O${manifest.optimizeLevel}, ${manifest.inRunGc ? 'garbage collected during a run' : 'no in-run collection'}, ${manifest.buildMs} ms)\n`,
    );
  } catch (e) {
    removeOutputs(dir);
    process.stderr.write(`mpy build: not optimising the interpreter wasm (${(e as Error).message}); the original will be used\n`);
  }
}
