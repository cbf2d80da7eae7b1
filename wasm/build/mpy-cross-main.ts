/**
 * The build step that writes the optimised mpy-cross wasm
 * (`node dist/wasm/build/mpy-cross-main.js`, part of `npm run build`): reads
 * `@pybricks/mpy-cross-v6`'s wasm, rewrites and optimises it with binaryen,
 * checks that it compiles the self-test sources exactly as the original does,
 * and writes `dist/wasm/mpy-cross.opt.wasm` with its manifest.
 *
 * It never fails the build: on any problem it removes earlier output, says
 * why on stderr and exits 0, and `mpy compile` uses the original wasm.
 * `MPY_SKIP_WASM_OPT=1` skips it, as it does the interpreter's step.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { MPY_CROSS_VERSION, locateMpyCross } from '../../host/compile/mpy-cross-files.js';
import {
  MPY_CROSS_MANIFEST_FILE,
  MPY_CROSS_OPTIMISATION_FORMAT,
  MPY_CROSS_OPTIMISED_FILE,
  type MpyCrossManifest,
} from '../../host/compile/optimised-mpy-cross.js';
import { optimisedWasmDir } from '../optimised-wasm.js';
import { MPY_CROSS_OPTIMIZE_LEVEL, optimiseMpyCrossWasm } from './mpy-cross-optimise.js';
import { selfTestMpyCross } from './mpy-cross-self-test.js';

function removeOutputs(dir: string): void {
  rmSync(join(dir, MPY_CROSS_MANIFEST_FILE), { force: true });
  rmSync(join(dir, MPY_CROSS_OPTIMISED_FILE), { force: true });
}

function writeAtomically(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function binaryenVersion(): string {
  const manifest = createRequire(import.meta.url).resolve('binaryen/package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

async function build(dir: string): Promise<MpyCrossManifest> {
  const started = performance.now();
  const files = locateMpyCross();
  const original = new Uint8Array(readFileSync(files.wasm));
  const { bytes, invokes } = await optimiseMpyCrossWasm(original);
  const selfTestSources = selfTestMpyCross(new WebAssembly.Module(original), new WebAssembly.Module(bytes));
  const manifest: MpyCrossManifest = {
    format: MPY_CROSS_OPTIMISATION_FORMAT,
    packageVersion: MPY_CROSS_VERSION,
    sourceBytes: original.length,
    sourceSha256: createHash('sha256').update(original).digest('hex'),
    binaryenVersion: binaryenVersion(),
    optimizeLevel: MPY_CROSS_OPTIMIZE_LEVEL,
    invokes,
    selfTestSources,
    buildMs: Math.round(performance.now() - started),
  };
  mkdirSync(dir, { recursive: true });
  writeAtomically(join(dir, MPY_CROSS_OPTIMISED_FILE), bytes);
  // The manifest goes last: the loader trusts the wasm only once it exists.
  writeAtomically(join(dir, MPY_CROSS_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

const dir = optimisedWasmDir();
removeOutputs(dir);
if (process.env.MPY_SKIP_WASM_OPT) {
  process.stderr.write('mpy build: MPY_SKIP_WASM_OPT is set; the original mpy-cross wasm will be used\n');
} else {
  try {
    const m = await build(dir);
    process.stderr.write(
      `mpy build: wrote ${join(dir, MPY_CROSS_OPTIMISED_FILE)} (binaryen ${m.binaryenVersion}, -O${m.optimizeLevel}, ${m.buildMs} ms)\n`,
    );
  } catch (e) {
    removeOutputs(dir);
    process.stderr.write(`mpy build: not optimising the mpy-cross wasm (${(e as Error).message}); the original will be used\n`);
  }
}
