/**
 * Reading one index v2 package document (`package/<6|py>/<name>/<version>.json`),
 * as mip reads it: `hashes` (install path, sha256 prefix), `urls` (install
 * path, URL), `deps` (name, version), `version`.
 *
 * @module
 */

/** A checked package document. */
export interface PackageJson {
  readonly version: string;
  readonly hashes: ReadonlyArray<readonly [path: string, hash: string]>;
  readonly urls: ReadonlyArray<readonly [path: string, url: string]>;
  readonly deps: ReadonlyArray<readonly [name: string, version: string]>;
}

/** A hash prefix mip can check: 8 to 64 lower-case hex digits. */
const HASH_PREFIX = /^[0-9a-f]{8,64}$/;

function pairs(doc: Record<string, unknown>, key: string, where: string): Array<[string, string]> {
  const v = doc[key] ?? [];
  if (
    !Array.isArray(v) ||
    !v.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && (typeof p[1] === 'string' || p[1] === null))
  ) {
    throw new Error(`${where}: "${key}" is not a list of [string, string] pairs`);
  }
  return v.map((p: unknown[]) => [p[0] as string, (p[1] as string | null) ?? '']);
}

/** Whether an install path stays below the target: relative, no `..`, no empty segment. */
export function safeInstallPath(p: string): boolean {
  return p !== '' && !p.startsWith('/') && !p.includes('\\') && !p.split('/').some((s) => s === '' || s === '.' || s === '..');
}

/**
 * Parses and checks a package document.
 * @param where the document's URL, for messages
 * @throws Error saying what is wrong
 */
export function parsePackageJson(text: string, where: string): PackageJson {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(`${where} is not JSON`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error(`${where} is not a package document (a JSON object)`);
  const d = doc as Record<string, unknown>;
  const hashes = pairs(d, 'hashes', where);
  const urls = pairs(d, 'urls', where);
  const deps = pairs(d, 'deps', where);
  for (const [path, hash] of hashes) {
    if (!safeInstallPath(path)) throw new Error(`${where}: install path ${JSON.stringify(path)} leaves the target directory`);
    if (!HASH_PREFIX.test(hash))
      throw new Error(`${where}: ${JSON.stringify(hash)} (for ${path}) is not a sha256 prefix of 8 to 64 hex digits`);
  }
  for (const [path] of urls)
    if (!safeInstallPath(path)) throw new Error(`${where}: install path ${JSON.stringify(path)} leaves the target directory`);
  return { version: typeof d.version === 'string' ? d.version : '', hashes, urls, deps };
}
