/**
 * Where an npm dependency whose version mpy pins exactly is installed: the
 * interpreter package and the bytecode compiler package are found, and
 * their versions checked, one way.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/**
 * The directory of the installed package `name`, after checking it is
 * exactly `version`.
 * @param role what the package is to mpy, for the error message (`'interpreter'`, `'compiler'`)
 * @throws Error naming the package and the fix when it is missing or another version
 */
export function pinnedPackageDir(name: string, version: string, role: string): string {
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve(`${name}/package.json`);
  } catch {
    throw new Error(`mpy: the ${role} package ${name} is not installed; run \`npm install\` in the mpy package directory`);
  }
  const found = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  if (found !== version) {
    throw new Error(`mpy: found ${name}@${found}, but mpy needs exactly ${version}; reinstall with \`npm ci\``);
  }
  return dirname(manifest);
}
