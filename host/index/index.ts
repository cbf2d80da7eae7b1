/** The package index: names, versions, the catalog of a directory, its JSON documents, the server and the static writer. */
export { normalizeName } from './names.js';
export { parseVersion, formatVersion, normalizeVersion, compareVersionStrings, latestVersion } from './version.js';
export { parseSpecifier, satisfies, mentionsPrerelease, SpecifierError } from './specifier.js';
export { scanCatalog } from './catalog.js';
export { projectJson, type ProjectJson } from './responses.js';
export { startIndexServer, IndexServer } from './server.js';
export { buildStaticIndex } from './static-build.js';
