/**
 * Whether a module is importable from a `sys.path`, checked on the host
 * filesystem (the `mpy` command shows host files at their own paths).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { FROZEN_PATH_ENTRY, GUEST_LIB_DIR, RUNTIME_LIB_DIR } from '../../runtime/guest-layout.js';

/**
 * The file `import name` would load from `sysPath`, or `undefined`.
 * `''` and relative entries are taken from `cwd`; `.frozen` holds nothing
 * in this build; the host's module directory is looked up where it really is.
 */
export function findModule(name: string, sysPath: readonly string[], cwd: string): string | undefined {
  for (const entry of sysPath) {
    if (entry === FROZEN_PATH_ENTRY) continue;
    const dir = entry === GUEST_LIB_DIR ? RUNTIME_LIB_DIR : isAbsolute(entry) ? entry : join(cwd, entry);
    for (const rel of [`${name}.py`, `${name}.mpy`, join(name, '__init__.py'), join(name, '__init__.mpy')]) {
      const file = join(dir, rel);
      if (existsSync(file)) return file;
    }
  }
  return undefined;
}
