/**
 * Worker entry of an embedded MicroPython instance: runs the thread
 * (`worker.ts`) from the `embed-worker` bundle compiled from its code cache
 * (`base/bundle.ts`), or imported as modules when there is no usable bundle.
 * The build bundles this module into the thread's starter
 * (`dist/bundle/embed-worker-entry.cjs`), which the thread starts from.
 *
 * @module
 */
import { loadBundle, writeBundleCache } from '../../base/bundle.js';
import { importModule } from '../../base/import-module.js';

type Thread = typeof import('./worker.js');

const bundled = loadBundle<Thread>('embed-worker', 'default');
void (bundled ? Promise.resolve(bundled) : (importModule(new URL('./worker.js', import.meta.url).href) as Promise<Thread>)).then((thread) =>
  thread.serveEmbeddedInstance(() => writeBundleCache('embed-worker')),
);
