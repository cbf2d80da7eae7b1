/** The host-native installer: same index protocol and layout as upip; concurrent, verified, all-or-nothing. */
export { install } from './install.js';
export { DEFAULT_INDEXES, defaultTarget, type InstallOptions, type InstallEvent, type InstallResult, type InstalledPackage, type KeptPackageReport } from './options.js';
export { InstallError, type InstallErrorCode } from './errors.js';
export { parseRequirement, type Requirement } from './requirement.js';
export { parseRequirementsFile, readRequirementsFile, type RequirementsFile } from './requirements-file.js';
export { readRecord, RECORD_FILE, type InstallRecord, type RecordEntry } from './record.js';
export { checkDigests, type DigestRequirement } from './digests.js';
export { IndexClient, type ResolvedRelease, type IndexClientOptions } from './index-client.js';
export { ArchiveCache, defaultCacheDir } from './cache.js';
export { UnpackPool, type Unpacked, type UnpackPoolOptions } from './unpack-pool.js';
export { upipLayout, skippedByUpip } from './layout.js';
export { commitStage } from './commit.js';
export { createProgress, type Progress } from './progress.js';
