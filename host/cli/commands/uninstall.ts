/** `mpy uninstall [-p DIR] [--force] [--dry-run] [--json] NAME...`: removes recorded distributions. */
import { uninstall, type UninstallResult } from '../../install/uninstall.js';
import { parseCommandLine, usageError } from './command-line.js';
import { reportFailure } from './install-failure.js';

const HELP = `usage: mpy uninstall [-p DIR] [--force] [--dry-run] [--json] NAME...

Remove distributions mpy install put into DIR: exactly the files its install
record (DIR/.mpy-installed.json) lists for them, and the dependencies that
were installed only for them and that no remaining package requires. All or
nothing: on any failure DIR is left as it was.

Refused: a file that changed since it was installed (unless --force), and a
package another installed package requires (uninstall both, or neither).

options:
  -p, --target DIR    the install directory (default ~/.micropython/lib)
  --force             remove changed files too
  --dry-run           print what would be removed, change nothing
  --json              print the result (or the error) as JSON on stdout
  -h, --help          show this help`;

function summary(r: UninstallResult): string {
  const lines = [
    `${r.dryRun ? 'would remove' : 'removed'} ${r.removed.map((p) => `${p.name} ${p.version}${p.requested ? '' : ' (dependency)'}`).join(', ')} from ${r.target} (${r.files.length} file${r.files.length === 1 ? '' : 's'})`,
  ];
  if (r.dryRun) lines.push(...r.files.map((f) => `  ${f}`));
  if (r.modified.length) lines.push(`changed since installed, removed with --force: ${r.modified.join(', ')}`);
  if (r.missing.length) lines.push(`already gone: ${r.missing.join(', ')}`);
  for (const k of r.kept) lines.push(`kept ${k.name}: required by ${k.requiredBy.join(', ')}`);
  if (r.dryRun) lines.push('dry run: nothing was changed');
  return `${lines.join('\n')}\n`;
}

/** Runs `mpy uninstall`; resolves with the exit status (0 removed, 1 failed, 2 usage). */
export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandLine('uninstall', HELP, {
    args,
    allowPositionals: true,
    options: {
      target: { type: 'string', short: 'p' },
      force: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (!positionals.length) return usageError('uninstall', 'name at least one package to remove');
  try {
    const result = await uninstall({ names: positionals, target: values.target, force: values.force, dryRun: values['dry-run'] });
    if (values.json) process.stdout.write(`${JSON.stringify({ ok: true, ...result }, null, 2)}\n`);
    else process.stdout.write(summary(result));
    return 0;
  } catch (err) {
    return reportFailure('uninstall', err, values.json);
  }
}
