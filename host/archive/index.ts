/** Reading distribution packages: bounded gunzip, tar, install policy, metadata. */
export { ArchiveError } from './errors.js';
export type { ArchiveLimits } from './limits.js';
export { gunzipBounded } from './gunzip.js';
export { readTar } from './tar.js';
export { safeMemberPath } from './member-policy.js';
export { parseRequiresTxt } from './metadata.js';
export { readDistribution } from './distribution.js';
