// Where the runner finds the built mpy (dist/ is produced by `npm ci`, whose
// `prepare` runs `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The `mpy` executable in dist/. */
export const MPY_CLI = fileURLToPath(new URL('../../dist/host/cli/bin.cjs', import.meta.url));

/** Throws with the fix when dist/ has not been built, or its bundles are older than a module (after `tsc`). */
export async function requireBuilt() {
  if (!existsSync(MPY_CLI)) throw new Error(`${MPY_CLI} is missing: run \`npm run build\` (or \`npm ci\`) first`);
  const { BUNDLE_NAMES, STARTER_NAMES, bundleIsCurrent } = await import('../../dist/base/bundle.js');
  const stale = [...BUNDLE_NAMES, ...STARTER_NAMES].filter((name) => !bundleIsCurrent(name));
  if (stale.length > 0)
    throw new Error(
      `the bundles ${stale.join(', ')} are older than dist/ (they would not be used): run \`node dist/wasm/build/bundle-main.js\``,
    );
  const { bootImageIsCurrent } = await import('../../dist/runtime/boot-image.js');
  const staleImages = ['cli', 'embed'].filter((profile) => !bootImageIsCurrent(profile));
  if (staleImages.length > 0)
    throw new Error(
      `the boot images ${staleImages.join(', ')} are missing or older than dist/ (they would not be used): run \`node dist/wasm/build/boot-image-main.js && node dist/wasm/build/bundle-main.js\``,
    );
}
