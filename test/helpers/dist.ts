/**
 * Tests that run compiled code (the piscina worker, child-process CLI runs)
 * need dist/ current with the sources. {@link ensureDist} rebuilds it with
 * `tsc -p .` when any host/ source is newer than its output, under an flock
 * so that test files running in parallel build once and wait for each other.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// Runs in a child under the lock: rebuild only if still stale.
const CHECK_AND_BUILD = `
const fs = require('node:fs'), path = require('node:path'), cp = require('node:child_process');
const root = process.argv[1];
const dirs = process.argv.slice(2);
let stale = false;
const walk = (dir) => { for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
  const rel = path.join(dir, e.name);
  if (e.isDirectory()) walk(rel);
  else if (rel.endsWith('.ts') && !rel.endsWith('.d.ts')) {
    const out = path.join(root, 'dist', rel.replace(/\\.ts$/, '.js'));
    if (!fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(path.join(root, rel)).mtimeMs) stale = true;
  }
} };
for (const d of dirs) walk(d);
if (stale) { try { cp.execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', root], { stdio: 'pipe' }); } catch {} }
`;

/**
 * Makes sure dist/ holds current builds of the given source directories
 * (default `host`). Type errors elsewhere in the tree do not stop the emit;
 * a missing output afterwards does.
 */
export function ensureDist(dirs: string[] = ['host'], mustExist: string[] = []): void {
  execFileSync('flock', [join(ROOT, 'node_modules', '.mpy-dist.lock'), process.execPath, '-e', CHECK_AND_BUILD, ROOT, ...dirs], { stdio: 'inherit' });
  for (const rel of mustExist) {
    if (!existsSync(join(ROOT, rel))) throw new Error(`${rel} is missing after "tsc -p ." — fix the build`);
  }
}
