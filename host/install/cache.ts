/**
 * A content-addressed archive cache: `<dir>/sha256/<h[0:2]>/<h>`. Entries
 * are written to a temp file and renamed, so a reader sees a whole file or
 * none; every hit is re-hashed, so a damaged entry is a miss, not an install.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';

/** The default cache directory: `$XDG_CACHE_HOME/mpy`, else `~/.cache/mpy` (`~` from HOME). */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'mpy');
  return join(env.HOME || homedir(), '.cache', 'mpy');
}

/** Hex sha256 of `bytes`. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Archives by sha256. */
export class ArchiveCache {
  #dir: string;

  /** @param dir the cache root (see {@link defaultCacheDir}) */
  constructor(dir: string) {
    this.#dir = dir;
  }

  #path(sha256: string): string {
    return join(this.#dir, 'sha256', sha256.slice(0, 2), sha256);
  }

  /** The archive with this digest, or undefined (absent or damaged: a damaged entry is removed). */
  async get(sha256: string): Promise<Buffer | undefined> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) return undefined;
    let bytes: Buffer;
    try {
      bytes = await readFile(this.#path(sha256));
    } catch {
      return undefined;
    }
    if (sha256Hex(bytes) === sha256) return bytes;
    await rm(this.#path(sha256), { force: true });
    return undefined;
  }

  /** Stores an archive under its digest. Failures are ignored: the cache is an optimisation. */
  async put(sha256: string, bytes: Uint8Array): Promise<void> {
    const path = this.#path(sha256);
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFileAtomic(path, bytes);
    } catch {
      // Not cached this time.
    }
  }
}
