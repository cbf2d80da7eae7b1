/**
 * `package_data` (setup.py) and `[tool.mpy] package-data` (pyproject.toml):
 * the non-Python files each package ships, as setuptools selects them:
 * glob patterns relative to the package directory, `*` within one path
 * component; the key `''` (or `*` in TOML) applies to every listed package.
 */
import type { ModuleLayout } from './discovery.js';
import { pathPattern } from './path-pattern.js';

/** The project files (relative POSIX paths) the patterns select, sorted. */
export function packageDataFiles(
  packageData: ReadonlyMap<string, readonly string[]> | undefined,
  layout: ModuleLayout,
  files: readonly string[],
): string[] {
  const out = new Set<string>();
  for (const [pkg, globs] of packageData ?? []) {
    for (const p of pkg === '' ? layout.packages : [pkg]) {
      const base = [layout.root, p.replace(/\./g, '/')].filter(Boolean).join('/');
      for (const g of globs) {
        const match = pathPattern(`${base}/${g}`);
        for (const f of files) if (match(f)) out.add(f);
      }
    }
  }
  return [...out].sort();
}
