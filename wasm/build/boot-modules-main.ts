/**
 * The build step that compiles mpy's boot modules to .mpy
 * (`node dist/wasm/build/boot-modules-main.js`, part of `npm run build`; see
 * `runtime/guest-layout.ts`): every boot imports them, and compiling their
 * source was a third of an embedded instance's boot. Each is compiled by
 * mpy's own mpy-cross (`host/compile`) under its source's guest path, so a
 * traceback names the same file and line as before.
 *
 * It never fails the build: on any problem it removes the directory, says
 * why on stderr and exits 0, and every boot compiles the sources.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BytecodeCompiler } from '../../host/compile/bytecode-compiler.js';
import { BOOT_MODULES, BOOT_MODULES_BUILD_DIR, GUEST_LIB_DIR, RUNTIME_LIB_DIR } from '../../runtime/guest-layout.js';

try {
  rmSync(BOOT_MODULES_BUILD_DIR, { recursive: true, force: true });
  const compiler = await BytecodeCompiler.load();
  const compiled = BOOT_MODULES.map((name) => {
    const outcome = compiler.compile(readFileSync(join(RUNTIME_LIB_DIR, `${name}.py`)), { name: `${GUEST_LIB_DIR}/${name}.py` });
    if (!outcome.ok) throw new Error(`${name}.py: ${outcome.message}`);
    return { name, mpy: outcome.mpy };
  });
  mkdirSync(BOOT_MODULES_BUILD_DIR, { recursive: true });
  for (const { name, mpy } of compiled) writeFileSync(join(BOOT_MODULES_BUILD_DIR, `${name}.mpy`), mpy);
  process.stderr.write(`mpy build: compiled the boot modules (${BOOT_MODULES_BUILD_DIR})\n`);
} catch (e) {
  rmSync(BOOT_MODULES_BUILD_DIR, { recursive: true, force: true });
  process.stderr.write(`mpy build: no compiled boot modules (${(e as Error).message}); every boot compiles the sources\n`);
}
