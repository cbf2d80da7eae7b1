/**
 * A catalog kept current for a running server, and the JSON documents built
 * from it, memoised until the catalog changes.
 *
 * Freshness: before answering, the server asks {@link LiveCatalog.fresh},
 * which stats the directory (one synchronous syscall, made once per turn of
 * the event loop: a request handled in a turn was sent before the poll that
 * began the turn, unless its client pipelines requests, so one stat in the
 * turn is fresh enough for all of them). A changed directory
 * stamp means a file was added, removed or renamed: rescan, reusing every
 * unchanged file. Directory mtimes are coarse (a kernel tick), so a change
 * made in the same tick as the last scan would leave the stamp unchanged;
 * as git does for its index ("racy git"), a directory modified less than
 * {@link RACY_WINDOW_MS} before the last scan began is rescanned on every
 * request until that window has passed. Files that failed to read are
 * retried when their own stamp changes (a copy that was still in progress).
 * A file rewritten in place is noticed when it is served (see server.ts).
 * No watcher: a request after a completed `mv` or `cp` always sees the
 * package, with no timing assumptions, on every filesystem.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import type { ArchiveLimits } from '../archive/index.js';
import { type Catalog, type CatalogProject, fileStamp, scanCatalog } from './catalog.js';
import { normalizeName } from './names.js';
import { encodeJson, type FileUrlMode, projectJson, releaseJson } from './responses.js';
import { compareVersions, parseVersion } from './version.js';

/** A directory modified this recently before a scan is checked again on the next request. */
const RACY_WINDOW_MS = 2000;
const MEMO_LIMIT = 10_000;

/** A ready-to-send JSON response body. */
export interface JsonDocument {
  readonly body: Buffer;
  /** Strong ETag (quoted). */
  readonly etag: string;
}

/** Options of {@link LiveCatalog.open}. */
export interface LiveCatalogOptions {
  /** Archive limits for reading packages. Default `DEFAULT_LIMITS`. */
  limits?: Partial<ArchiveLimits>;
  /** Called after each scan with the new catalog. Default none. */
  onScan?: (catalog: Catalog) => void;
}

function dirStamp(dir: string): { stamp: string; mtimeMs: number } {
  const s = statSync(dir);
  return { stamp: `${s.mtimeMs}:${s.ctimeMs}:${s.ino}`, mtimeMs: s.mtimeMs };
}

function signature(c: Catalog): string {
  return [
    ...[...c.files.values()].map((f) => `${f.filename}\0${f.stamp}`),
    ...c.problems.map((p) => `${p.filename}\0${p.stamp}\0${p.message}`),
  ].join('\n');
}

/** The catalog of a directory, refreshed on demand. */
export class LiveCatalog {
  #dir: string;
  #options: LiveCatalogOptions;
  #catalog: Catalog;
  #stamp = '';
  #racy = true;
  #dirty = false;
  #checkedThisTurn = false;
  #refreshing: Promise<Catalog> | undefined;
  #memo = new Map<string, JsonDocument | null>();

  private constructor(dir: string, catalog: Catalog, options: LiveCatalogOptions) {
    this.#dir = dir;
    this.#catalog = catalog;
    this.#options = options;
  }

  /** Scans `dir` (absolute) once and returns the live catalog. */
  static async open(dir: string, options: LiveCatalogOptions = {}): Promise<LiveCatalog> {
    const live = new LiveCatalog(dir, { dir, projects: new Map(), files: new Map(), problems: [] }, options);
    await live.#rescan();
    return live;
  }

  /** The catalog as of the last scan. */
  get current(): Catalog {
    return this.#catalog;
  }

  /** Forces a rescan at the next {@link fresh}. */
  invalidate(): void {
    this.#dirty = true;
  }

  /** The catalog, rescanned first if the directory may have changed. */
  async fresh(): Promise<Catalog> {
    if (this.#refreshing) return this.#refreshing;
    if (this.#dirty || this.#racy) return this.#rescan();
    if (!this.#checkedThisTurn) {
      this.#checkedThisTurn = true;
      setImmediate(() => (this.#checkedThisTurn = false));
      if (dirStamp(this.#dir).stamp !== this.#stamp || this.#failedChanged()) return this.#rescan();
    }
    return this.#catalog;
  }

  #failedChanged(): boolean {
    for (const p of this.#catalog.problems) {
      if (!p.stamp) continue;
      try {
        if (fileStamp(statSync(`${this.#dir}/${p.filename}`)) !== p.stamp) return true;
      } catch {
        return true;
      }
    }
    return false;
  }

  #rescan(): Promise<Catalog> {
    const started = Date.now();
    this.#dirty = false;
    const before = dirStamp(this.#dir);
    this.#refreshing = scanCatalog(this.#dir, { previous: this.#catalog, limits: this.#options.limits })
      .then((catalog) => {
        this.#stamp = before.stamp;
        this.#racy = started - before.mtimeMs < RACY_WINDOW_MS;
        if (signature(catalog) === signature(this.#catalog)) return this.#catalog;
        this.#memo.clear();
        this.#catalog = catalog;
        this.#options.onScan?.(catalog);
        return catalog;
      })
      .finally(() => {
        this.#refreshing = undefined;
      });
    return this.#refreshing;
  }

  /** The project for any spelling of its name. */
  project(name: string): CatalogProject | undefined {
    return this.#catalog.projects.get(normalizeName(name));
  }

  /**
   * The JSON document for a project (`version` undefined) or one release,
   * memoised per URL mode; undefined when there is no such project or release.
   * A version is found by its exact text, else by PEP 440 equality (`1.0.0` finds `1.0`).
   */
  document(name: string, version: string | undefined, mode: FileUrlMode): JsonDocument | undefined {
    const modeKey = 'absolute' in mode ? mode.absolute : '';
    const key = `${normalizeName(name)}\0${version ?? ''}\0${modeKey}`;
    const hit = this.#memo.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const doc = this.#build(name, version, mode);
    if (this.#memo.size >= MEMO_LIMIT) this.#memo.clear();
    this.#memo.set(key, doc ?? null);
    return doc;
  }

  #build(name: string, version: string | undefined, mode: FileUrlMode): JsonDocument | undefined {
    const p = this.project(name);
    if (!p) return undefined;
    let body: unknown;
    if (version === undefined) body = projectJson(p, mode);
    else {
      const want = parseVersion(version);
      const exact = p.releases.has(version)
        ? version
        : [...p.releases.keys()].find((v) => want.valid && compareVersions(parseVersion(v), want) === 0);
      body = exact === undefined ? undefined : releaseJson(p, exact, mode);
    }
    if (body === undefined) return undefined;
    const bytes = encodeJson(body);
    return { body: bytes, etag: `"${createHash('sha1').update(bytes).digest('base64url')}"` };
  }
}
