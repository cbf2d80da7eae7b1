/**
 * Locates the compiled worker entry (`worker.js`): beside this module in
 * dist/, or in dist/ when this module runs from its TypeScript source.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let found: URL | undefined;

/**
 * The worker entry's URL.
 * @throws Error saying to build when only the TypeScript sources exist
 */
export function workerUrl(): URL {
  if (found) return found;
  for (const rel of ['./worker.js', '../../dist/host/embed/worker.js']) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(fileURLToPath(url))) return (found = url);
  }
  throw new Error('mpy: the embedding worker (dist/host/embed/worker.js) is missing; run `npx tsc -p .` first');
}
