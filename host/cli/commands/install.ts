/** `mpy install [-p DIR] [-i URL]... [-r FILE]... [-U] [--dry-run] [NAME[==VERSION]]...`: parses, installs, prints. */
import { install } from '../../install/install.js';
import { InstallError } from '../../install/errors.js';
import { writeFirmwareManifest } from '../../pkg/firmware-manifest.js';
import { createProgress } from '../../install/progress.js';
import { DEFAULT_INDEXES, type InstallEvent, type InstallResult } from '../../install/options.js';
import { forTerminal } from '../../terminal-text.js';
import { parseCommandLine, usageError } from './command-line.js';
import { reportFailure } from './install-failure.js';
import { MIP_DEFAULT_INDEX } from '../../net/index-mapping.js';

const HELP = `usage: mpy install [options] [NAME | NAME==VERSION | "NAME>=1,<2" | SPEC]...

Install MicroPython packages and their dependencies (requires.txt) from
package indexes, in upip's layout; with --mip, or for a repository SPEC
(github:ORG/REPO[/PATH][@BRANCH], gitlab:..., codeberg:..., an http(s) URL
of a package.json or .py file), install mip packages from index v2 as mip
does (NAME or NAME@VERSION, with their deps, every file hash-checked).
All or nothing: on any failure the target is left exactly as it was, and
the exit status is non-zero (130 when cancelled with Ctrl-C or SIGTERM). What was installed is recorded in
DIR/.mpy-installed.json (see mpy list, mpy uninstall, mpy lock); a package
already installed at a version that satisfies the requirement is kept.

options:
  -p, --target DIR    install into DIR (default ~/.micropython/lib)
  -i, --index URL     index URL, e.g. http://127.0.0.1:8080/pypi; repeat to
                      ask several in order (a 404 moves on to the next).
                      default: ${DEFAULT_INDEXES.join(', ')}
  --extra-index-url URL
                      ask this index after the others (repeatable)
  -r, --requirement FILE
                      install the requirements listed in FILE (repeatable):
                      pip's format with comments, \\ continuations, -r,
                      -i/--index-url, --extra-index-url, --hash=sha256:…
  -U, --upgrade       look the named packages up again and upgrade them
                      (their dependencies only when required)
  --require-hashes    hash-checking mode: every requirement pinned with == and
                      --hash=sha256:…, every dependency listed (on anyway when
                      a line has --hash). Without it, an archive the index
                      gives no sha256 for is installed with a warning
  --dry-run           resolve and download, print what would change, change
                      nothing
  --manifest FILE     after installing, write a firmware manifest.py for the
                      target (see mpy manifest --help)
  --mip               install NAME[@VERSION] from index v2, as mip does; the
                      index is -i without its /pypi suffix (default mip's,
                      ${MIP_DEFAULT_INDEX}, mapped by MPY_INDEX_URL)
  --no-mpy            with mip packages: install sources (package/py), not
                      .mpy files (package/6)
  --compile           compile the .py files to .mpy and install those instead
  --cache-dir DIR     archive cache (default $XDG_CACHE_HOME/mpy or ~/.cache/mpy)
  --no-cache          neither read nor write the cache
  --timeout SECONDS   per-request timeout (default 60)
  --json              print the result (or the error) as JSON on stdout
  -h, --help          show this help`;

function summary(result: InstallResult): string {
  const lines: string[] = [];
  const verb = result.dryRun ? 'would install' : 'installed';
  const names = result.packages
    .map((p) => `${p.name} ${p.previous && p.previous !== p.version ? `${p.previous} → ` : ''}${p.version}`)
    .join(', ');
  const target = forTerminal(result.target);
  if (result.packages.length)
    lines.push(
      `${verb} ${result.packages.length} package${result.packages.length === 1 ? '' : 's'} (${result.files} files) into ${target}: ${forTerminal(names)}`,
    );
  if (result.kept.length) lines.push(`already installed: ${forTerminal(result.kept.map((p) => `${p.name} ${p.version}`).join(', '))}`);
  if (result.removed.length)
    lines.push(
      `${result.dryRun ? 'would remove' : 'removed'} ${result.removed.length} file${result.removed.length === 1 ? '' : 's'} of the replaced versions: ${forTerminal(result.removed.join(', '))}`,
    );
  if (!result.packages.length && !result.dryRun) lines.push(`nothing to do in ${target}`);
  if (result.dryRun) lines.push('dry run: nothing was changed');
  return `${lines.join('\n')}\n`;
}

/** Runs `mpy install`; resolves with the exit status (0 installed, 1 failed, 2 usage, 130 cancelled). */
export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandLine('install', HELP, {
    args,
    allowPositionals: true,
    options: {
      target: { type: 'string', short: 'p' },
      index: { type: 'string', short: 'i', multiple: true },
      'extra-index-url': { type: 'string', multiple: true },
      requirement: { type: 'string', short: 'r', multiple: true },
      upgrade: { type: 'boolean', short: 'U' },
      'require-hashes': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      manifest: { type: 'string' },
      compile: { type: 'boolean' },
      mip: { type: 'boolean' },
      'no-mpy': { type: 'boolean' },
      'cache-dir': { type: 'string' },
      'no-cache': { type: 'boolean' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeout !== undefined && !(timeout > 0)) {
    return usageError('install', '--timeout must be a positive number of seconds');
  }
  const progress = values.json ? undefined : createProgress(process.stderr);
  const unverified: string[] = [];
  const onEvent = (event: InstallEvent): void => {
    if (event.type === 'unverified') unverified.push(`${event.name} ${event.version} (${event.url})`);
    progress?.onEvent(event);
  };
  const warnUnverified = (): void => {
    if (values.json) return;
    for (const u of unverified) {
      process.stderr.write(
        `mpy install: warning: ${forTerminal(u)}: the index gives no sha256 digest; installed unverified (--require-hashes refuses this)\n`,
      );
    }
  };
  // Ctrl-C or SIGTERM cancels cleanly: nothing is left half-installed and no
  // staging directory is left behind (a second signal is ignored meanwhile).
  const cancel = new AbortController();
  const onSignal = (): void => cancel.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await install({
      requirements: positionals,
      requirementFiles: values.requirement,
      target: values.target,
      indexes: values.index,
      extraIndexes: values['extra-index-url'],
      upgrade: values.upgrade,
      requireHashes: values['require-hashes'],
      dryRun: values['dry-run'],
      cacheDir: values['cache-dir'],
      noCache: values['no-cache'],
      compile: values.compile,
      mip: values.mip,
      mipMpy: !values['no-mpy'],
      env: process.env,
      timeoutMs: timeout === undefined ? undefined : timeout * 1000,
      onEvent,
      signal: cancel.signal,
    });
    progress?.finish();
    warnUnverified();
    if (values.manifest && !result.dryRun) {
      try {
        await writeFirmwareManifest(result.target, values.manifest);
      } catch (err) {
        throw new InstallError(
          'io-error',
          `installed, but the manifest was not written: ${(err as Error).message}`,
          'run mpy manifest DIR -o FILE once the problem is fixed',
        );
      }
    }
    if (values.json) process.stdout.write(`${JSON.stringify({ ok: true, ...result }, null, 2)}\n`);
    else process.stdout.write(summary(result));
    return 0;
  } catch (err) {
    progress?.finish();
    return reportFailure('install', err, values.json);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
