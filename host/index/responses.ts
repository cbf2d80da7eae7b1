/**
 * The PyPI JSON API responses upip reads, built from the catalog:
 * `<index>/<name>/json` and `<index>/<name>/<version>/json`. Every release
 * lists exactly one file (upip asserts it).
 */
import type { CatalogFile, CatalogProject } from './catalog.js';

/** One file entry of a release, as PyPI writes it. */
interface ReleaseFileJson {
  filename: string;
  url: string;
  digests: { sha256: string };
  size: number;
  packagetype: 'sdist';
  python_version: 'source';
}

/** The body of `<index>/<name>/json` (and, with one release, `<index>/<name>/<version>/json`). */
export interface ProjectJson {
  info: { name: string; version: string; summary: string; requires_dist: string[] | null };
  /** Version → its one file. */
  releases: Record<string, ReleaseFileJson[]>;
  /** The files of `info.version`. */
  urls: ReleaseFileJson[];
}

/**
 * Where file URLs point. `absolute` gives `<base>/files/<filename>`;
 * `relative` gives a path relative to the JSON document itself, for a
 * static tree whose host is not known when it is written.
 */
export type FileUrlMode = { absolute: string } | { relative: true };

/** The URL path, below the index root, at which a file is served: `files/<filename>`. */
function filePath(filename: string): string {
  return `files/${encodeURIComponent(filename)}`;
}

function fileUrl(mode: FileUrlMode, filename: string, depth: number): string {
  if ('absolute' in mode) return `${mode.absolute.replace(/\/+$/, '')}/${filePath(filename)}`;
  return `${'../'.repeat(depth)}${filePath(filename)}`;
}

function fileJson(f: CatalogFile, mode: FileUrlMode, depth: number): ReleaseFileJson {
  return {
    filename: f.filename,
    url: fileUrl(mode, f.filename, depth),
    digests: { sha256: f.sha256 },
    size: f.size,
    packagetype: 'sdist',
    python_version: 'source',
  };
}

function info(p: CatalogProject, f: CatalogFile): ProjectJson['info'] {
  return { name: p.name, version: f.version, summary: f.summary, requires_dist: f.requires.length ? [...f.requires] : null };
}

/**
 * The project document: `info.version` is the latest release, `releases`
 * holds every version in ascending order.
 *
 * @param mode how file URLs are written; relative URLs assume the document is at `pypi/<name>/json`
 */
export function projectJson(p: CatalogProject, mode: FileUrlMode): ProjectJson {
  const releases: Record<string, ReleaseFileJson[]> = {};
  for (const [v, f] of p.releases) releases[v] = [fileJson(f, mode, 2)];
  const latest = p.releases.get(p.latest)!;
  return { info: info(p, latest), releases, urls: [fileJson(latest, mode, 2)] };
}

/**
 * The document of one release, at `pypi/<name>/<version>/json`: `urls` (what
 * micropython-lib's upip reads) and a one-entry `releases` (what older upip reads).
 */
export function releaseJson(p: CatalogProject, version: string, mode: FileUrlMode): ProjectJson | undefined {
  const f = p.releases.get(version);
  if (!f) return undefined;
  const file = fileJson(f, mode, 3);
  return { info: info(p, f), releases: { [version]: [file] }, urls: [file] };
}

/** Serialises a response body the one way this project does (deterministic, newline-terminated). */
export function encodeJson(body: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(body)}\n`, 'utf-8');
}
