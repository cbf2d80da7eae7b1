// Where the runner finds the built mpy (dist/ is produced by `npm ci`, whose
// `prepare` runs `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The `mpy` command's entry in dist/. */
export const MPY_CLI = fileURLToPath(new URL('../../dist/host/cli/main.js', import.meta.url));

/** Throws with the fix when dist/ has not been built. */
export function requireBuilt() {
  if (!existsSync(MPY_CLI)) throw new Error(`${MPY_CLI} is missing: run \`npm run build\` (or \`npm ci\`) first`);
}
