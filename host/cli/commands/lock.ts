/** `mpy lock [-p DIR] [-o FILE]`: writes the requirements file that reproduces DIR. */
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../../atomic-write.js';
import { InstallError } from '../../install/errors.js';
import { renderLock } from '../../install/lock.js';
import { defaultTarget } from '../../install/options.js';
import { readRecord } from '../../install/record.js';
import { parseCommandLine, usageError } from './command-line.js';
import { reportFailure } from './install-failure.js';

const HELP = `usage: mpy lock [-p DIR] [-o FILE]

Write a requirements file that reproduces what mpy install put into DIR:
every distribution (dependencies included) pinned with == and the sha256 of
its archive, as pip writes them:

  micropython-foo==1.0 \\
      --hash=sha256:<64 hex digits>

"mpy install -r FILE -p OTHER -i INDEX" then installs the same files, byte
for byte, or fails if an archive differs (hash-checking mode).

options:
  -p, --target DIR    the install directory (default ~/.micropython/lib)
  -o, --output FILE   write FILE (atomically) instead of printing
  -h, --help          show this help`;

/** Runs `mpy lock`; resolves with the exit status (0 written, 1 failed, 2 usage). */
export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandLine('lock', HELP, {
    args,
    allowPositionals: true,
    options: { target: { type: 'string', short: 'p' }, output: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length) return usageError('lock', `unexpected argument ${positionals[0]}; give the directory with -p`);
  const given = resolve(values.target ?? defaultTarget());
  const target = await realpath(given).catch(() => given);
  try {
    const text = renderLock(await readRecord(target), target);
    if (!values.output) {
      process.stdout.write(text);
      return 0;
    }
    try {
      await writeFileAtomic(values.output, text);
    } catch (err) {
      throw new InstallError('io-error', `cannot write ${values.output}: ${(err as Error).message}`, 'check the path given to -o', err);
    }
    process.stderr.write(`mpy lock: wrote ${values.output}\n`);
    return 0;
  } catch (err) {
    return reportFailure('lock', err, false);
  }
}
