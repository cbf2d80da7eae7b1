/** The options of `install()`, their defaults, and the events it reports. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ArchiveLimits } from '../archive/limits.js';
import type { UnpackPool } from './unpack-pool.js';
import { USER_LIB_DIR } from '../../runtime/guest-layout.js';

/** The indexes upip asks when given none (MicroPython v1.19.1 `upip.index_urls`). */
export const DEFAULT_INDEXES: readonly string[] = ['https://micropython.org/pi', 'https://pypi.org/pypi'];

/** What to install, where from, and where to. */
export interface InstallOptions {
  /** Requirement strings: `name`, `name==1.0`, `name>=1,<2`. Default none. */
  requirements?: string[];
  /**
   * Requirements files (`-r`) in pip's format: `#` comments, `\` continuations,
   * `--hash=sha256:…`, `-r` includes, `-i`/`--index-url`, `--extra-index-url`,
   * `--require-hashes` (see requirements-file.ts). Default none.
   */
  requirementFiles?: string[];
  /** More indexes, asked after the others (`--extra-index-url`). Default none. */
  extraIndexes?: string[];
  /**
   * Hash-checking mode (pip's): every requirement pinned with `==` and given
   * `--hash`, every dependency listed, so no archive is installed without a
   * digest the caller gave. Also on when a requirement has a hash. Without
   * it, an archive the index gives no sha256 for is installed unverified,
   * with an `unverified` event. Default false.
   */
  requireHashes?: boolean;
  /** Look the named packages up again even when installed, and upgrade them (`-U`). Default false. */
  upgrade?: boolean;
  /** Resolve and download, report what would change, touch nothing. Default false. */
  dryRun?: boolean;
  /** Target directory. Default `~/.micropython/lib`, `~` from `env.HOME` (as upip). */
  target?: string;
  /**
   * Index URLs asked in order; a 404 moves on to the next. Default: the
   * requirements file's `--index-url`, else {@link DEFAULT_INDEXES}.
   */
  indexes?: string[];
  /** Archive cache directory. Default `$XDG_CACHE_HOME/mpy`, else `~/.cache/mpy`. */
  cacheDir?: string;
  /** Neither read nor write the cache. Default false. */
  noCache?: boolean;
  /**
   * Compile the `.py` files to `.mpy` (host/compile's `compileTree`) before
   * committing, and install the `.mpy` instead of the `.py`. Default false.
   */
  compile?: boolean;
  /**
   * Install every requirement as mip does, from index v2 (`NAME[@VERSION]`);
   * repository and URL specs (`github:ORG/REPO[/PATH][@BRANCH]`, `gitlab:`,
   * `codeberg:`, `http(s)://`) always are. The indexes are `-i` URLs without
   * a `/pypi` suffix, default mip's. Default false.
   */
  mip?: boolean;
  /** With mip packages: install the `.mpy` files (`package/6/`) rather than the sources (`package/py/`). Default true, as mip. */
  mipMpy?: boolean;
  /** Metadata and archive requests in flight at once. Default 8. */
  concurrency?: number;
  /** Per-request timeout in milliseconds. Default 60000. */
  timeoutMs?: number;
  /** Limits for reading archives. Default `DEFAULT_LIMITS` of host/archive. */
  limits?: Partial<ArchiveLimits>;
  /** An unpack pool to use (and leave open). Default: one made and closed by this call. */
  pool?: UnpackPool;
  /** Progress events; throwing from it aborts the install (and rolls back). Default none. */
  onEvent?: (event: InstallEvent) => void;
  /** Environment for HOME and XDG_CACHE_HOME. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * Cancels the install when aborted: requests in flight are abandoned and
   * it rejects with InstallError `cancelled`, the target untouched. Once the
   * commit (a few renames) has begun it completes; an abort then changes
   * nothing. Default none.
   */
  signal?: AbortSignal;
}

/** Progress of an install, in order of occurrence per package. */
export type InstallEvent =
  | { type: 'wave'; depth: number; names: string[] }
  | { type: 'resolved'; name: string; version: string; url: string; index: string }
  | { type: 'fetched'; name: string; version: string; bytes: number; cached: boolean }
  | { type: 'unverified'; name: string; version: string; url: string }
  | { type: 'unpacked'; name: string; version: string; files: number; requires: string[] }
  | { type: 'staged'; files: number }
  | { type: 'compiled'; modules: number }
  | { type: 'commit'; done: number; total: number };

/** One installed package. */
export interface InstalledPackage {
  /** Name as the index reports it. */
  name: string;
  /** PEP 503 normalised name. */
  key: string;
  version: string;
  /** Archive URL. */
  url: string;
  /** Index that answered. */
  index: string;
  /** Hex sha256 of the archive. */
  sha256: string;
  /** Whether a digest (the index's, or the caller's `--hash`) was checked against the archive. */
  verified: boolean;
  /** Archive size in bytes. */
  size: number;
  /** Whether the archive came from the cache. */
  cached: boolean;
  /** Installed paths, relative to the target. */
  files: string[];
  /** Its requires.txt lines. */
  requires: string[];
  /** The version it replaced, when the record listed one. */
  previous?: string;
}

/** A package left as it was: the record lists a version that satisfies its requirements. */
interface KeptPackageReport {
  name: string;
  version: string;
}

/** What `install()` did. */
export interface InstallResult {
  /** Absolute target directory. */
  target: string;
  /** Packages in install order (breadth-first from the requirements). */
  packages: InstalledPackage[];
  /** Files written. */
  files: number;
  /** Whether the `.py` files were compiled (then `files` lists the `.mpy` installed). */
  compiled: boolean;
  /** Packages already installed and left as they were. */
  kept: KeptPackageReport[];
  /** Files of replaced versions removed (relative to the target). */
  removed: string[];
  /** True when nothing was changed because `dryRun` was set. */
  dryRun: boolean;
}

/** The default target, {@link USER_LIB_DIR} (`~/.micropython/lib`), `~` from HOME. */
export function defaultTarget(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.HOME || homedir(), USER_LIB_DIR.replace(/^~\//, ''));
}
