/** Reading distribution packages: bounded gunzip, tar, install policy, metadata. */
export { ArchiveError, type ArchiveErrorCode } from './errors.js';
export { DEFAULT_LIMITS, resolveLimits, type ArchiveLimits } from './limits.js';
export { gunzipBounded } from './gunzip.js';
export { readTar, type TarEntry, type TarEntryType } from './tar.js';
export { checkMember, safeMemberPath } from './member-policy.js';
export { readDistMetadata, parseHeaders, parseRequiresTxt, type DistMetadata } from './metadata.js';
export { readDistribution, type Distribution, type CheckedMember } from './distribution.js';
