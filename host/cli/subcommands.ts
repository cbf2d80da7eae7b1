/**
 * The `mpy` subcommands beside the Unix-port interface. Each lives in its own
 * module under `./commands/` and is imported only when asked for, so a plain
 * `mpy script.py` never pays for them.
 */
import type { BundleName } from '../../base/bundle.js';

/** A subcommand module: what `./commands/<name>.js` exports. */
export interface SubcommandModule {
  /** Runs the subcommand with the arguments after its name; resolves to the exit status. */
  run(args: string[]): Promise<number>;
}

/** One entry of the subcommand table. */
export interface SubcommandEntry {
  /** Module path relative to this file, as emitted to dist/. */
  readonly module: string;
  /** One line for `mpy --help`. */
  readonly summary: string;
  /** The bundle (`base/bundle.ts`) the module is run from when it is current; the module is imported otherwise. Default: none. */
  readonly bundle?: BundleName;
}

/** Every subcommand, by name. A first argument equal to one of these names selects it. */
export const SUBCOMMANDS: Readonly<Record<string, SubcommandEntry>> = {
  serve: {
    module: './commands/serve.js',
    summary: 'serve distribution packages in DIR as a package index for upip',
    bundle: 'serve-command',
  },
  index: {
    module: './commands/index-build.js',
    summary: 'index build DIR -o OUT: write the same index as static files',
    bundle: 'index-command',
  },
  install: {
    module: './commands/install.js',
    summary: 'install packages from an index: fast, parallel, all-or-nothing',
    bundle: 'install-command',
  },
  list: { module: './commands/list.js', summary: 'list the packages mpy install put into a directory' },
  uninstall: { module: './commands/uninstall.js', summary: 'remove installed packages (exactly their recorded files)' },
  lock: { module: './commands/lock.js', summary: 'write a requirements file with exact versions and hashes' },
  manifest: { module: './commands/manifest.js', summary: 'write a firmware manifest.py that freezes an installed tree' },
  sdist: { module: './commands/sdist.js', summary: 'build a distribution package (upip format) from pyproject.toml or setup.py' },
  bin2res: { module: './commands/bin2res.js', summary: 'write an R.py resource module for the given files' },
  compile: { module: './commands/compile.js', summary: 'compile .py files to .mpy bytecode on all cores', bundle: 'compile-command' },
};
