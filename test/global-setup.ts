/**
 * vitest global setup: brings dist/ up to date with the sources once per run,
 * before any test file starts, and builds the optimised wasm when it is
 * missing. Tests run compiled code (worker threads, CLI child processes), so
 * a stale dist/ would test yesterday's code. `npm test` has already run
 * `tsc`, and `npm ci` the wasm build, so there this finds nothing to do.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers/dist.js';
import { BUNDLE_NAMES, bundleIsCurrent } from '../base/bundle.js';

const SOURCE_DIRS = ['base', 'host', 'runtime', 'wasm'];

/** The build steps of `npm run build` after tsc: each output's manifest and the step that writes it. */
const WASM_BUILD_STEPS = [
  ['micropython.opt.json', 'main.js'],
  ['mpy-cross.opt.json', 'mpy-cross-main.js'],
  ['glue-1.27.0-default.v8cache', 'glue-cache-main.js'],
] as const;

function isStale(dir: string): boolean {
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const rel = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (isStale(rel)) return true;
    } else if (rel.endsWith('.ts') && !rel.endsWith('.d.ts')) {
      const out = join(ROOT, 'dist', rel.replace(/\.ts$/, '.js'));
      if (!existsSync(out) || statSync(out).mtimeMs < statSync(join(ROOT, rel)).mtimeMs) return true;
    }
  }
  return false;
}

/** Rebuilds dist/ with `tsc -p .` when any source is newer than its output. */
export default function setup(): void {
  // A machine-wide CA bundle (this machine sets one) is parsed at start-up by
  // every node process: ~85 ms of CPU in each of the suite's ~400 children.
  // The tests reach only loopback servers; those that use TLS pass their own
  // test CA in NODE_EXTRA_CA_CERTS. The test workers inherit this environment.
  delete process.env.NODE_EXTRA_CA_CERTS;
  if (SOURCE_DIRS.some(isStale) || !existsSync(join(ROOT, 'dist', 'index.js'))) {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', ROOT], { stdio: 'inherit' });
  }
  for (const [output, step] of WASM_BUILD_STEPS) {
    if (!existsSync(join(ROOT, 'dist', 'wasm', output)))
      execFileSync(process.execPath, [join(ROOT, 'dist', 'wasm', 'build', step)], { stdio: 'inherit' });
  }
  // The bundles are made from dist/: a module newer than its bundle (tsc above, or run by hand) makes the bundle unused, so rebuild.
  if (!BUNDLE_NAMES.every(bundleIsCurrent))
    execFileSync(process.execPath, [join(ROOT, 'dist', 'wasm', 'build', 'bundle-main.js')], { stdio: 'inherit' });
}
