/** `mpy sdist [DIR] [-o OUTDIR]`: builds a distribution package upip installs. */
import { isAbsolute, relative } from 'node:path';
import { PackagingError } from '../../pkg/errors.js';
import { buildSdist } from '../../pkg/sdist.js';
import { parseCommandLine, usageError } from './command-line.js';
import { forTerminal } from '../../terminal-text.js';

const HELP = `usage: mpy sdist [DIR] [-o OUTDIR] [-q] [--write-pyproject]

Build NAME-VERSION.tar.gz, a distribution package in the format upip
installs, from DIR/pyproject.toml ([project] name, version, description,
dependencies). Modules and packages are found as setuptools finds them (flat
or src/ layout), or listed in [tool.mpy] py-modules / packages; MANIFEST.in
and [tool.mpy.package-data] add resources, and every package's non-Python
files also go into its R.py for pkg_resources. The version is written in its
PEP 440 normal form (3.4.2-4 as 3.4.2.post4). The same input always gives
the same bytes.

A legacy project with only a setup.py is read without running it, when its
setup(...) call uses literals: name, version, description, author,
author_email, license, url, install_requires, packages, py_modules,
package_dir ({"": "src"}), package_data; the other arguments are ignored,
each with a warning saying why. With both files, setup.py is ignored.

arguments:
  DIR                 the project directory (default: .)

options:
  -o, --out-dir DIR   where to write the archive (default: DIR/dist)
  -q, --quiet         print errors only
  --write-pyproject   convert a setup.py-only project: write the equivalent
                      pyproject.toml, then build from it
  -h, --help          show this help

environment:
  SOURCE_DATE_EPOCH   modification time of the archive members (default: 0)`;

function sourceDateEpoch(): number | undefined | Error {
  const raw = process.env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw === '') return undefined;
  return /^\d+$/.test(raw) && Number(raw) <= 0o77777777777
    ? Number(raw)
    : new Error(`SOURCE_DATE_EPOCH must be a whole number of seconds, got ${JSON.stringify(raw)}`);
}

/** Runs `mpy sdist`; resolves with the exit status (0 built, 1 failed, 2 usage). */
export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandLine('sdist', HELP, {
    args,
    allowPositionals: true,
    options: {
      'out-dir': { type: 'string', short: 'o' },
      quiet: { type: 'boolean', short: 'q' },
      'write-pyproject': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length > 1) return usageError('sdist', `expected at most one DIR, got ${positionals.length}: ${positionals.join(' ')}`);
  const mtime = sourceDateEpoch();
  if (mtime instanceof Error) return usageError('sdist', mtime.message);
  try {
    const result = await buildSdist({
      dir: positionals[0] ?? '.',
      outDir: values['out-dir'],
      mtime,
      writePyproject: values['write-pyproject'],
    });
    if (result.wrotePyproject) process.stderr.write(`mpy sdist: wrote ${result.wrotePyproject} from setup.py\n`);
    if (!values.quiet) {
      for (const w of result.warnings) process.stderr.write(`mpy sdist: warning: ${forTerminal(w)}\n`);
      const files = result.members.filter((m) => !m.endsWith('/')).length;
      const res = [...result.resourceModules].map(([pkg, n]) => `${pkg}/R.py: ${n} resource${n === 1 ? '' : 's'}`);
      // Relative to the cwd when below it, else the absolute path (not ../../tmp/x).
      const below = relative(process.cwd(), result.archive);
      const where = below !== '' && !below.startsWith('..') && !isAbsolute(below) ? below : result.archive;
      process.stdout.write(`wrote ${where} (${files} files, ${result.bytes} bytes${res.length ? `; ${res.join(', ')}` : ''})\n`);
    }
    return 0;
  } catch (err) {
    if (err instanceof PackagingError) {
      process.stderr.write(`mpy sdist: ${forTerminal(err.message)}\n`);
      return 1;
    }
    throw err;
  }
}
