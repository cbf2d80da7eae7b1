/** `mpy bin2res FILE... [-o OUT]`: writes an R.py resource module for the files. */
import { writeFileAtomic } from '../../atomic-write.js';
import { bin2res } from '../../pkg/bin2res.js';
import { PackagingError } from '../../pkg/errors.js';
import { parseCommandLine, usageError } from './command-line.js';

const HELP = `usage: mpy bin2res FILE... [-o OUT]

Write a resource module R.py: a dict R from each FILE, keyed exactly as
named on the command line, to its bytes. pkg_resources.resource_stream()
reads resources from it when it is PACKAGE/R.py.

options:
  -o, --output OUT   write to OUT instead of standard output
  -h, --help         show this help`;

/** Runs `mpy bin2res`; resolves with the exit status (0 written, 1 failed, 2 usage). */
export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandLine('bin2res', HELP, {
    args,
    allowPositionals: true,
    options: { output: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length === 0) {
    return usageError('bin2res', 'no files given');
  }
  try {
    const text = await bin2res({ files: positionals });
    if (values.output === undefined) process.stdout.write(text);
    else await writeFileAtomic(values.output, text);
    return 0;
  } catch (err) {
    if (err instanceof PackagingError) {
      process.stderr.write(`mpy bin2res: ${err.message}\n`);
      return 1;
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code) {
      process.stderr.write(`mpy bin2res: cannot write ${values.output}: ${code}\n`);
      return 1;
    }
    throw err;
  }
}
