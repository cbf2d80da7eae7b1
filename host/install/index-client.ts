/**
 * Finding a release on the indexes, in order, as upip does: a 404 means
 * "ask the next index"; any other failure stops the install (falling
 * through on an error could silently install a same-named package from a
 * less trusted index).
 */
import { normalizeName } from '../index/names.js';
import { mentionsPrerelease, satisfies } from '../index/specifier.js';
import { compareVersionStrings, isPrerelease, normalizeVersion, parseVersion } from '../index/version.js';
import { InstallError } from './errors.js';
import { httpGet } from './http.js';
import type { Requirement } from './requirement.js';

/** The one archive chosen for a requirement. */
export interface ResolvedRelease {
  /** Project name as the index reports it. */
  name: string;
  /** Normalised name. */
  key: string;
  /** PEP 440 normalised version. */
  version: string;
  /** Absolute archive URL. */
  url: string;
  filename: string;
  /** Hex sha256 from the index, if it gave one. */
  sha256: string | undefined;
  /** Size from the index, if it gave one. */
  size: number | undefined;
  /** The index URL that answered. */
  index: string;
}

interface FileEntry {
  url?: unknown;
  filename?: unknown;
  packagetype?: unknown;
  digests?: { sha256?: unknown };
  size?: unknown;
}

interface Doc {
  info?: { name?: unknown; version?: unknown };
  releases?: Record<string, FileEntry[]>;
  urls?: FileEntry[];
}

/** Options of {@link IndexClient}. */
export interface IndexClientOptions {
  /** Per-request timeout in ms. Default 60000. */
  timeoutMs?: number;
  /** Abandons requests when aborted. Default none. */
  signal?: AbortSignal;
}

function isSdist(f: FileEntry): boolean {
  const name = typeof f.filename === 'string' ? f.filename : typeof f.url === 'string' ? f.url : '';
  return f.packagetype === 'sdist' || /\.(tar\.gz|tgz)$/i.test(name.split('?')[0]!);
}

/** The decoded last path segment of an archive URL. @throws InstallError when it is not valid percent-encoding */
function urlFileName(url: string, release: string): string {
  const segment = new URL(url).pathname.split('/').pop() ?? '';
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new InstallError(
      'index-error',
      `${release} points at ${JSON.stringify(url)}, whose file name is not valid percent-encoding`,
      'the index is broken or hostile; do not use it',
    );
  }
}

/** Looks requirements up on a list of PyPI-JSON indexes. */
export class IndexClient {
  #indexes: string[];
  #options: IndexClientOptions;

  /**
   * @param indexes index URLs such as `http://127.0.0.1:8080/pypi`, asked in order
   * @param options request options
   */
  constructor(indexes: readonly string[], options: IndexClientOptions = {}) {
    this.#indexes = indexes.map((u) => u.replace(/\/+$/, ''));
    this.#options = options;
  }

  /** The index URLs, in order. */
  get indexes(): readonly string[] {
    return this.#indexes;
  }

  async #getDoc(url: string): Promise<{ doc: Doc; url: string } | undefined> {
    const got = await httpGet(url, { timeoutMs: this.#options.timeoutMs, maxBytes: 16 * 1024 * 1024, signal: this.#options.signal });
    if (!got) return undefined;
    try {
      const doc = JSON.parse(got.body.toString('utf-8')) as Doc;
      if (typeof doc !== 'object' || doc === null) throw new Error('not a JSON object');
      return { doc, url: got.url };
    } catch (err) {
      throw new InstallError(
        'index-error',
        `${url} did not answer valid package JSON: ${(err as Error).message}`,
        'the index is broken or this URL is not a package index; check -i',
        err,
      );
    }
  }

  /** GETs `<index>/<name><suffix>` as written, then normalised if that differs. */
  async #lookup(index: string, req: Requirement, suffix: string): Promise<{ doc: Doc; url: string } | undefined> {
    const names = [...new Set([req.name, normalizeName(req.name)])];
    for (const name of names) {
      const found = await this.#getDoc(`${index}/${encodeURIComponent(name)}${suffix}`);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * Chooses the release for a requirement: a pin asks
   * `<index>/<name>/<version>/json` (then the project document); otherwise
   * the project document's `info.version` when it satisfies the clauses, else
   * the highest satisfying release (pre-releases only if asked for or alone).
   *
   * @throws InstallError `not-found` naming every index asked
   */
  async resolve(req: Requirement): Promise<ResolvedRelease> {
    const misses: string[] = [];
    for (const index of this.#indexes) {
      if (req.pin !== undefined) {
        const one = await this.#lookup(index, req, `/${encodeURIComponent(req.pin)}/json`);
        const fromOne = one && this.#pick(req, one.doc, one.url, index, req.pin, true);
        if (fromOne) return fromOne;
      }
      const all = await this.#lookup(index, req, '/json');
      if (!all) {
        misses.push(`${index}: no project ${req.name}`);
        continue;
      }
      const version = this.#choose(req, all.doc);
      const picked = version !== undefined && this.#pick(req, all.doc, all.url, index, version, false);
      if (picked) return picked;
      const have = Object.keys(all.doc.releases ?? {}).sort(compareVersionStrings);
      misses.push(`${index}: ${req.name} has ${have.length ? have.join(', ') : 'no releases'}`);
    }
    throw new InstallError(
      'not-found',
      `no release of ${req.raw} on ${this.#indexes.length === 1 ? 'the index' : `any of ${this.#indexes.length} indexes`} (${misses.join('; ')})`,
      'check the spelling and version, or add the index that has it with -i',
    );
  }

  #choose(req: Requirement, doc: Doc): string | undefined {
    const releases = Object.keys(doc.releases ?? {});
    const current = typeof doc.info?.version === 'string' ? doc.info.version : undefined;
    if (current !== undefined && releases.includes(current) && satisfies(current, req.clauses)) {
      if (req.clauses.length === 0 || !isPrerelease(parseVersion(current))) return current;
    }
    const matching = releases.filter((v) => satisfies(v, req.clauses)).sort(compareVersionStrings);
    const finals = matching.filter((v) => !isPrerelease(parseVersion(v)));
    const pool = finals.length && !mentionsPrerelease(req.clauses) ? finals : matching;
    return pool.at(-1);
  }

  #pick(req: Requirement, doc: Doc, docUrl: string, index: string, version: string, single: boolean): ResolvedRelease | undefined {
    let files: FileEntry[] | undefined;
    let actual = version;
    if (single) {
      files = doc.urls ?? doc.releases?.[version];
      actual = typeof doc.info?.version === 'string' ? doc.info.version : version;
    } else {
      files = doc.releases?.[version];
    }
    if (!Array.isArray(files)) return undefined;
    // A hostile index may put anything in the list: only objects are file entries.
    const file = files.find((f) => typeof f === 'object' && f !== null && isSdist(f));
    if (!file || typeof file.url !== 'string') {
      throw new InstallError(
        'index-error',
        `${docUrl}: release ${version} of ${req.name} has no .tar.gz distribution package`,
        'MicroPython packages are source distributions; ask the package author for one',
      );
    }
    const parsed = new URL(file.url, docUrl);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new InstallError(
        'index-error',
        `${docUrl}: release ${version} of ${req.name} points at ${JSON.stringify(file.url)}, not an http(s) URL`,
        'the index is broken or hostile; do not use it',
      );
    }
    const url = parsed.href;
    const sha256 = typeof file.digests?.sha256 === 'string' ? file.digests.sha256.toLowerCase() : undefined;
    return {
      name: typeof doc.info?.name === 'string' ? doc.info.name : req.name,
      key: req.key,
      version: normalizeVersion(actual),
      url,
      filename: typeof file.filename === 'string' ? file.filename : urlFileName(url, `${docUrl}: release ${version} of ${req.name}`),
      sha256,
      size: typeof file.size === 'number' ? file.size : undefined,
      index,
    };
  }
}
