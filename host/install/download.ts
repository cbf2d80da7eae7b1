/** Fetching one archive: from the cache when its digest is known, else over HTTP, always verified. */
import { ArchiveCache, sha256Hex } from './cache.js';
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

/**
 * Gets the archive of a release and checks it against the index's sha256
 * (and size). Only verified archives enter the cache.
 *
 * @throws InstallError `digest-mismatch`, `download-failed`, `not-found`
 */
export async function fetchArchive(release: ResolvedRelease, options: FetchArchiveOptions = {}): Promise<Downloaded> {
  if (release.sha256 && options.cache) {
    const hit = await options.cache.get(release.sha256);
    if (hit) return { bytes: hit, sha256: release.sha256, cached: true };
  }
  let got;
  try {
    got = await httpGet(release.url, { timeoutMs: options.timeoutMs, maxBytes: options.maxBytes, onBytes: options.onBytes, signal: options.signal });
  } catch (err) {
    if (err instanceof InstallError && err.code === 'index-error') {
      throw new InstallError('download-failed', `cannot download ${release.name} ${release.version}: ${err.message}`, err.hint, err);
    }
    throw err;
  }
  if (!got) {
    throw new InstallError('download-failed', `${release.url} (${release.name} ${release.version}) answered 404`, `the index at ${release.index} lists a file it does not serve; tell its maintainer`);
  }
  const sha256 = sha256Hex(got.body);
  if (release.sha256 && release.sha256 !== sha256) {
    throw new InstallError(
      'digest-mismatch',
      `sha256 mismatch for ${release.url}: the index says ${release.sha256}, the download is ${sha256}`,
      'the file changed after the index was built, or was tampered with in transit; rebuild the index or do not trust it',
    );
  }
  if (release.size !== undefined && release.size !== got.body.length) {
    throw new InstallError('digest-mismatch', `size mismatch for ${release.url}: the index says ${release.size} bytes, the download is ${got.body.length}`, 'the file changed after the index was built; rebuild the index');
  }
  if (options.cache && release.sha256) await options.cache.put(sha256, got.body);
  return { bytes: got.body, sha256, cached: false };
}
