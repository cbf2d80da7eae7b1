/** `mpy manifest DIR [-o FILE] [--include M]...`: a firmware manifest.py for an installed tree. */
import { join } from 'node:path';
import { PackagingError } from '../../pkg/errors.js';
import { renderFirmwareManifest, writeFirmwareManifest } from '../../pkg/firmware-manifest.js';
import { parseCommandLine, usageError } from './command-line.js';

const HELP = `usage: mpy manifest DIR [-o FILE] [--include MANIFEST]...

Write a MicroPython firmware manifest.py that freezes the modules in DIR (a
directory mpy install -p wrote): package("name") for each package,
module("name.py") for each module, freeze_mpy(...) for .mpy files, paths
relative to the manifest. Build the firmware with it:

  make BOARD=... FROZEN_MANIFEST=/abs/path/to/manifest.py

options:
  -o, --output FILE   write FILE (atomically; an existing file only if mpy
                      wrote it). Default: print it, with paths relative to
                      DIR (save it as DIR/manifest.py)
  --include MANIFEST  include() another manifest first, such as the port's
                      own: '$(PORT_DIR)/boards/manifest.py' (repeatable)
  -h, --help          show this help`;

/** Runs `mpy manifest`; resolves with the exit status (0 written, 1 failed, 2 usage). */
export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandLine('manifest', HELP, {
    args,
    allowPositionals: true,
    options: { output: { type: 'string', short: 'o' }, include: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) return usageError('manifest', 'expected one DIR');
  const dir = positionals[0]!;
  try {
    if (values.output) {
      await writeFirmwareManifest(dir, values.output, values.include);
      process.stderr.write(`mpy manifest: wrote ${values.output}\n`);
    } else process.stdout.write(await renderFirmwareManifest(dir, join(dir, 'manifest.py'), values.include));
    return 0;
  } catch (err) {
    if (err instanceof PackagingError) {
      process.stderr.write(`mpy manifest: ${err.message}\n`);
      return 1;
    }
    const code = (err as NodeJS.ErrnoException).code;
    process.stderr.write(`mpy manifest: cannot read ${dir}: ${code ?? (err as Error).message}\n`);
    return 1;
  }
}
