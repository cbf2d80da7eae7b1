/**
 * Worker entry of the `mpy` command's interpreter thread: runs the thread
 * (`program-worker.ts`) from the `program-worker` bundle compiled from its
 * code cache (`base/bundle.ts`; the thread runs under the command's V8
 * flags, hence the `cli` profile), or imported as modules when there is no
 * usable bundle.
 *
 * @module
 */
import { loadBundle, writeBundleCache } from '../../base/bundle.js';

type Thread = typeof import('./program-worker.js');

const thread = loadBundle<Thread>('program-worker', 'cli') ?? (await import('./program-worker.js'));
await thread.runProgramThread(() => writeBundleCache('program-worker'));
