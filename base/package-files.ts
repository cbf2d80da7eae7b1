/**
 * Where mpy's own files are, found one way for every caller: compiled
 * JavaScript that must run as a file of its own (worker threads, child
 * processes) lives under `dist/`, and files shipped as they are (the Python
 * modules in `runtime/lib`) under the package root. This module sits at
 * `base/` in the sources and `dist/base/` once compiled, so the package root
 * is one or two directories up; the same paths come out under vitest (which
 * runs the TypeScript sources) and in an installed package.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: the directory holding `package.json`, `dist/` and `runtime/`. */
export const PACKAGE_ROOT: string = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '..' : '../..', import.meta.url)).replace(
  /\/$/,
  '',
);

/**
 * Whether the package runs from a source checkout (its TypeScript sources
 * beside `dist/`), where `tsc` or an edit can leave a build output older than
 * its inputs. An installed package holds no sources, and its outputs change
 * only with a new install (which does not keep the files' times).
 */
export function isSourceCheckout(): boolean {
  return existsSync(join(PACKAGE_ROOT, 'base', 'package-files.ts'));
}

/**
 * The absolute path of a compiled file, by its path below `dist/`
 * (e.g. `host/net/worker.js`).
 * @throws Error saying to build when the file is missing (a source checkout before `npm run build`)
 */
export function compiledFile(distPath: string): string {
  const path = join(PACKAGE_ROOT, 'dist', distPath);
  if (!existsSync(path)) throw new Error(`mpy: ${path} is missing; build it with "npm run build"`);
  return path;
}

/**
 * The absolute path of a file shipped as it is, by its path below the package root (e.g. `runtime/lib`).
 * @throws Error saying to reinstall when the file is missing
 */
export function packageFile(path: string): string {
  const abs = join(PACKAGE_ROOT, path);
  if (!existsSync(abs)) throw new Error(`mpy: ${abs} is missing from the package; reinstall mpy`);
  return abs;
}
