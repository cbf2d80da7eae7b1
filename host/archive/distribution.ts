/**
 * Reading a whole distribution package: inflate within limits, parse the
 * tar, check every member against the install policy, read its metadata.
 */
import { gunzipBounded } from './gunzip.js';
import { type ArchiveLimits, resolveLimits } from './limits.js';
import { checkMember } from './member-policy.js';
import { type DistMetadata, readDistMetadata } from './metadata.js';
import { readTar, type TarEntry } from './tar.js';

/** A checked member: its entry and its normalised path. */
export interface CheckedMember {
  /** The tar entry (only `file` or `directory`). */
  readonly entry: TarEntry;
  /** The normalised relative path, `a/b/c`. */
  readonly path: string;
}

/** A distribution package read into memory. */
export interface Distribution {
  /** The inflated tar; member data are views into it. */
  readonly tar: Uint8Array;
  /** Every member, checked, in archive order. */
  readonly members: readonly CheckedMember[];
  /** PKG-INFO and requires.txt contents. */
  readonly metadata: DistMetadata;
}

/**
 * Reads a `.tar.gz` distribution package and refuses it whole if any member
 * breaks the install policy (links, devices, unsafe paths, oversize).
 *
 * @param gz the compressed archive
 * @param archive its name or URL, for error messages
 * @param limits overrides of {@link ArchiveLimits} (defaults: `DEFAULT_LIMITS`)
 * @throws ArchiveError saying what was wrong and where
 */
export function readDistribution(gz: Uint8Array, archive: string, limits?: Partial<ArchiveLimits>): Distribution {
  const lim = resolveLimits(limits);
  const tar = gunzipBounded(gz, archive, lim);
  const entries = readTar(tar, archive, lim.maxMembers);
  const members = entries.map((entry) => ({ entry, path: checkMember(entry, archive, lim.maxMemberBytes) }));
  return { tar, members, metadata: readDistMetadata(entries) };
}
