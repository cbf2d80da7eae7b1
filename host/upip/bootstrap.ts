/**
 * `mpy -m upip` when upip is not installed: the WebAssembly build has no
 * upip, so the host fetches the `micropython-upip` distribution from the
 * index with its own downloader, checks the sha256 the index gives,
 * unpacks it into the user's cache and runs it from there, unchanged. The
 * cache directory goes on `sys.path` for that run only, after the user's
 * entries (so upip's default install target, `sys.path[1]`, is the user's).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readDistribution } from '../archive/index.js';
import { httpGet } from '../net/http-get.js';
import { IndexMapping } from '../net/index-mapping.js';
import { upipCacheDir } from './cache-dir.js';
import { findModule } from './find-module.js';
import { forTerminal } from '../terminal-text.js';
import { BOOTSTRAP_FAILED_STATUS } from '../../runtime/guest-layout.js';

/** The distribution that holds upip. */
const UPIP_DISTRIBUTION = 'micropython-upip';
/** Where the bootstrap looks for it unless told otherwise. */
const DEFAULT_UPIP_INDEX = 'https://pypi.org/pypi';
const MARKER = '.mpy-upip.json';

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

interface ReleaseFile {
  url: string;
  sha256: string | undefined;
}

function pickSdist(doc: unknown): { version: string; file: ReleaseFile } {
  const d = doc as { info?: { version?: unknown }; releases?: Record<string, unknown>; urls?: unknown };
  const version = d?.info?.version;
  if (typeof version !== 'string') throw new Error('the index document has no info.version');
  const files = (Array.isArray(d.releases?.[version]) ? d.releases[version] : Array.isArray(d.urls) ? d.urls : []) as Array<{
    url?: unknown;
    filename?: unknown;
    digests?: { sha256?: unknown };
  }>;
  const sdist = files.find((f) => typeof f.url === 'string' && /\.(tar\.gz|tgz)$/i.test(String(f.filename ?? f.url).split('?')[0]!));
  if (!sdist) throw new Error(`release ${version} has no .tar.gz file`);
  const sha = sdist.digests?.sha256;
  return { version, file: { url: sdist.url as string, sha256: typeof sha === 'string' ? sha.toLowerCase() : undefined } };
}

/** Keeps what upip itself would install: the modules, not the packaging metadata. */
function isModuleFile(path: string): boolean {
  const rest = path.split('/').slice(1).join('/');
  return rest !== '' && !/^(setup\.|PKG-INFO|README)/.test(rest) && !rest.includes('.egg-info');
}

/** The URL really fetched for `url`: the mapped one when MPY_INDEX_URL maps it. */
function reallyFetched(url: string, mapping: IndexMapping | undefined): string {
  try {
    return mapping?.map(new URL(url))?.href ?? url;
  } catch {
    return url;
  }
}

/** The index as the messages name it: the URL really used, and what it stands in for. */
function describeIndex(index: string, mapping: IndexMapping | undefined): string {
  const real = reallyFetched(index, mapping).replace(/\/+$/, '');
  return real === index.replace(/\/+$/, '') ? index : `${real} (MPY_INDEX_URL, standing in for ${index})`;
}

async function fetchUpip(index: string, cache: string, mapping: IndexMapping | undefined, timeoutMs: number): Promise<string> {
  const get = { timeoutMs, mapping };
  const asked = `${index.replace(/\/+$/, '')}/${UPIP_DISTRIBUTION}/json`;
  const docUrl = reallyFetched(asked, mapping);
  const doc = await httpGet(asked, get);
  if (doc === undefined) throw new Error(`${docUrl} says there is no ${UPIP_DISTRIBUTION} (404)`);
  const { version, file } = pickSdist(JSON.parse(doc.body.toString('utf8')));
  if (file.sha256 === undefined) throw new Error(`${docUrl} gives no sha256 for ${file.url}; refusing an unverifiable download`);
  const fileUrl = new URL(file.url, doc.url).href;
  const shownFile = reallyFetched(fileUrl, mapping);
  const gz = await httpGet(fileUrl, get);
  if (gz === undefined) throw new Error(`${shownFile} is missing (404)`);
  const actual = createHash('sha256').update(gz.body).digest('hex');
  if (actual !== file.sha256) throw new Error(`${shownFile} has sha256 ${actual}, but the index says ${file.sha256}`);
  const dist = readDistribution(gz.body, shownFile);
  const staging = `${cache}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  for (const { entry, path } of dist.members) {
    if (entry.type !== 'file' || !isModuleFile(path)) continue;
    const out = join(staging, path.split('/').slice(1).join('/'));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, entry.data);
  }
  if (!existsSync(join(staging, 'upip.py'))) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`${shownFile} has no upip.py`);
  }
  writeFileSync(
    join(staging, MARKER),
    `${JSON.stringify({ distribution: UPIP_DISTRIBUTION, version, url: file.url, sha256: file.sha256 })}\n`,
  );
  rmSync(cache, { recursive: true, force: true });
  mkdirSync(dirname(cache), { recursive: true });
  renameSync(staging, cache);
  return version;
}

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
