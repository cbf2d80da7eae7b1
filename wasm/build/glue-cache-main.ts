/**
 * The build step that writes the V8 code caches of the emscripten glue
 * (`node dist/wasm/build/glue-cache-main.js`, part of `npm run build`; see
 * `wasm/glue-script.ts`): compiles the glue as a script, runs its module
 * body and its set-up up to the point where it asks for the wasm instance (so
 * the functions a start runs are in the cache too), and writes the cache.
 * First it writes the glue as a script (`glueScriptPath`), which threads
 * then read as it is. The `default` cache is made in this process, the `cli` one in a child
 * running under the V8 flags the `mpy` command's interpreter thread loads the
 * glue under: the command's flags and the boot's tiering budget (V8 takes a
 * cache only under the flags it was made with).
 *
 * It never fails the build: on any problem it removes the cache, says why on
 * stderr and exits 0, and the glue compiles from its text at every start.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CLI_BOOT_V8_FLAGS, CLI_V8_FLAGS } from '../cli-v8-flags.js';
import { writeCodeCache } from '../../base/cached-script.js';
import { compileGlueScript, type GlueCacheProfile, glueCachePath, glueFactory, glueScriptPath, writeGlueScript } from '../glue-script.js';

async function writeCache(which: GlueCacheProfile): Promise<void> {
  const script = compileGlueScript();
  if (script === undefined) throw new Error('the glue does not have the shape the script loader expects');
  const { createModule } = await glueFactory(script);
  await new Promise<void>((resolve, reject) => {
    createModule({
      instantiateWasm() {
        resolve();
        return {};
      },
    }).catch(reject);
  });
  writeCodeCache(script, glueCachePath(which));
}

const which = process.argv[2] as GlueCacheProfile | undefined;
if (which !== undefined) {
  // The child: one profile, then exit (the glue waits for an instance that never comes).
  await writeCache(which);
  process.exit(0);
}
try {
  if (!writeGlueScript()) throw new Error('the glue does not have the shape the script loader expects');
  await writeCache('default');
  execFileSync(process.execPath, [...CLI_V8_FLAGS, ...CLI_BOOT_V8_FLAGS, fileURLToPath(import.meta.url), 'cli'], { stdio: 'inherit' });
  process.stderr.write(`mpy build: wrote the glue's code caches (${glueCachePath('default')}, ${glueCachePath('cli')})\n`);
} catch (e) {
  for (const p of ['default', 'cli'] as const) rmSync(glueCachePath(p), { force: true });
  rmSync(glueScriptPath(), { force: true });
  process.stderr.write(`mpy build: no code cache for the glue (${(e as Error).message}); it compiles from its text at every start\n`);
}
process.exit(0);
