/**
 * The `mpy` command's main thread from its first line: a subcommand, or the
 * Unix-port interface run from the `cli-main` bundle. The build bundles this
 * module into the command's starter (`dist/bundle/command.cjs`, see
 * `base/bundle.ts`), which the executable (`bin.cts`) runs; `main.ts` runs it
 * as an ES module.
 *
 * @module
 */
import { bundleIsCurrent, loadBundle, writeBundleCache } from '../../base/bundle.js';
import { importModule } from '../../base/import-module.js';
import { SUBCOMMANDS, type SubcommandModule } from './subcommands.js';
import { INTERNAL_ERROR_STATUS } from '../../runtime/guest-layout.js';

type Command = typeof import('./run-command.js');

/** A module next to this one, by URL: in the starter, `import()` of a relative path would resolve against the bundle's directory. */
const sibling = (path: string): string => new URL(path, import.meta.url).href;

async function main(argv: string[]): Promise<number> {
  const sub = argv[0] !== undefined ? SUBCOMMANDS[argv[0]] : undefined;
  if (sub) {
    const bundled = sub.bundle === undefined ? undefined : loadBundle<SubcommandModule>(sub.bundle, 'default');
    const module = bundled ?? ((await importModule(sibling(sub.module))) as SubcommandModule);
    const status = await module.run(argv.slice(1));
    if (sub.bundle !== undefined) writeBundleCache(sub.bundle);
    return status;
  }
  // Under the process's own V8 flags: the interpreter thread sets the command's (see program-worker-entry.ts).
  const command = loadBundle<Command>('cli-main', 'default') ?? ((await importModule(sibling('./run-command.js'))) as Command);
  // While the build writes the caches: this thread's, made before the interpreter thread changes the flags.
  return command.runCommand(argv, () => writeBundleCache('cli-main'));
}

/**
 * Runs the command line after `mpy` and exits with its status.
 * @param fromStarter the caller is the starter: when it is older than its modules (`tsc` ran since the build), the ES modules run instead
 */
export function startCommand(argv: string[], fromStarter = false): void {
  if (fromStarter && !bundleIsCurrent('command')) {
    void (importModule(sibling('./command-start.js')) as Promise<{ startCommand: typeof startCommand }>).then((m) => m.startCommand(argv));
    return;
  }
  main(argv).then(
    (status) => process.exit(status),
    (error: unknown) => {
      const detail = process.env.MPY_DEBUG ? (error as Error)?.stack : ((error as Error)?.message ?? String(error));
      process.stderr.write(`mpy: internal error: ${detail}\n(set MPY_DEBUG=1 for a stack trace; please report this)\n`);
      process.exit(INTERNAL_ERROR_STATUS);
    },
  );
}
