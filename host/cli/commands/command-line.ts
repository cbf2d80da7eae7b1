/** Option parsing, `--help` and usage errors shared by the `mpy SUBCOMMAND` commands. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SUBCOMMAND_USAGE_STATUS } from '../../../runtime/guest-layout.js';

/**
 * Prints `mpy COMMAND: MESSAGE` and where to find the usage to stderr.
 * @returns {@link SUBCOMMAND_USAGE_STATUS}, for `return usageError(...)`
 */
export function usageError(command: string, message: string): number {
  process.stderr.write(`mpy ${command}: ${message}\nTry 'mpy ${command} --help'.\n`);
  return SUBCOMMAND_USAGE_STATUS;
}

/**
 * Parses a subcommand's arguments with `util.parseArgs`. An unknown option or
 * a missing value is a usage error; `-h`/`--help` (which every config should
 * declare) prints `help` to stdout.
 * @returns the parsed arguments, or the exit status to return at once
 */
export function parseCommandLine<T extends ParseArgsConfig>(
  command: string,
  help: string,
  config: T,
): ReturnType<typeof parseArgs<T>> | number {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    return usageError(command, (err as Error).message);
  }
  if ((parsed.values as { help?: unknown }).help === true) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  return parsed;
}
