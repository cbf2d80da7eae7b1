import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The directory of the host's own Python modules (`runtime/lib` in the
 * package), shown to Python read-only at `/usr/lib/micropython`. Found from
 * this module's location both in the compiled `dist/runtime/` and in the
 * TypeScript sources under `runtime/`.
 */
export const RUNTIME_LIB_DIR: string = (() => {
  for (const rel of ['./lib/', '../../runtime/lib/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}_mpy_boot.py`)) return dir.replace(/\/$/, '');
  }
  throw new Error('mpy: runtime/lib (the host Python modules) is missing from the package; reinstall mpy');
})();

/** Where Python sees {@link RUNTIME_LIB_DIR}. */
export const GUEST_LIB_DIR = '/usr/lib/micropython';
