/** Fetching one archive: from the cache when its digest is known, else over HTTP, always verified. */
import { type ArchiveCache, sha256Hex } from './cache.js';
import { InstallError } from './errors.js';
import { httpGet } from './http.js';
import type { ResolvedRelease } from './index-client.js';

/** An archive in memory. */
export interface Downloaded {
  bytes: Buffer;
  /** Hex sha256 of `bytes` (equal to the index's digest when it gave one). */
  sha256: string;
  /** Whether it came from the cache. */
  cached: boolean;
}

/** Options of {@link fetchArchive}. */
export interface FetchArchiveOptions {
  /** The cache, or undefined for none. Default none. */
  cache?: ArchiveCache;
  /** Per-request timeout in ms. Default 60000. */
  timeoutMs?: number;
  /** Largest archive accepted, in bytes. Default 64 MiB. */
  maxBytes?: number;
  /** Called as bytes arrive. Default none. */
  onBytes?: (n: number) => void;
  /** Abandons the download when aborted. Default none. */
  signal?: AbortSignal;
}

/** Digests a requirements file accepts for one archive (`--hash`), checked besides the index's. */
export interface AcceptedHashes {
  /** Hex sha256 values; the archive must have one of them. */
  readonly sha256: readonly string[];
  /** Where they come from, for messages (`foo==1.0 in requirements.txt`). */
  readonly source: string;
}

/**
 * Gets the archive of a release and checks it against the index's sha256
 * (and size), and against `accepted` when a requirements file gave hashes.
 * Only verified archives enter the cache.
 * @throws InstallError `hash-mismatch`, `digest-mismatch`, `download-failed`, `not-found`
 */
export async function fetchArchive(
  release: ResolvedRelease,
  options: FetchArchiveOptions = {},
  accepted?: AcceptedHashes,
): Promise<Downloaded> {
  const known = accepted ? accepted.sha256 : release.sha256 ? [release.sha256] : [];
  if (options.cache) {
    for (const h of known) {
      const hit = await options.cache.get(h);
      if (hit) return { bytes: hit, sha256: h, cached: true };
    }
  }
  let got: Awaited<ReturnType<typeof httpGet>>;
  try {
    got = await httpGet(release.url, {
      timeoutMs: options.timeoutMs,
      maxBytes: options.maxBytes,
      onBytes: options.onBytes,
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof InstallError && err.code === 'index-error') {
      throw new InstallError('download-failed', `cannot download ${release.name} ${release.version}: ${err.message}`, err.hint, err);
    }
    throw err;
  }
  if (!got) {
    throw new InstallError(
      'download-failed',
      `${release.url} (${release.name} ${release.version}) answered 404`,
      `the index at ${release.index} lists a file it does not serve; tell its maintainer`,
    );
  }
  const sha256 = sha256Hex(got.body);
  if (accepted && !accepted.sha256.includes(sha256)) {
    throw new InstallError(
      'hash-mismatch',
      `${release.url} (${release.name} ${release.version}) has sha256 ${sha256}, which is not a --hash given for ${accepted.source} (${accepted.sha256.join(', ')})`,
      'the archive differs from the one locked: it was rebuilt or tampered with. Do not install it; if the change is expected, lock again with mpy lock',
    );
  }
  if (release.sha256 && release.sha256 !== sha256) {
    throw new InstallError(
      'digest-mismatch',
      `sha256 mismatch for ${release.url}: the index says ${release.sha256}, the download is ${sha256}`,
      'the file changed after the index was built, or was tampered with in transit; rebuild the index or do not trust it',
    );
  }
  if (release.size !== undefined && release.size !== got.body.length) {
    throw new InstallError(
      'digest-mismatch',
      `size mismatch for ${release.url}: the index says ${release.size} bytes, the download is ${got.body.length}`,
      'the file changed after the index was built; rebuild the index',
    );
  }
  if (options.cache && (release.sha256 || accepted)) await options.cache.put(sha256, got.body);
  return { bytes: got.body, sha256, cached: false };
}
