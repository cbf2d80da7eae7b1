/**
 * `mpy -m mip` when mip is not installed: the WebAssembly build has no
 * frozen mip, so the host fetches micropython-lib's `mip-cmdline` package
 * (mip, its `__main__` and argparse) from an index v2 with its own
 * downloader, checks every file against the sha256 prefix the index names
 * it by, caches it, and runs it from there, unchanged. mpy's own `requests`
 * stands in for the index's. The cache goes on `sys.path` for that run
 * only, after the user's entries, so mip's default target (the first `lib`
 * entry of `sys.path`) is the user's `~/.micropython/lib`, as on the Unix port.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { IndexMapping, MIP_DEFAULT_INDEX } from '../net/index-mapping.js';
import { mpyCacheDir } from '../upip/cache-dir.js';
import { findModule } from '../upip/find-module.js';
import { parsePackageJson } from './package-json.js';
import { BOOTSTRAP_FAILED_STATUS } from '../../runtime/guest-layout.js';

/** The package that gives `micropython -m mip` (mip, argparse, requests). */
const MIP_PACKAGE = 'mip-cmdline';
/** Packages the bootstrap leaves out because mpy has its own. */
const OWN_PACKAGES = new Set(['requests']);
const MARKER = '.mpy-mip.json';

/** The directory the mip bootstrap unpacks into. */
function mipCacheDir(env: NodeJS.ProcessEnv): string {
  return join(mpyCacheDir(env), 'mip');
}

/** Options of {@link bootstrapMip}. */
export interface MipBootstrapOptions {
  /** The environment (MPY_INDEX_URL, XDG_CACHE_HOME, HOME). */
  readonly env: NodeJS.ProcessEnv;
  /** The working directory, for relative `sys.path` entries. */
  readonly cwd: string;
  /** The `sys.path` the program would get. */
  readonly path: readonly string[];
  /** mip's own arguments (`sys.argv`): an `--index`/`-i` there is where mip comes from too. */
  readonly argv: readonly string[];
  /** Writes a message to stderr. */
  readonly writeError: (text: string) => void;
  /** Network time limit in ms. Default 30000. */
  readonly timeoutMs?: number;
}

/** The outcome: the `sys.path` to run with, or the exit status to stop with. */
export type MipBootstrapResult = { readonly path: readonly string[]; readonly status?: undefined } | { readonly status: number };

/** The index mip will be asked to use (`--index URL`, `-i URL`, `--index=URL`), else its default. */
function mipIndexFromArgv(argv: readonly string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if ((a === '--index' || a === '-i') && argv[i + 1] !== undefined) return argv[i + 1]!;
    if (a.startsWith('--index=')) return a.slice('--index='.length);
  }
  return MIP_DEFAULT_INDEX;
}

interface Fetched {
  readonly files: Map<string, Buffer>;
  readonly version: string;
  readonly packages: string[];
}

async function fetchMip(index: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Fetched> {
  // Loaded here: a run from the cache needs no HTTP client.
  const { httpGet } = await import('../net/http-get.js');
  const mapping = env.MPY_INDEX_URL ? new IndexMapping(env.MPY_INDEX_URL) : undefined;
  const get = { timeoutMs, mapping };
  const root = index.replace(/\/+$/, '');
  const files = new Map<string, Buffer>();
  const packages: string[] = [];
  const seen = new Set<string>();
  let topVersion = '';
  const fetchPackage = async (name: string, version: string): Promise<void> => {
    if (seen.has(name) || OWN_PACKAGES.has(name)) return;
    seen.add(name);
    let doc: Awaited<ReturnType<typeof httpGet>>;
    for (const dir of ['6', 'py']) {
      doc = await httpGet(`${root}/package/${dir}/${name}/${version || 'latest'}.json`, get);
      if (doc) break;
    }
    if (!doc) throw new Error(`${root} has no package ${name} (404 for package/6/${name}/${version || 'latest'}.json)`);
    const pkg = parsePackageJson(doc.body.toString('utf8'), doc.url);
    if (name === MIP_PACKAGE) topVersion = pkg.version;
    packages.push(name);
    if (pkg.urls.length) throw new Error(`${doc.url} names files by URL, without a hash; refusing an unverifiable download`);
    for (const [path, hash] of pkg.hashes) {
      if (OWN_PACKAGES.has(path.split('/')[0]!.replace(/\.m?py$/, ''))) continue;
      const url = `${root}/file/${hash.slice(0, 2)}/${hash}`;
      const body = await httpGet(url, get);
      if (!body) throw new Error(`${url} (${path}) is missing (404)`);
      const actual = createHash('sha256').update(body.body).digest('hex');
      if (!actual.startsWith(hash)) throw new Error(`${url} (${path}) has sha256 ${actual}, which does not start with ${hash}`);
      files.set(path, body.body);
    }
    for (const [dep, depVersion] of pkg.deps) await fetchPackage(dep, depVersion === 'latest' ? '' : depVersion);
  };
  await fetchPackage(MIP_PACKAGE, '');
  if (![...files.keys()].some((p) => /^mip\/__main__\.m?py$/.test(p))) throw new Error(`${MIP_PACKAGE} from ${root} has no mip/__main__`);
  return { files, version: topVersion, packages };
}

function install(cache: string, fetched: Fetched, index: string): void {
  const staging = `${cache}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  for (const [path, bytes] of fetched.files) {
    mkdirSync(dirname(join(staging, path)), { recursive: true });
    writeFileSync(join(staging, path), bytes);
  }
  writeFileSync(
    join(staging, MARKER),
    `${JSON.stringify({ package: MIP_PACKAGE, version: fetched.version, index, files: [...fetched.files.keys()] })}\n`,
  );
  rmSync(cache, { recursive: true, force: true });
  mkdirSync(dirname(cache), { recursive: true });
  renameSync(staging, cache);
}

function hasMipMain(dir: string): boolean {
  return existsSync(join(dir, 'mip', '__main__.py')) || existsSync(join(dir, 'mip', '__main__.mpy'));
}

/**
 * Makes `python -m mip` work: nothing to do when mip is on `sys.path`; the
 * cached copy when there is one; otherwise a fetch (one line on stderr says
 * so). Offline with no cache, a message says what to do and the result is
 * a non-zero status.
 */
export async function bootstrapMip(options: MipBootstrapOptions): Promise<MipBootstrapResult> {
  const { env, path } = options;
  if (findModule('mip', path, options.cwd) !== undefined) return { path };
  const cache = mipCacheDir(env);
  const withCache = [...path, cache];
  if (hasMipMain(cache)) return { path: withCache };
  const index = mipIndexFromArgv(options.argv);
  try {
    const fetched = await fetchMip(index, env, options.timeoutMs ?? 30_000);
    install(cache, fetched, index);
    options.writeError(
      `mpy: mip is not installed; fetched ${MIP_PACKAGE} ${fetched.version} (${fetched.packages.join(', ')}; requests is mpy's own) from ${index} (sha256 checked) into ${cache}\n`,
    );
    return { path: withCache };
  } catch (err) {
    options.writeError(
      `mpy: mip is not installed and ${MIP_PACKAGE} could not be fetched from ${index}: ${(err as Error).message}\n` +
        `mpy: to fix: give a reachable index v2 with --index URL (or set MPY_INDEX_URL to a mirror, e.g. what "mpy serve" prints), ` +
        `or put mip/ and argparse.py into ${cache}\n`,
    );
    return { status: BOOTSTRAP_FAILED_STATUS };
  }
}
