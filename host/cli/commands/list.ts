/** `mpy list [-p DIR] [--json]`: the distributions the install record of DIR lists. */
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { defaultTarget } from '../../install/options.js';
import { readRecord } from '../../install/record.js';
import { parseCommandLine, usageError } from './command-line.js';
import { reportFailure } from './install-failure.js';

const HELP = `usage: mpy list [-p DIR] [--json]

List the distributions mpy install put into DIR (from DIR/.mpy-installed.json):
name, version, number of files, and why it is there (requested, or which
installed packages require it).

options:
  -p, --target DIR    the install directory (default ~/.micropython/lib)
  --json              print the record's entries as JSON
  -h, --help          show this help`;

/** Runs `mpy list`; resolves with the exit status (0 listed, 1 failed, 2 usage). */
export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandLine('list', HELP, {
    args,
    allowPositionals: true,
    options: { target: { type: 'string', short: 'p' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length) return usageError('list', `unexpected argument ${positionals[0]}; give the directory with -p`);
  const given = resolve(values.target ?? defaultTarget());
  const target = await realpath(given).catch(() => given);
  try {
    const record = await readRecord(target);
    const entries = Object.values(record.packages).sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));
    if (values.json) {
      const packages = entries.map((e) => ({ ...e, files: Object.keys(e.files).sort() }));
      process.stdout.write(`${JSON.stringify({ ok: true, target, packages }, null, 2)}\n`);
      return 0;
    }
    if (!entries.length) {
      process.stdout.write(`nothing installed by mpy in ${target}\n`);
      return 0;
    }
    const rows = [
      ['Package', 'Version', 'Files', 'Installed because'],
      ...entries.map((e) => [
        e.name,
        e.version,
        String(Object.keys(e.files).length),
        [
          e.requested ? 'requested' : '',
          e.requiredBy.length ? `required by ${e.requiredBy.map((k) => record.packages[k]?.name ?? k).join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; ') || 'dependency',
      ]),
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    const line = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
    process.stdout.write(`${[line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n')}\n`);
    return 0;
  } catch (err) {
    return reportFailure('list', err, values.json);
  }
}
