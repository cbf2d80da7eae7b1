/**
 * Worker entry of an embedded MicroPython instance: runs the thread
 * (`worker.ts`) from the `embed-worker` bundle compiled from its code cache
 * (`base/bundle.ts`), or imported as modules when there is no usable bundle.
 *
 * @module
 */
import { loadBundle, writeBundleCache } from '../../base/bundle.js';

type Thread = typeof import('./worker.js');

const thread = loadBundle<Thread>('embed-worker', 'default') ?? (await import('./worker.js'));
await thread.serveEmbeddedInstance(() => writeBundleCache('embed-worker'));
