/** `mpy install [-p DIR] [-i URL]... [-r FILE]... [NAME[==VERSION]]...`: parses, installs, prints. */
import { install } from '../../install/install.js';
import { InstallError } from '../../install/errors.js';
import { createProgress } from '../../install/progress.js';
import { DEFAULT_INDEXES } from '../../install/options.js';
import { parseCommandLine, usageError } from './command-line.js';
import { MIP_DEFAULT_INDEX } from '../../net/index-mapping.js';

const HELP = `usage: mpy install [options] [NAME | NAME==VERSION | "NAME>=1,<2" | SPEC]...

Install MicroPython packages and their dependencies (requires.txt) from
package indexes, in upip's layout; with --mip, or for a repository SPEC
(github:ORG/REPO[/PATH][@BRANCH], gitlab:..., codeberg:..., an http(s) URL
of a package.json or .py file), install mip packages from index v2 as mip
does (NAME or NAME@VERSION, with their deps, every file hash-checked). All or nothing: on any failure the target
is left exactly as it was, and the exit status is non-zero (130 when
cancelled with Ctrl-C or SIGTERM).

options:
  -p, --target DIR    install into DIR (default ~/.micropython/lib)
  -i, --index URL     index URL, e.g. http://127.0.0.1:8080/pypi; repeat to
                      ask several in order (a 404 moves on to the next).
                      default: ${DEFAULT_INDEXES.join(', ')}
  -r, --requirement FILE
                      install the requirements listed in FILE (repeatable)
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

/** Exit status after a cancelling signal, as a shell reports SIGINT (128 + 2). */
const CANCELLED_STATUS = 130;

/** Runs `mpy install`; resolves with the exit status (0 installed, 1 failed, 2 usage, 130 cancelled). */
export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandLine('install', HELP, {
    args,
    allowPositionals: true,
    options: {
      target: { type: 'string', short: 'p' },
      index: { type: 'string', short: 'i', multiple: true },
      requirement: { type: 'string', short: 'r', multiple: true },
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
      cacheDir: values['cache-dir'],
      noCache: values['no-cache'],
      compile: values.compile,
      mip: values.mip,
      mipMpy: !values['no-mpy'],
      env: process.env,
      timeoutMs: timeout === undefined ? undefined : timeout * 1000,
      onEvent: progress?.onEvent,
      signal: cancel.signal,
    });
    progress?.finish();
    if (values.json) process.stdout.write(`${JSON.stringify({ ok: true, ...result }, null, 2)}\n`);
    else {
      const names = result.packages.map((p) => `${p.name} ${p.version}`).join(', ');
      process.stdout.write(`installed ${result.packages.length} package${result.packages.length === 1 ? '' : 's'} (${result.files} files) into ${result.target}: ${names}\n`);
    }
    return 0;
  } catch (err) {
    progress?.finish();
    const e = err instanceof InstallError ? err : new InstallError('io-error', (err as Error).message ?? String(err), 'check the permissions and free space of the target directory and its parent', err);
    if (values.json) process.stdout.write(`${JSON.stringify({ ok: false, error: { code: e.code, message: e.message, hint: e.hint } }, null, 2)}\n`);
    else process.stderr.write(`mpy install: ${e.code === 'cancelled' ? '' : 'error: '}${e.message}\n  ${e.hint}\n`);
    return e.code === 'cancelled' ? CANCELLED_STATUS : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
