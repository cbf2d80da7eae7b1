/** The package index: names, versions, the catalog of a directory, its JSON documents, the server and the static writer. */
export { normalizeName, isValidName } from './names.js';
export { parseVersion, formatVersion, normalizeVersion, compareVersions, compareVersionStrings, isPrerelease, latestVersion, type Version } from './version.js';
export { parseSpecifier, satisfies, mentionsPrerelease, SpecifierError, type Clause } from './specifier.js';
export { scanCatalog, isArchiveName, splitArchiveName, type Catalog, type CatalogFile, type CatalogProject, type CatalogProblem, type ScanOptions } from './catalog.js';
export { projectJson, releaseJson, encodeJson, filePath, type ProjectJson, type ReleaseFileJson, type FileUrlMode } from './responses.js';
export { route, INDEX_PREFIX, FILES_PREFIX, type Route } from './routes.js';
export { LiveCatalog, RACY_WINDOW_MS, type JsonDocument, type LiveCatalogOptions } from './live-catalog.js';
export { startIndexServer, IndexServer, type ServeOptions } from './server.js';
export { buildStaticIndex, type StaticIndexOptions, type StaticIndexResult } from './static-build.js';
