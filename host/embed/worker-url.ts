import { pathToFileURL } from 'node:url';
import { threadEntry } from '../../base/bundle.js';
import { compiledFile } from '../../base/package-files.js';

/**
 * The URL of the embedding worker's entry: its starter (`dist/bundle/embed-worker-entry.cjs`),
 * or the compiled entry module (`dist/host/embed/worker-entry.js`) when there is no current starter.
 * @throws Error saying to build when only the TypeScript sources exist
 */
export function workerUrl(): URL {
  return pathToFileURL(threadEntry('embed-worker-entry', compiledFile('host/embed/worker-entry.js')));
}
