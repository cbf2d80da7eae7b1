import { packageFile } from '../base/package-files.js';

/**
 * The directory of the host's own Python modules (`runtime/lib` in the
 * package), shown to Python read-only at `/usr/lib/micropython`.
 */
export const RUNTIME_LIB_DIR: string = packageFile('runtime/lib');

/** Where Python sees {@link RUNTIME_LIB_DIR}. */
export const GUEST_LIB_DIR = '/usr/lib/micropython';
