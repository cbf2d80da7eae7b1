/** `mpy index build DIR -o OUT [--base-url URL]`: parses, writes the static index, prints a summary. */
import { buildStaticIndex } from '../../index/static-build.js';
import { parseCommandLine, usageError } from './command-line.js';
import { forTerminal } from '../../terminal-text.js';

const HELP = `usage: mpy index build DIR -o OUT [--base-url URL] [--json]

Write the package index of the distribution packages in DIR as static files
that any web host serves at the same URLs as "mpy serve":

  OUT/pypi/<name>/json, OUT/pypi/<name>/<version>/json, OUT/files/<filename>

OUT is replaced whole (only if it is empty or a previous build).

options:
  -o, --out OUT       output directory (required)
  --base-url URL      URL where OUT will be served; needed for upip, which
                      only follows absolute file URLs (mpy install also
                      resolves the relative URLs written without it)
  --json              print the result as JSON
  -h, --help          show this help`;

/** Runs `mpy index ...`; resolves with the exit status. */
export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandLine('index', HELP, {
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      'base-url': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals[0] !== 'build' || positionals.length !== 2 || !values.out) {
    return usageError('index', 'expected "build DIR -o OUT"');
  }
  try {
    const result = await buildStaticIndex({ dir: positionals[1]!, out: values.out, baseUrl: values['base-url'] });
    for (const p of result.problems) process.stderr.write(`mpy index: ${forTerminal(`${p.filename}: ${p.message}`)}\n`);
    if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`wrote ${result.projects} projects, ${result.files} files to ${forTerminal(result.out)}\n`);
    if (!values['base-url']) process.stderr.write('mpy index: no --base-url: file URLs are relative, which upip cannot follow\n');
    return 0;
  } catch (err) {
    process.stderr.write(`mpy index: ${forTerminal((err as Error).message)}\n`);
    return 1;
  }
}
