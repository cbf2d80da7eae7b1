/**
 * `mpy -m upip` when upip is not installed: the WebAssembly build has no
 * upip, so the host fetches the `micropython-upip` distribution from the
 * index with its own downloader, checks the sha256 the index gives,
 * unpacks it into the user's cache and runs it from there, unchanged
 * (./fetch-upip.ts, loaded only when there is no cached copy). The
 * cache directory goes on `sys.path` for that run only, after the user's
 * entries (so upip's default install target, `sys.path[1]`, is the user's).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { IndexMapping } from '../net/index-mapping.js';
import { upipCacheDir } from './cache-dir.js';
import { findModule } from './find-module.js';
import { forTerminal } from '../terminal-text.js';
import { BOOTSTRAP_FAILED_STATUS } from '../../runtime/guest-layout.js';

/** Where the bootstrap looks for upip unless told otherwise. */
const DEFAULT_UPIP_INDEX = 'https://pypi.org/pypi';

/** Options of {@link bootstrapUpip}. */
export interface UpipBootstrapOptions {
  /** The environment (MPY_UPIP_INDEX, MPY_INDEX_URL, XDG_CACHE_HOME, HOME, NODE_EXTRA_CA_CERTS). */
  readonly env: NodeJS.ProcessEnv;
  /** The working directory, for relative `sys.path` entries. */
  readonly cwd: string;
  /** The `sys.path` the program would get. */
  readonly path: readonly string[];
  /** Writes a message to stderr. */
  readonly writeError: (text: string) => void;
  /** Index to fetch from; default MPY_UPIP_INDEX, else {@link DEFAULT_UPIP_INDEX}. */
  readonly indexUrl?: string;
  /** Network time limit in ms. Default 30000. */
  readonly timeoutMs?: number;
}

/** The outcome: the `sys.path` to run with, or the exit status to stop with. */
export type UpipBootstrapResult = { readonly path: readonly string[]; readonly status?: undefined } | { readonly status: number };

/**
 * Makes `import upip` work for `mpy -m upip`: nothing to do when upip is on
 * `sys.path`; the cached copy when there is one; otherwise a fetch (one
 * line on stderr says so). Offline with no cache, a message says what to
 * do and the result is a non-zero status.
 */
export async function bootstrapUpip(options: UpipBootstrapOptions): Promise<UpipBootstrapResult> {
  const { env, path } = options;
  if (findModule('upip', path, options.cwd) !== undefined) return { path };
  const cache = upipCacheDir(env);
  const withCache = [...path, cache];
  if (existsSync(join(cache, 'upip.py'))) return { path: withCache };
  // Loaded here: a run from the cache needs none of the downloader.
  const { describeIndex, fetchUpip, UPIP_DISTRIBUTION } = await import('./fetch-upip.js');
  const index = options.indexUrl ?? (env.MPY_UPIP_INDEX || DEFAULT_UPIP_INDEX);
  let mapping: IndexMapping | undefined;
  try {
    mapping = env.MPY_INDEX_URL ? new IndexMapping(env.MPY_INDEX_URL) : undefined;
  } catch (err) {
    options.writeError(`mpy: MPY_INDEX_URL=${forTerminal(`${env.MPY_INDEX_URL} is not a usable index URL: ${(err as Error).message}`)}\n`);
    return { status: BOOTSTRAP_FAILED_STATUS };
  }
  const shown = describeIndex(index, mapping);
  try {
    const version = await fetchUpip(index, cache, mapping, options.timeoutMs ?? 30_000);
    options.writeError(
      `mpy: upip is not installed; fetched ${UPIP_DISTRIBUTION} ${forTerminal(`${version} from ${shown}`)} (sha256 checked) into ${forTerminal(cache)}\n`,
    );
    return { path: withCache };
  } catch (err) {
    options.writeError(
      `mpy: upip is not installed and ${UPIP_DISTRIBUTION} could not be fetched from ${forTerminal(`${shown}: ${(err as Error).message}`)}\n` +
        `mpy: to fix: set MPY_UPIP_INDEX to a reachable index (or MPY_INDEX_URL to a mirror of PyPI), ` +
        `or put upip.py and upip_utarfile.py into ${cache}\n`,
    );
    return { status: BOOTSTRAP_FAILED_STATUS };
  }
}
