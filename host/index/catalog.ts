/**
 * The catalog of an index directory: every distribution package in it,
 * read once, with its digest and metadata, grouped into projects. Rescans
 * are incremental: a file whose size, mtime and inode are unchanged is not
 * read again.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readDistribution, type ArchiveLimits } from '../archive/index.js';
import { normalizeName } from './names.js';
import { compareVersionStrings, latestVersion, normalizeVersion, parseVersion } from './version.js';
import { mapLimited } from '../../base/limiter.js';

/** One distribution file of the catalog. */
export interface CatalogFile {
  /** Base name in the index directory, e.g. `foo-1.0.tar.gz`. */
  readonly filename: string;
  /** Absolute path. */
  readonly path: string;
  readonly size: number;
  /** Hex sha256 of the file. */
  readonly sha256: string;
  /** Project name as the package declares it. */
  readonly name: string;
  /** PEP 440 normal form of the declared version (`3.4.2-4` → `3.4.2.post4`); an invalid version as declared. */
  readonly version: string;
  readonly summary: string;
  /** Lines of requires.txt. */
  readonly requires: readonly string[];
  /** Identity of the file contents on disk, to notice changes. */
  readonly stamp: string;
}

/** A project: all releases of one normalised name. */
export interface CatalogProject {
  /** Display name: the declared name of the latest release. */
  readonly name: string;
  /** PEP 503 normalised name. */
  readonly key: string;
  /** Releases by version string, ascending PEP 440 order; one file each. */
  readonly releases: ReadonlyMap<string, CatalogFile>;
  /** The version `info.version` reports (see `latestVersion`). */
  readonly latest: string;
}

/** A file the scan could not use, and why. */
export interface CatalogProblem {
  readonly filename: string;
  readonly message: string;
  /** Stamp of the file when it failed, so a later scan retries it only once it changes. */
  readonly stamp: string;
}

/** Everything in an index directory. */
export interface Catalog {
  /** The directory scanned (absolute). */
  readonly dir: string;
  /** Projects by normalised name. */
  readonly projects: ReadonlyMap<string, CatalogProject>;
  /** Served files by file name. */
  readonly files: ReadonlyMap<string, CatalogFile>;
  /** Files skipped (unreadable, hostile, duplicate release) and invalid versions. */
  readonly problems: readonly CatalogProblem[];
}

/** Options of {@link scanCatalog}. */
export interface ScanOptions {
  /** A previous catalog of the same directory whose unchanged files are reused. Default none. */
  previous?: Catalog;
  /** Archive limits for reading packages. Default `DEFAULT_LIMITS`. */
  limits?: Partial<ArchiveLimits>;
  /** Files read at once. Default 8. */
  concurrency?: number;
}

/** Whether a file name looks like a distribution package this index serves. */
export function isArchiveName(filename: string): boolean {
  return /\.(tar\.gz|tgz)$/i.test(filename) && !filename.startsWith('.');
}

/** `foo-bar-1.0.tar.gz` → `['foo-bar', '1.0']`, for packages without PKG-INFO. */
function splitArchiveName(filename: string): [string, string] | undefined {
  const stem = filename.replace(/\.(tar\.gz|tgz)$/i, '');
  const dash = stem.lastIndexOf('-');
  return dash > 0 && dash < stem.length - 1 ? [stem.slice(0, dash), stem.slice(dash + 1)] : undefined;
}

/** A stamp for a file's identity: size, mtime, inode. */
export function fileStamp(s: { size: number; mtimeMs: number; ino: number }): string {
  return `${s.size}:${s.mtimeMs}:${s.ino}`;
}

async function readCatalogFile(dir: string, filename: string, stamp: string, limits?: Partial<ArchiveLimits>): Promise<CatalogFile> {
  const path = join(dir, filename);
  const bytes = await readFile(path);
  const dist = readDistribution(bytes, filename, limits);
  const fallback = splitArchiveName(filename);
  const name = dist.metadata.name ?? fallback?.[0];
  const version = dist.metadata.version ?? fallback?.[1];
  if (!name || !version) throw new Error('no PKG-INFO with Name and Version, and the file name is not NAME-VERSION.tar.gz');
  return {
    filename,
    path,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    name,
    version: normalizeVersion(version),
    summary: dist.metadata.summary,
    requires: dist.metadata.requires,
    stamp,
  };
}

type Scanned = { file: CatalogFile } | { problem: CatalogProblem };

/**
 * Reads every distribution package directly in `dir` (not in subdirectories;
 * symlinks and other non-regular files are ignored, so nothing outside `dir`
 * is ever served).
 */
export async function scanCatalog(dir: string, options: ScanOptions = {}): Promise<Catalog> {
  const previous = options.previous?.dir === dir ? options.previous : undefined;
  const known = new Map<string, CatalogFile>();
  for (const f of previous?.files.values() ?? []) known.set(f.filename, f);
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && isArchiveName(e.name));
  const names = entries.map((e) => e.name).sort();
  const scanned = await mapLimited(names, options.concurrency ?? 8, async (filename): Promise<Scanned | undefined> => {
    let stamp = '';
    try {
      const s = await stat(join(dir, filename));
      if (!s.isFile()) return undefined;
      stamp = fileStamp(s);
      const old = known.get(filename);
      if (old && old.stamp === stamp) return { file: old };
      return { file: await readCatalogFile(dir, filename, stamp, options.limits) };
    } catch (err) {
      return { problem: { filename, stamp, message: err instanceof Error ? err.message : String(err) } };
    }
  });
  return assemble(
    dir,
    scanned.filter((s): s is Scanned => s !== undefined),
  );
}

/** Whether the file name carries the normalised version (`foo-1.0.post1.tar.gz`, not `foo-1.0-1.tar.gz`). */
function namedNormally(f: CatalogFile): boolean {
  return f.filename.replace(/\.(tar\.gz|tgz)$/i, '').endsWith(`-${f.version}`);
}

function assemble(dir: string, scanned: Scanned[]): Catalog {
  const problems: CatalogProblem[] = [];
  const byProject = new Map<string, Map<string, CatalogFile>>();
  for (const s of scanned) {
    if ('problem' in s) {
      problems.push(s.problem);
      continue;
    }
    const f = s.file;
    const key = normalizeName(f.name);
    const releases = byProject.get(key) ?? new Map<string, CatalogFile>();
    byProject.set(key, releases);
    const dup = releases.get(f.version);
    if (dup) {
      // upip asserts exactly one file per release: one file per normalised
      // version, the one named with the normal form, else the first by name.
      const keepNew = !namedNormally(dup) && namedNormally(f);
      const [kept, dropped] = keepNew ? [f, dup] : [dup, f];
      problems.push({
        filename: dropped.filename,
        stamp: '',
        message: `duplicate of ${kept.filename} (${f.name} ${f.version}); not served`,
      });
      if (keepNew) releases.set(f.version, f);
      continue;
    }
    if (!parseVersion(f.version).valid) {
      problems.push({
        filename: f.filename,
        stamp: '',
        message: `version ${JSON.stringify(f.version)} is not PEP 440; it sorts below every valid version`,
      });
    }
    releases.set(f.version, f);
  }
  const projects = new Map<string, CatalogProject>();
  const files = new Map<string, CatalogFile>();
  for (const key of [...byProject.keys()].sort()) {
    const releases = byProject.get(key)!;
    const ordered = new Map([...releases].sort(([a], [b]) => compareVersionStrings(a, b)));
    const latest = latestVersion(ordered.keys())!;
    projects.set(key, { name: ordered.get(latest)!.name, key, releases: ordered, latest });
    for (const f of ordered.values()) files.set(f.filename, f);
  }
  return { dir, projects, files, problems };
}
