/**
 * Tests of the interpreter wasm need the optimised copy that `npm run build`
 * writes to dist/wasm. {@link ensureOptimisedWasm} builds dist (tsc) and then
 * the optimised wasm when it is missing, under a lock so that parallel test
 * files build it once.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureDist, ROOT } from './dist.js';
import { findOptimisedWasm } from '../../wasm/optimised-wasm.js';

/** The build step's entry, compiled. */
const WASM_BUILD_ENTRY = join(ROOT, 'dist', 'wasm', 'build', 'main.js');

/** Makes sure dist/wasm holds an optimised wasm for the installed interpreter. */
export function ensureOptimisedWasm(): void {
  if (findOptimisedWasm()) return;
  ensureDist(['wasm', 'runtime'], ['dist/wasm/build/main.js']);
  const script = `
    const { existsSync } = require('node:fs');
    const { execFileSync } = require('node:child_process');
    if (!existsSync(process.argv[2])) execFileSync(process.execPath, [process.argv[1]], { stdio: 'inherit' });
  `;
  const manifest = join(ROOT, 'dist', 'wasm', 'micropython.opt.json');
  execFileSync('flock', [join(ROOT, 'node_modules', '.mpy-wasm-build.lock'), process.execPath, '-e', script, WASM_BUILD_ENTRY, manifest], {
    stdio: 'inherit',
  });
  if (!findOptimisedWasm()) throw new Error('the optimised wasm was not built; run `node dist/wasm/build/main.js` to see why');
}
