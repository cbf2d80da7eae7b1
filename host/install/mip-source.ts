/**
 * Installing mip packages: resolving index v2 package documents (by name
 * from the indexes, or by `github:`/`gitlab:`/`codeberg:`/http(s) URL as
 * mip does), in parallel waves over their `deps`, and fetching every file,
 * each checked against the sha256 prefix the index names it by. The files
 * are staged and committed with the rest of `mpy install`: all or nothing.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { IndexMapping, MIP_DEFAULT_INDEX, v2Root } from '../net/index-mapping.js';
import { parsePackageJson, safeInstallPath, type PackageJson } from '../mip/package-json.js';
import { InstallError } from './errors.js';
import { httpGet } from './http.js';
import { Limiter } from '../../base/limiter.js';
import type { InstallEvent } from './options.js';
import type { StagedFile } from './stage.js';

/** A requirement for a mip package: `name[@version]` or a URL spec `github:org/repo[/path][@branch]`. */
export interface MipRequirement {
  readonly spec: string;
  readonly version: string | undefined;
}

const URL_SPEC = /^(github:|gitlab:|codeberg:|https?:\/\/)/;

/** Whether a requirement is a repository or URL spec (only mip installs those). */
export function isMipUrlSpec(text: string): boolean {
  return URL_SPEC.test(text);
}

/** Splits `spec@version` (the version is what follows the last `@` after any `scheme:`). */
export function parseMipRequirement(text: string): MipRequirement {
  const at = text.lastIndexOf('@');
  const schemeEnd = text.indexOf(':') + 1;
  if (at > schemeEnd && at < text.length - 1 && !text.slice(at).includes('/'))
    return { spec: text.slice(0, at), version: text.slice(at + 1) };
  if (!text || /\s/.test(text))
    throw new InstallError(
      'bad-requirement',
      `${JSON.stringify(text)} is not a package name or URL`,
      'give NAME, NAME@VERSION or github:ORG/REPO[/PATH][@BRANCH]',
    );
  return { spec: text, version: undefined };
}

/** The URL mip fetches for a repository spec (`github:org/repo/path` → raw.githubusercontent.com ...). */
function rewriteRepoUrl(url: string, branch: string | undefined): string {
  const b = branch || 'HEAD';
  const m = /^(github|gitlab|codeberg):([^/]+)\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) return url;
  const [, host, org, repo, rest] = m;
  if (host === 'github') return `https://raw.githubusercontent.com/${org}/${repo}/${b}/${rest}`;
  if (host === 'gitlab') return `https://gitlab.com/${org}/${repo}/-/raw/${b}/${rest}`;
  return `https://codeberg.org/${org}/${repo}/raw/branch/${b}/${rest}`;
}

/** One installed mip package. */
export interface MipInstalled {
  /** The name or URL spec asked for. */
  readonly spec: string;
  readonly version: string;
  /** The package document's URL. */
  readonly url: string;
  /** The index v2 it came from (the document's URL for a repository spec). */
  readonly index: string;
  /** Installed paths, relative to the target. */
  readonly files: readonly string[];
  /** Its deps, as `name` or `name@version`. */
  readonly deps: readonly string[];
  /** Whether every file was checked against a hash (files named only by URL are not). */
  readonly verified: boolean;
}

/** Options of {@link resolveMip}. */
export interface MipResolveOptions {
  /** Index URLs as given to `-i` (a `/pypi` suffix is dropped); default mip's. */
  readonly indexes: readonly string[] | undefined;
  /** Install `.mpy` (`package/6/`) rather than source (`package/py/`). */
  readonly mpy: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal | undefined;
  readonly concurrency: number;
  /** Progress, as for distribution packages: a wave, then resolved, fetched, unpacked per package. Default none. */
  readonly emit?: (event: InstallEvent) => void;
}

interface Ask {
  readonly req: MipRequirement;
  /** Who asked, innermost last (for cycles and messages). */
  readonly chain: readonly string[];
}

function label(req: MipRequirement): string {
  return req.version ? `${req.spec}@${req.version}` : req.spec;
}

/**
 * Resolves the requirements and their deps and fetches every file.
 * @throws InstallError `not-found`, `conflict` (a dependency cycle), `digest-mismatch`, `download-failed`, `file-conflict`, network errors
 */
export async function resolveMip(
  roots: readonly MipRequirement[],
  options: MipResolveOptions,
): Promise<{ packages: MipInstalled[]; files: StagedFile[] }> {
  const mapping = options.env.MPY_INDEX_URL ? new IndexMapping(options.env.MPY_INDEX_URL) : undefined;
  const get = { timeoutMs: options.timeoutMs, signal: options.signal, mapping };
  const indexes = (options.indexes?.length ? options.indexes : [MIP_DEFAULT_INDEX]).map(v2Root);
  const dir = options.mpy ? '6' : 'py';
  const net = new Limiter(options.concurrency);
  const chosen = new Map<string, string | undefined>();
  const packages: MipInstalled[] = [];
  const byPath = new Map<string, StagedFile>();

  const document = async (req: MipRequirement): Promise<{ url: string; doc: PackageJson; index: string }> => {
    if (isMipUrlSpec(req.spec)) {
      let url = req.spec;
      if (!/\.json$/.test(url)) url = `${url.replace(/\/$/, '')}/package.json`;
      const fetched = await net.run(() => httpGet(rewriteRepoUrl(url, req.version), get));
      if (!fetched)
        throw new InstallError(
          'not-found',
          `no package at ${url} (${rewriteRepoUrl(url, req.version)} answered 404)`,
          'check the repository, path and branch',
        );
      return {
        url: rewriteRepoUrl(url, req.version),
        doc: parsePackageJson(fetched.body.toString('utf8'), fetched.url),
        index: indexes[0]!,
      };
    }
    for (const index of indexes) {
      const url = `${index}/package/${dir}/${req.spec}/${req.version ?? 'latest'}.json`;
      const fetched = await net.run(() => httpGet(url, get));
      if (fetched) return { url, doc: parsePackageJson(fetched.body.toString('utf8'), fetched.url), index };
    }
    throw new InstallError(
      'not-found',
      `no package ${label(req)} in index v2 at ${indexes.join(', ')}`,
      'check the name and version (the index lists its packages in index.json), or give another index with -i',
    );
  };

  const fetchFile = async (url: string, what: string, hash: string | undefined): Promise<Buffer> => {
    const got = await net.run(() => httpGet(url, get));
    if (!got)
      throw new InstallError(
        'download-failed',
        `${url} (${what}) answered 404`,
        'the index lists a file it does not serve; rebuild the index or tell its maintainer',
      );
    if (hash !== undefined) {
      const actual = createHash('sha256').update(got.body).digest('hex');
      if (!actual.startsWith(hash)) {
        throw new InstallError(
          'digest-mismatch',
          `sha256 mismatch for ${url} (${what}): the index names it ${hash}, the download is ${actual}`,
          'the file changed after the index was built, or was tampered with in transit; rebuild the index or do not trust it',
        );
      }
    }
    return got.body;
  };

  const one = async (ask: Ask): Promise<{ pkg: MipInstalled; files: StagedFile[]; deps: MipRequirement[] }> => {
    const req = ask.req;
    const owner = label(req);
    if (isMipUrlSpec(req.spec) && /\.m?py$/.test(req.spec)) {
      const url = rewriteRepoUrl(req.spec, req.version);
      const path = req.spec.split('/').pop()!;
      const data = await fetchFile(url, path, undefined);
      return {
        pkg: { spec: req.spec, version: req.version ?? '', url, index: url, files: [path], deps: [], verified: false },
        files: [{ path, data, owner }],
        deps: [],
      };
    }
    const { url, doc, index } = await document(req);
    options.emit?.({ type: 'resolved', name: req.spec, version: doc.version, url, index });
    const base = url.slice(0, url.lastIndexOf('/'));
    const files = await Promise.all([
      ...doc.hashes.map(async ([path, hash]) => ({
        path,
        data: await fetchFile(`${index}/file/${hash.slice(0, 2)}/${hash}`, `${owner}: ${path}`, hash),
        owner,
      })),
      ...doc.urls.map(async ([path, u]) => {
        const full = isMipUrlSpec(u) ? rewriteRepoUrl(u, req.version) : `${base}/${u}`;
        return { path, data: await fetchFile(full, `${owner}: ${path}`, undefined), owner };
      }),
    ]);
    const deps = doc.deps.map(([name, v]) => ({ spec: name, version: v && v !== 'latest' ? v : undefined }));
    const bytes = files.reduce((n, f) => n + f.data.length, 0);
    options.emit?.({ type: 'fetched', name: req.spec, version: doc.version, bytes, cached: false });
    options.emit?.({ type: 'unpacked', name: req.spec, version: doc.version, files: files.length, requires: deps.map(label) });
    return {
      pkg: {
        spec: req.spec,
        version: doc.version,
        url,
        index: isMipUrlSpec(req.spec) ? url : index,
        files: files.map((f) => f.path),
        deps: deps.map(label),
        verified: doc.urls.length === 0,
      },
      files,
      deps,
    };
  };

  let wave: Ask[] = roots.map((req) => ({ req, chain: [] }));
  let depth = 0;
  while (wave.length) {
    const asks: Ask[] = [];
    for (const ask of wave) {
      const key = ask.req.spec;
      if (ask.chain.includes(key)) {
        throw new InstallError(
          'conflict',
          `dependency cycle: ${[...ask.chain, key].join(' -> ')}`,
          'the index is inconsistent (mip itself would not finish); tell its maintainer',
        );
      }
      if (chosen.has(key)) {
        const had = chosen.get(key);
        if (ask.req.version !== undefined && had !== undefined && had !== ask.req.version) {
          throw new InstallError(
            'conflict',
            `${key} is asked for at ${had} and at ${ask.req.version} (by ${ask.chain.join(' -> ') || 'the command line'})`,
            'ask for one version',
          );
        }
        continue;
      }
      chosen.set(key, ask.req.version);
      asks.push(ask);
    }
    if (asks.length) options.emit?.({ type: 'wave', depth: depth++, names: asks.map((a) => a.req.spec) });
    const settled = await Promise.allSettled(asks.map(one));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const next: Ask[] = [];
    settled.forEach((s, i) => {
      const r = (s as PromiseFulfilledResult<Awaited<ReturnType<typeof one>>>).value;
      packages.push(r.pkg);
      for (const f of r.files) {
        if (!safeInstallPath(f.path))
          throw new InstallError(
            'bad-archive',
            `${f.owner} installs ${JSON.stringify(f.path)}, outside the target`,
            'the package is unsafe; nothing was installed',
          );
        const prior = byPath.get(f.path);
        if (prior && !Buffer.from(prior.data).equals(f.data)) {
          throw new InstallError(
            'file-conflict',
            `${prior.owner} and ${f.owner} both install ${f.path}, with different contents`,
            'these packages cannot be installed together',
          );
        }
        if (!prior) byPath.set(f.path, f);
      }
      const chain = [...asks[i]!.chain, asks[i]!.req.spec];
      for (const d of r.deps) next.push({ req: d, chain });
    });
    wave = next;
  }
  return { packages, files: [...byPath.values()] };
}
