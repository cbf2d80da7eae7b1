/**
 * The build step that captures the boot images (`node dist/wasm/build/boot-image-main.js`,
 * part of `npm run build`, after the wasm and the compiled boot modules; see
 * `runtime/boot-image.ts`): it boots the `mpy` command and an embedded
 * instance once each, through their own code, with `MPY_CAPTURE_BOOT_IMAGE=1`,
 * then checks that a second boot of each takes its image.
 *
 * It never fails the build: on any problem it removes the images, says why
 * on stderr and exits 0, and every start boots.
 */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { compiledFile, PACKAGE_ROOT } from '../../base/package-files.js';
import {
  BOOT_IMAGE_DIR,
  type BootImageProfile,
  CAPTURE_BOOT_IMAGE_ENV,
  NO_BOOT_IMAGE_ENV,
  removeBootImage,
} from '../../runtime/boot-image.js';

const PROFILES: readonly BootImageProfile[] = ['cli', 'embed'];

/** The node arguments that boot each profile once. */
const BOOTS: Record<BootImageProfile, string[]> = {
  cli: [compiledFile('host/cli/bin.cjs'), '-c', 'pass'],
  embed: [
    '--input-type=module',
    '-e',
    `const { MicroPython } = await import(${JSON.stringify(pathToFileURL(compiledFile('index.js')).href)});
     const mp = await MicroPython.create(); await mp.dispose();`,
  ],
};

/** Boots `profile` and returns what `MPY_DEBUG=boot` said. */
function boot(profile: BootImageProfile, capture: boolean): string {
  const env = { ...process.env, MPY_DEBUG: 'boot', [CAPTURE_BOOT_IMAGE_ENV]: capture ? '1' : '', [NO_BOOT_IMAGE_ENV]: '' };
  const run = spawnSync(process.execPath, BOOTS[profile], {
    cwd: PACKAGE_ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (run.error !== undefined || run.status !== 0) throw new Error(`the ${profile} boot failed: ${run.error?.message ?? run.stderr}`);
  return run.stderr;
}

try {
  for (const profile of PROFILES) {
    removeBootImage(profile);
    boot(profile, true);
    const said = boot(profile, false);
    if (!said.includes(`boot image ${profile}: used`)) throw new Error(`the ${profile} boot does not take its image: ${said.trim()}`);
  }
  process.stderr.write(`mpy build: captured the boot images (${BOOT_IMAGE_DIR})\n`);
} catch (e) {
  for (const profile of PROFILES) removeBootImage(profile);
  process.stderr.write(`mpy build: no boot images (${(e as Error).message.trim()}); every start boots\n`);
}
