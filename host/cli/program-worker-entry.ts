/**
 * Worker entry of the `mpy` command's interpreter thread: runs the thread
 * (`program-worker.ts`) from the `program-worker` bundle compiled from its
 * code cache (`base/bundle.ts`; the thread runs under the command's V8
 * flags, hence the `cli` profile), or imported as modules when there is no
 * usable bundle. The build bundles this module into the thread's starter
 * (`dist/bundle/program-worker-entry.cjs`), which the thread starts from.
 *
 * @module
 */
import { setFlagsFromString } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { loadBundle, writeBundleCache } from '../../base/bundle.js';
import { BUILD_CODE_CACHE_ENV } from '../../base/cached-script.js';
import { importModule } from '../../base/import-module.js';
import { CLI_RUN_V8_FLAGS, CLI_V8_FLAGS } from '../../wasm/cli-v8-flags.js';
import type { ProgramWorkerMessage } from './program-protocol.js';

type Thread = typeof import('./program-worker.js');

/**
 * While the build writes the caches: the main thread sets the command's flags
 * back only when the boot's message reaches it, which a short run can finish
 * before; the cache must be made under the flags it is loaded under.
 */
async function writeCache(): Promise<void> {
  if (process.env[BUILD_CODE_CACHE_ENV] !== '1') return;
  setFlagsFromString(CLI_RUN_V8_FLAGS.join(' '));
  writeBundleCache('program-worker');
}

// The command's V8 flags are set here, once this thread runs, and not by the
// main thread before it starts the thread: a thread started while the
// process's flags differ from those Node's start-up snapshot was made under
// cannot start from the snapshot, and builds its context from scratch
// (~55 ms more per run, measured with an empty worker).
setFlagsFromString(CLI_V8_FLAGS.join(' '));
parentPort!.postMessage({ kind: 'flags' } satisfies ProgramWorkerMessage);
const bundled = loadBundle<Thread>('program-worker', 'cli');
void (bundled ? Promise.resolve(bundled) : (importModule(new URL('./program-worker.js', import.meta.url).href) as Promise<Thread>)).then(
  (thread) => thread.runProgramThread(writeCache),
);
