/**
 * Whether an archive may be installed given the digests known for it: the
 * index's sha256 (checked in ./download.ts) and any the user gave. Without
 * any digest the archive is installed unverified, with a warning, unless
 * hashes are required (`--require-hashes`), when it is an error.
 */
import { InstallError } from './errors.js';
import type { ResolvedRelease } from './index-client.js';

/** What the user asked of digests. */
export interface DigestRequirement {
  /** Refuse an archive with no digest from the index or the user. */
  readonly required: boolean;
  /** sha256 digests (hex) the archive must have one of, e.g. from `--hash=sha256:…`; none given: any. */
  readonly expected?: readonly string[];
}

/**
 * Checks an archive's sha256 against what the user asked.
 * @param release the release (its `sha256` is the index's digest, already checked against the bytes)
 * @param sha256 hex sha256 of the downloaded bytes
 * @returns `'verified'` when a digest was checked, `'unverified'` when there was none to check
 * @throws InstallError `digest-mismatch` when the bytes match none of `expected`,
 *   `digest-missing` when there is no digest at all and one is required
 */
export function checkDigests(release: ResolvedRelease, sha256: string, want: DigestRequirement): 'verified' | 'unverified' {
  const expected = (want.expected ?? []).map((h) => h.toLowerCase());
  if (expected.length > 0 && !expected.includes(sha256)) {
    throw new InstallError(
      'digest-mismatch',
      `sha256 mismatch for ${release.url} (${release.name} ${release.version}): expected ${expected.join(' or ')}, the download is ${sha256}`,
      'the package changed since the hash was recorded, or was tampered with; check where the hash came from',
    );
  }
  if (expected.length > 0 || release.sha256 !== undefined) return 'verified';
  if (want.required) {
    throw new InstallError(
      'digest-missing',
      `${release.name} ${release.version}: the index gives no sha256 for ${release.url}, and hashes are required`,
      'use an index that publishes sha256 digests (mpy serve and mpy index build do), or pin the digest with --hash=sha256:…',
    );
  }
  return 'unverified';
}
