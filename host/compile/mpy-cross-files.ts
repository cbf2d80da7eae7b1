/**
 * Where the bytecode compiler is on disk: `@pybricks/mpy-cross-v6` (mpy-cross
 * 1.19.1 compiled to WebAssembly by emscripten), pinned to one version whose
 * glue this host drives directly.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

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
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve(`${MPY_CROSS_PACKAGE}/package.json`);
  } catch {
    throw new Error(`mpy: the compiler package ${MPY_CROSS_PACKAGE} is not installed; run \`npm install\` in the mpy package directory`);
  }
  const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  if (version !== MPY_CROSS_VERSION) {
    throw new Error(`mpy: found ${MPY_CROSS_PACKAGE}@${version}, but mpy needs exactly ${MPY_CROSS_VERSION}; reinstall with \`npm ci\``);
  }
  const dir = join(dirname(manifest), 'build');
  cached = { glue: join(dir, 'mpy-cross-v6.js'), wasm: join(dir, 'mpy-cross-v6.wasm') };
  return cached;
}
