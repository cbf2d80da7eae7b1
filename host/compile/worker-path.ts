import { compiledFile } from '../../base/package-files.js';

/**
 * The absolute path of the compile worker (`dist/host/compile/pool-worker.js`).
 * @throws Error saying to build when only the TypeScript sources exist
 */
export function compileWorkerPath(): string {
  return compiledFile('host/compile/pool-worker.js');
}
