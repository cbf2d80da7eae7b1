/**
 * Mapping upip's built-in package indexes onto another index, at the
 * network layer, so that an unchanged upip installs from a mirror or from
 * `mpy serve`.
 *
 * What is mapped, exactly:
 *
 * 1. An HTTP request whose URL (scheme `https`, the default port 443, the
 *    host, and a path equal to or below the index path) lies under one of
 *    {@link UPIP_DEFAULT_INDEXES} is sent to the target instead: the index
 *    prefix is replaced by the target URL and the rest of the path and the
 *    query are kept; the Host header names the target. So with target
 *    `http://127.0.0.1:8080/pypi`, `https://pypi.org/pypi/foo/json` is
 *    fetched as `http://127.0.0.1:8080/pypi/foo/json`. The response reaches
 *    Python unchanged (it came from the target).
 * 2. mip's index and the raw-file hosts its `github:`, `gitlab:` and
 *    `codeberg:` specs name are mapped the same way onto the index v2 root
 *    ({@link v2Root}: the target without a trailing `/pypi`, which is where
 *    `mpy serve` and `mpy index build` put index v2):
 *    `https://micropython.org/pi/v2/X` → `<root>/X`,
 *    `https://raw.githubusercontent.com/X` → `<root>/github/X`,
 *    `https://gitlab.com/X` → `<root>/gitlab/X`,
 *    `https://codeberg.org/X` → `<root>/codeberg/X`.
 *    A mirror of a repository is thus a directory tree beside the index.
 * 3. Nothing else. Other paths on those hosts go to the real host, and file
 *    URLs are never rewritten: an index's JSON names its files by absolute
 *    URL, and a mirror's names the mirror's own files (`mpy serve` writes
 *    them from the Host header it receives, which rule 1 sets to the
 *    target), so downloads follow the mirror by themselves.
 *
 * Two consequences at the socket level, while a mapping is active:
 *
 * - The hosts of the mapped indexes resolve to fixed stand-in addresses in
 *   198.18.0.0/15 (the benchmarking range, which is never routed; proxies
 *   use it the same way for "fake-IP" DNS). A connection to one is opened
 *   only when its first request shows where it must go, so mapping works
 *   offline.
 * - A host of the form `NAME:PORT` passed to getaddrinfo resolves NAME and
 *   takes PORT: micropython-lib's upip 1.2.x splits a file URL only at "/"
 *   and passes its `host:port` with port 443, which a mirror on another
 *   port (such as `mpy serve`) needs to work unchanged.
 *
 * @module
 */

/** The index URLs upip versions have built in, in the order they ask them. */
const UPIP_DEFAULT_INDEXES: readonly string[] = [
  'https://micropython.org/pi',
  'https://pypi.org/pypi',
  // upip releases before 1.2.3 asked the old PyPI host.
  'https://pypi.python.org/pypi',
];

/** mip's built-in index (index v2). */
export const MIP_DEFAULT_INDEX = 'https://micropython.org/pi/v2';

/** The raw-file hosts of mip's repository specs, and the directory of their mirror below the v2 root. */
const MIP_REPOSITORY_HOSTS: ReadonlyArray<readonly [source: string, mirrorDir: string]> = [
  ['https://raw.githubusercontent.com', 'github'],
  ['https://gitlab.com', 'gitlab'],
  ['https://codeberg.org', 'codeberg'],
];

const STAND_IN_BASE = [198, 18, 0];

interface Source {
  readonly host: string;
  readonly path: string;
  /** Where the source's paths go: a URL without a trailing slash. */
  readonly target: URL;
}

/** The index v2 root that goes with a mapping target: the target without a trailing `/pypi`. */
export function v2Root(target: string): string {
  return target.replace(/\/+$/, '').replace(/\/pypi$/, '');
}

function source(url: string, target: URL): Source {
  const u = new URL(url);
  return { host: u.hostname.toLowerCase(), path: u.pathname.replace(/\/+$/, ''), target };
}

/** An active index mapping. */
export class IndexMapping {
  readonly #target: URL;
  readonly #sources: readonly Source[];
  readonly #hosts: readonly string[];

  /**
   * @param target the index to use instead (`http(s)://host[:port]/path`)
   * @param sources the index URLs to map; default {@link UPIP_DEFAULT_INDEXES}
   * @throws TypeError when `target` is not an http(s) URL
   */
  constructor(target: string, sources: readonly string[] = UPIP_DEFAULT_INDEXES) {
    const url = new URL(target);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`index URL ${target} is not http(s)`);
    url.pathname = url.pathname.replace(/\/+$/, '');
    url.search = '';
    url.hash = '';
    this.#target = url;
    const root = new URL(v2Root(url.href));
    const mirror = (dir: string): URL => new URL(`${root.href.replace(/\/+$/, '')}/${dir}`);
    // Most specific first: mip's index lies below upip's micropython.org/pi.
    this.#sources = [
      source(MIP_DEFAULT_INDEX, root),
      ...MIP_REPOSITORY_HOSTS.map(([host, dir]) => source(host, mirror(dir))),
      ...sources.map((s) => source(s, url)),
    ];
    // upip's hosts keep the stand-in numbers they had before mip's were added.
    const upipFirst = [...this.#sources.slice(1 + MIP_REPOSITORY_HOSTS.length), ...this.#sources.slice(0, 1 + MIP_REPOSITORY_HOSTS.length)];
    this.#hosts = [...new Set(upipFirst.map((s) => s.host))];
  }

  /** The target index URL, without a trailing slash. */
  get target(): string {
    return this.#target.href.replace(/\/$/, '');
  }

  /** The URL to fetch instead of `url`, or `undefined` when `url` is not mapped. */
  map(url: URL): URL | undefined {
    if (url.protocol !== 'https:' || (url.port !== '' && url.port !== '443')) return undefined;
    const host = url.hostname.toLowerCase();
    for (const s of this.#sources) {
      if (host !== s.host) continue;
      if (url.pathname !== s.path && !url.pathname.startsWith(`${s.path}/`)) continue;
      const out = new URL(s.target.href);
      out.pathname = s.target.pathname.replace(/\/+$/, '') + url.pathname.slice(s.path.length);
      out.search = url.search;
      return out;
    }
    return undefined;
  }

  /** The stand-in address for a mapped host, or `undefined` for other names. */
  standIn(host: string): string | undefined {
    const i = this.#hosts.indexOf(host.toLowerCase().replace(/\.$/, ''));
    return i < 0 ? undefined : [...STAND_IN_BASE, i + 1].join('.');
  }

  /** The mapped host a stand-in address stands for, or `undefined`. */
  hostOf(address: string): string | undefined {
    const parts = address.split('.');
    if (parts.length !== 4 || parts.slice(0, 3).join('.') !== STAND_IN_BASE.join('.')) return undefined;
    return this.#hosts[Number(parts[3]) - 1];
  }
}
