/**
 * Where the bytecode compiler is on disk: `@pybricks/mpy-cross-v6` (mpy-cross
 * 1.19.1 compiled to WebAssembly by emscripten), pinned to one version whose
 * glue this host drives directly.
 */
import { join } from 'node:path';
import { pinnedPackageDir } from '../../base/pinned-package.js';

/** The npm package of the compiler. */
const MPY_CROSS_PACKAGE = '@pybricks/mpy-cross-v6';

/** The package version the glue handling is written against. */
export const MPY_CROSS_VERSION = '2.0.0';

/** The compiler's files. */
export interface MpyCrossFiles {
  /** The emscripten glue (CommonJS; exports the module factory). */
  readonly glue: string;
  /** The wasm binary. */
  readonly wasm: string;
}

let cached: MpyCrossFiles | undefined;

/**
 * Locates the compiler package and checks its version.
 * @throws Error naming the package and the fix when it is missing or another version
 */
export function locateMpyCross(): MpyCrossFiles {
  if (cached) return cached;
  const dir = join(pinnedPackageDir(MPY_CROSS_PACKAGE, MPY_CROSS_VERSION, 'compiler'), 'build');
  cached = { glue: join(dir, 'mpy-cross-v6.js'), wasm: join(dir, 'mpy-cross-v6.wasm') };
  return cached;
}
