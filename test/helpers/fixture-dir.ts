/** Temp directories of distribution packages, and tree snapshots for "untouched" checks. */
import { mkdtempSync, readdirSync, readFileSync, lstatSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { type DistSpec, distTarGz } from './tar-fixture.js';

/** A new empty temp directory; remove it with {@link removeDir}. */
export function tempDir(prefix = 'mpy-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Removes a directory tree. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Writes `NAME-VERSION.tar.gz` into `dir` for each spec; returns the file names. */
export function writeDists(dir: string, specs: DistSpec[]): string[] {
  return specs.map((s) => {
    const filename = `${s.name}-${s.version}.tar.gz`;
    writeFileSync(join(dir, filename), distTarGz(s));
    return filename;
  });
}

/** Every path under `dir` with its kind and content hash (sorted); `{}` if `dir` does not exist. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    const abs = join(dir, rel);
    const s = lstatSync(abs);
    if (s.isDirectory()) {
      if (rel) out[rel] = `dir ${s.mode & 0o7777}`;
      for (const name of readdirSync(abs).sort()) walk(rel ? `${rel}/${name}` : name);
    } else if (s.isSymbolicLink()) out[rel] = `link ${readlinkSync(abs)}`;
    else out[rel] = `file ${s.mode & 0o7777} ${s.ino} ${createHash('sha256').update(readFileSync(abs)).digest('hex')}`;
  };
  try {
    walk('');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  return out;
}
