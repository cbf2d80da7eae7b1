/**
 * vitest global setup: brings dist/ up to date with the sources once per run,
 * before any test file starts, and builds the optimised wasm when it is
 * missing. Tests run compiled code (worker threads, CLI child processes), so
 * a stale dist/ would test yesterday's code. `npm test` has already run
 * `tsc -b`, and `npm ci` the wasm build, so there this finds nothing to do.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers/dist.js';
import { BUNDLE_NAMES, bundleIsCurrent } from '../base/bundle.js';
import { compiledBootModulesDir } from '../runtime/guest-layout.js';
import { bootImageIsCurrent } from '../runtime/boot-image.js';

const SOURCE_DIRS = ['base', 'host', 'runtime', 'wasm'];

/** The build steps of `npm run build` after tsc: each output's manifest and the step that writes it. */
const WASM_BUILD_STEPS = [
  ['micropython.opt.json', 'main.js'],
  ['mpy-cross.opt.json', 'mpy-cross-main.js'],
  ['glue-1.27.0-default.v8cache', 'glue-cache-main.js'],
  ['glue-1.27.0.script.js', 'glue-cache-main.js'],
] as const;

/** tsc's record of the last build of tsconfig.json (composite: it lives in dist/ with the outputs). */
const BUILD_INFO = join(ROOT, 'dist', 'tsconfig.tsbuildinfo');

function isNewerThan(dir: string, builtMs: number): boolean {
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const rel = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (isNewerThan(rel, builtMs)) return true;
    } else if (rel.endsWith('.ts') && statSync(join(ROOT, rel)).mtimeMs > builtMs) return true;
  }
  return false;
}

/** Rebuilds dist/ with `tsc -b` when any source is newer than the last build. */
export default function setup(): void {
  // A machine-wide CA bundle (this machine sets one) is parsed at start-up by
  // every node process: ~85 ms of CPU in each of the suite's ~400 children.
  // The tests reach only loopback servers; those that use TLS pass their own
  // test CA in NODE_EXTRA_CA_CERTS. The test workers inherit this environment.
  delete process.env.NODE_EXTRA_CA_CERTS;
  // Against the build info, not each output: tsc skips rewriting an output
  // whose source was touched but not changed, and only then updates the
  // build info's time (in build mode).
  const builtMs = existsSync(BUILD_INFO) ? statSync(BUILD_INFO).mtimeMs : 0;
  if (statSync(join(ROOT, 'index.ts')).mtimeMs > builtMs || SOURCE_DIRS.some((dir) => isNewerThan(dir, builtMs))) {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', join(ROOT, 'tsconfig.json')], {
      stdio: 'inherit',
    });
  }
  for (const [output, step] of WASM_BUILD_STEPS) {
    if (!existsSync(join(ROOT, 'dist', 'wasm', output)))
      execFileSync(process.execPath, [join(ROOT, 'dist', 'wasm', 'build', step)], { stdio: 'inherit' });
  }
  // The compiled boot modules: missing, or older than a source in runtime/lib (the boot would compile the sources).
  if (compiledBootModulesDir({}) === undefined)
    execFileSync(process.execPath, [join(ROOT, 'dist', 'wasm', 'build', 'boot-modules-main.js')], { stdio: 'inherit' });
  // The boot images: missing, or older than the files they were captured from (tsc above, a build step run by hand).
  if (!bootImageIsCurrent('cli') || !bootImageIsCurrent('embed'))
    execFileSync(process.execPath, [join(ROOT, 'dist', 'wasm', 'build', 'boot-image-main.js')], { stdio: 'inherit' });
  // The bundles are made from dist/: a module newer than its bundle (tsc above, or run by hand) makes the bundle unused, so rebuild.
  if (!BUNDLE_NAMES.every(bundleIsCurrent))
    execFileSync(process.execPath, [join(ROOT, 'dist', 'wasm', 'build', 'bundle-main.js')], { stdio: 'inherit' });
}
