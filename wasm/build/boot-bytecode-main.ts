/**
 * The build step that compiles the boot's own Python modules to bytecode
 * (`node dist/wasm/build/boot-bytecode-main.js`, part of `npm run build`,
 * after mpy-cross's own step): writes each `NAME.mpy` and the exact source it
 * came from into `dist/runtime/boot-bytecode/`, then the manifest (see
 * `runtime/boot-bytecode.ts`, which loads them).
 *
 * It never fails the build: on any problem it removes its output, says why on
 * stderr and exits 0, and the boot compiles the sources as before.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BytecodeCompiler } from '../../host/compile/bytecode-compiler.js';
import {
  BOOT_BYTECODE_MANIFEST,
  BOOT_MODULES,
  type BootBytecodeManifest,
  bootBytecodeDir,
  bootModuleGuestPath,
} from '../../runtime/boot-bytecode.js';
import { RUNTIME_LIB_DIR } from '../../runtime/guest-layout.js';
import { INTERPRETER_VERSION } from '../locate.js';

function writeAtomically(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

async function build(dir: string): Promise<void> {
  const compiler = await BytecodeCompiler.load();
  mkdirSync(dir, { recursive: true });
  for (const name of BOOT_MODULES) {
    const source = readFileSync(join(RUNTIME_LIB_DIR, `${name}.py`));
    const outcome = await compiler.compile(source, { name: bootModuleGuestPath(name) });
    if (!outcome.ok) throw new Error(`${name}.py: ${outcome.message}`);
    writeAtomically(join(dir, `${name}.mpy`), outcome.mpy);
    writeAtomically(join(dir, `${name}.py`), source);
  }
  const manifest: BootBytecodeManifest = { interpreterVersion: INTERPRETER_VERSION, modules: BOOT_MODULES };
  // The manifest goes last: the loader trusts the bytecode only once it exists.
  writeAtomically(join(dir, BOOT_BYTECODE_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

const dir = bootBytecodeDir();
rmSync(dir, { recursive: true, force: true });
try {
  const started = performance.now();
  await build(dir);
  process.stderr.write(`mpy build: wrote the boot modules' bytecode to ${dir} (${Math.round(performance.now() - started)} ms)\n`);
} catch (e) {
  rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`mpy build: not compiling the boot modules (${(e as Error).message}); the boot compiles their sources\n`);
}
