#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { loadBundle, writeBundleCache } from '../../base/bundle.js';
import { CLI_V8_FLAGS } from '../../wasm/cli-v8-flags.js';
import { SUBCOMMANDS, type SubcommandModule } from './subcommands.js';
import { INTERNAL_ERROR_STATUS } from '../../runtime/guest-layout.js';

type Command = typeof import('./run-command.js');

async function main(argv: string[]): Promise<number> {
  const sub = argv[0] !== undefined ? SUBCOMMANDS[argv[0]] : undefined;
  if (sub) {
    const bundled = sub.bundle === undefined ? undefined : loadBundle<SubcommandModule>(sub.bundle, 'default');
    const module = bundled ?? ((await import(sub.module)) as SubcommandModule);
    const status = await module.run(argv.slice(1));
    if (sub.bundle !== undefined) writeBundleCache(sub.bundle);
    return status;
  }
  // The flags go first: the wasm must compile under them, and the bundle's cache was made under them.
  setFlagsFromString(CLI_V8_FLAGS.join(' '));
  const command = loadBundle<Command>('cli-main', 'cli') ?? (await import('./run-command.js'));
  const status = await command.runCommand(argv);
  writeBundleCache('cli-main');
  return status;
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error: unknown) => {
    const detail = process.env.MPY_DEBUG ? (error as Error)?.stack : ((error as Error)?.message ?? String(error));
    process.stderr.write(`mpy: internal error: ${detail}\n(set MPY_DEBUG=1 for a stack trace; please report this)\n`);
    process.exit(INTERNAL_ERROR_STATUS);
  },
);
