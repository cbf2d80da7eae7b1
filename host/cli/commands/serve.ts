/**
 * `mpy serve SOURCE... [--port N] [--host H] [--base-url URL]`: parses,
 * reads the sources, starts the index server, prints where it listens,
 * stops on SIGINT/SIGTERM.
 */
import { startIndexServer } from '../../index/server.js';
import { classifySources } from '../../index/v2/sources.js';
import { readTrees } from '../../index/v2/tree-packages.js';
import { parseCommandLine, usageError } from './command-line.js';
import { forTerminal } from '../../terminal-text.js';

const HELP = `usage: mpy serve SOURCE... [--port N] [--host H] [--base-url URL] [--quiet]

Serve a package index for mip, upip and mpy install. Each SOURCE is a
directory of distribution packages (*.tar.gz; at most one) or a tree of
packages described by manifest.py files (such as a micropython-lib checkout).

  index v2 (mip, mpremote mip, mpy install), from every SOURCE:
    <url>/index.json                          all packages
    <url>/package/{6,py}/<name>/<version>.json  one release (also latest.json)
    <url>/file/<h[:2]>/<h>                    files by sha256 prefix
  PyPI JSON (upip, mpy install), from the distribution packages:
    <url>/pypi/<name>/json            project metadata
    <url>/pypi/<name>/<version>/json  one release
    <url>/files/<filename>            the packages, with sha256 digests

Packages added to the package directory later are served from the next
request on; manifest trees are read once, at start.

options:
  -p, --port N        port to listen on; 0 picks a free one (default 8080)
  -H, --host H        address to listen on (default 127.0.0.1: this machine
                      only). --host 0.0.0.0 serves devices on the LAN: every
                      package in DIR, read-only, plain HTTP, no authentication
  --base-url URL      root URL written into file URLs (default: from each
                      request's Host header)
  -q, --quiet         no per-request log lines
  -h, --help          show this help

The first line printed is the PyPI index URL, for "mpy install -i URL" or
"micropython -m upip install -i URL"; the server root is the index for
"micropython -m mip install --index URL".`;

/** Runs `mpy serve`; resolves with the exit status once the server has stopped. */
export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandLine('serve', HELP, {
    args,
    allowPositionals: true,
    options: {
      port: { type: 'string', short: 'p' },
      host: { type: 'string', short: 'H' },
      'base-url': { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length < 1) {
    return usageError('serve', 'expected at least one SOURCE directory');
  }
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return usageError('serve', `--port must be 0-65535, not ${JSON.stringify(values.port)}`);
  }
  let server: Awaited<ReturnType<typeof startIndexServer>>;
  try {
    const sources = await classifySources(positionals);
    const problems: string[] = [];
    const trees = await readTrees(sources.trees, problems);
    for (const p of problems) process.stderr.write(`mpy serve: ${forTerminal(p)}\n`);
    server = await startIndexServer({
      dir: sources.packageDir,
      trees,
      port,
      host: values.host ?? '127.0.0.1',
      baseUrl: values['base-url'],
      log: values.quiet ? undefined : (line) => process.stderr.write(`${forTerminal(line)}\n`),
      warn: (line) => process.stderr.write(`mpy serve: skipped ${forTerminal(line)}\n`),
      notice: (line) => process.stderr.write(`mpy serve: ${forTerminal(line)}\n`),
    });
  } catch (err) {
    process.stderr.write(`mpy serve: cannot serve ${forTerminal(`${positionals.join(' ')}: ${(err as Error).message}`)}\n`);
    return 1;
  }
  const c = server.catalog;
  process.stdout.write(`${server.indexUrl}\n`);
  process.stdout.write(
    `serving ${await server.v2Packages()} packages to mip at ${server.url} and ${c.projects.size} projects (${c.files.size} files) to upip; Ctrl-C stops\n`,
  );
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  process.stderr.write('mpy serve: stopped\n');
  return 0;
}
