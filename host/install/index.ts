/** The host-native installer: same index protocol and layout as upip; concurrent, verified, all-or-nothing. */
export { install } from './install.js';
export type { InstallOptions, InstallEvent, InstallResult } from './options.js';
export { InstallError } from './errors.js';
export { parseRequirement } from './requirement.js';
export { readRequirementsFile } from './requirements-file.js';
export { checkDigests } from './digests.js';
export type { ResolvedRelease } from './index-client.js';
export { UnpackPool } from './unpack-pool.js';
export { createProgress } from './progress.js';
