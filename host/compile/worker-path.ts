/**
 * Where the compile worker's JavaScript is. Worker threads load compiled
 * `.js`, so the path is taken relative to this module's own URL: beside it in
 * `dist/host/compile/` when running compiled. When this module runs from its
 * TypeScript source (vitest transpiles sources in-process, but a worker
 * thread cannot), the same relative path is looked up under `dist/` of the
 * package root instead, which `tsc -p .` (as `npm test` runs first) produces.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`mpy: no package.json above ${from}`);
  }
}

/**
 * The absolute path of `worker.js`.
 * @throws Error when running from sources and the compiled worker is missing (run `npx tsc -p .`)
 */
export function compileWorkerPath(): string {
  const here = fileURLToPath(import.meta.url);
  const dir = dirname(here);
  if (here.endsWith('.js')) return join(dir, 'worker.js');
  const root = packageRoot(dir);
  const compiled = join(root, 'dist', relative(root, dir), 'worker.js');
  if (!existsSync(compiled)) {
    throw new Error(`mpy: the compile worker must be built first (${compiled} is missing): run \`npx tsc -p .\``);
  }
  return compiled;
}
