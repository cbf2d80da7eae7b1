import { pathToFileURL } from 'node:url';
import { compiledFile } from '../../base/package-files.js';

/**
 * The URL of the compiled embedding worker entry (`dist/host/embed/worker-entry.js`).
 * @throws Error saying to build when only the TypeScript sources exist
 */
export function workerUrl(): URL {
  return pathToFileURL(compiledFile('host/embed/worker-entry.js'));
}
