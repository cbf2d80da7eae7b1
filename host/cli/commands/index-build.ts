/** `mpy index build SOURCE... -o OUT [--base-url URL]`: parses, writes the static index (both layouts), prints a summary. */
import { scanCatalog } from '../../index/catalog.js';
import { buildStaticIndex } from '../../index/static-build.js';
import { buildV2 } from '../../index/v2/build.js';
import { classifySources } from '../../index/v2/sources.js';
import { readTrees } from '../../index/v2/tree-packages.js';
import { parseCommandLine, usageError } from './command-line.js';
import { forTerminal } from '../../terminal-text.js';

const HELP = `usage: mpy index build SOURCE... -o OUT [--base-url URL] [--json]

Write a package index as static files that any web host serves at the same
URLs as "mpy serve". Each SOURCE is a directory of distribution packages
(*.tar.gz) or a tree of packages described by manifest.py files (such as a
micropython-lib checkout). Both layouts are written:

  index v2 (mip, mpremote mip, mpy install):
    OUT/index.json, OUT/package/{6,py}/<name>/{latest,<version>}.json,
    OUT/file/<h[:2]>/<h>
  PyPI JSON (upip, mpy install), from the distribution packages:
    OUT/pypi/<name>/json, OUT/pypi/<name>/<version>/json, OUT/files/<filename>

OUT is replaced whole (only if it is empty or a previous build).

options:
  -o, --out OUT       output directory (required)
  --base-url URL      URL where OUT will be served; needed for upip, which
                      only follows absolute file URLs (mip and mpy install
                      need no base URL)
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
  if (positionals[0] !== 'build' || positionals.length < 2 || !values.out) {
    return usageError('index', 'expected "build SOURCE... -o OUT"');
  }
  try {
    const started = process.hrtime.bigint();
    const sources = await classifySources(positionals.slice(1));
    const v2Problems: string[] = [];
    const trees = await readTrees(sources.trees, v2Problems);
    const catalog = sources.packageDir === undefined ? undefined : await scanCatalog(sources.packageDir);
    const v2 = await buildV2(trees, catalog, v2Problems);
    const result = await buildStaticIndex({ dir: sources.packageDir, out: values.out, baseUrl: values['base-url'], extraFiles: v2.files });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    for (const p of result.problems) process.stderr.write(`mpy index: ${forTerminal(`${p.filename}: ${p.message}`)}\n`);
    for (const p of v2Problems) process.stderr.write(`mpy index: ${forTerminal(p)}\n`);
    if (values.json) process.stdout.write(`${JSON.stringify({ ...result, v2Packages: v2.packages, v2Problems, seconds }, null, 2)}\n`);
    else {
      const fileCount = [...v2.files.keys()].filter((k) => k.startsWith('file/')).length;
      process.stdout.write(
        `wrote ${v2.packages} packages (index v2, ${fileCount} files) and ${result.projects} projects (PyPI JSON, ${result.files} files) to ${forTerminal(result.out)} in ${seconds.toFixed(2)} s\n`,
      );
    }
    if (!values['base-url'] && result.projects > 0)
      process.stderr.write('mpy index: no --base-url: PyPI file URLs are relative, which upip cannot follow\n');
    return 0;
  } catch (err) {
    process.stderr.write(`mpy index: ${forTerminal((err as Error).message)}\n`);
    return 1;
  }
}
