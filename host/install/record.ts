/**
 * The install record: one JSON file, {@link RECORD_FILE}, in the target
 * directory, listing every distribution `mpy install` put there. It is
 * written into the stage and committed with the files (one rename among the
 * others), so the record and the tree never disagree after a commit. One
 * file, not one per package, so a device image stays clean: tools that copy
 * the tree to a device skip this one name.
 *
 * Format (`format: 1`; keys sorted, two-space indent, newline-terminated):
 *
 * ```json
 * { "format": 1,
 *   "packages": {
 *     "<normalised name>": {
 *       "name": "foo", "version": "1.0.post1",
 *       "url": "http://…/foo-1.0.post1.tar.gz", "sha256": "<archive sha256>",
 *       "requested": true,            // named on the command line or in -r
 *       "compiled": false,            // installed with --compile
 *       "requires": ["bar"],          // its requires.txt
 *       "requiredBy": ["baz"],        // installed packages that require it
 *       "files": { "foo.py": "<sha256 of the installed file>" } } } }
 * ```
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InstallError } from './errors.js';

/** The record's file name in the target directory. */
export const RECORD_FILE = '.mpy-installed.json';

/** The record format this code reads and writes. */
const RECORD_FORMAT = 1;

/** One installed distribution. */
export interface RecordEntry {
  /** Name as the index reported it. */
  name: string;
  /** PEP 440 normalised version. */
  version: string;
  /** Archive URL it was installed from. */
  url: string;
  /** Hex sha256 of the archive. */
  sha256: string;
  /** Whether the user asked for it (not only a dependency). */
  requested: boolean;
  /** Whether its `.py` files were installed compiled to `.mpy` (`--compile`). */
  compiled: boolean;
  /** Names from its requires.txt. */
  requires: string[];
  /** Normalised names of the installed packages that require it, sorted. */
  requiredBy: string[];
  /** Installed path (relative to the target, `/`-separated) → hex sha256 of its bytes. */
  files: Record<string, string>;
}

/** The whole record: packages by normalised name. */
export interface InstallRecord {
  packages: Record<string, RecordEntry>;
}

/** Hex sha256. */
export function fileSha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** An empty record. */
function emptyRecord(): InstallRecord {
  return { packages: {} };
}

/**
 * Reads the record of `target`; a target without one has an empty record.
 * @throws InstallError `bad-record` when the file exists but is not a record
 */
export async function readRecord(target: string): Promise<InstallRecord> {
  const path = join(target, RECORD_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf-8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return emptyRecord();
    throw new InstallError(
      'io-error',
      `cannot read ${path}: ${(err as Error).message}`,
      'check the permissions of the target directory',
      err,
    );
  }
  const bad = (why: string): InstallError =>
    new InstallError(
      'bad-record',
      `${path} is not an mpy install record: ${why}`,
      `restore it from a backup, or remove it (mpy then no longer knows what is installed in ${target})`,
    );
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw bad((err as Error).message);
  }
  const d = doc as { format?: unknown; packages?: unknown };
  if (typeof d !== 'object' || d === null) throw bad('not a JSON object');
  if (d.format !== RECORD_FORMAT) throw bad(`format ${JSON.stringify(d.format)}, this mpy reads format ${RECORD_FORMAT}`);
  if (typeof d.packages !== 'object' || d.packages === null) throw bad('no "packages" object');
  for (const [key, e] of Object.entries(d.packages as Record<string, Partial<RecordEntry>>)) {
    if (
      typeof e?.name !== 'string' ||
      typeof e.version !== 'string' ||
      typeof e.sha256 !== 'string' ||
      typeof e.files !== 'object' ||
      e.files === null
    ) {
      throw bad(`entry ${JSON.stringify(key)} lacks name, version, sha256 or files`);
    }
    e.url ??= '';
    e.requested ??= false;
    e.compiled ??= false;
    e.requires ??= [];
    e.requiredBy ??= [];
  }
  return { packages: d.packages as Record<string, RecordEntry> };
}

/** Recomputes every `requiredBy` from the `requires` of the packages present. */
export function linkRecord(record: InstallRecord, keyOf: (name: string) => string): InstallRecord {
  const by = new Map<string, Set<string>>();
  for (const [key, e] of Object.entries(record.packages)) {
    for (const dep of e.requires) {
      const k = keyOf(dep);
      if (k in record.packages) by.set(k, (by.get(k) ?? new Set()).add(key));
    }
  }
  for (const [key, e] of Object.entries(record.packages)) e.requiredBy = [...(by.get(key) ?? [])].sort();
  return record;
}

/** The record file's bytes (deterministic: sorted keys). */
export function encodeRecord(record: InstallRecord): Buffer {
  const packages = sortKeys(
    Object.fromEntries(
      Object.entries(record.packages).map(([k, e]) => [
        k,
        {
          name: e.name,
          version: e.version,
          url: e.url,
          sha256: e.sha256,
          requested: e.requested,
          compiled: e.compiled,
          requires: [...e.requires],
          requiredBy: [...e.requiredBy].sort(),
          files: sortKeys(e.files),
        },
      ]),
    ),
  );
  return Buffer.from(`${JSON.stringify({ format: RECORD_FORMAT, packages }, null, 2)}\n`, 'utf-8');
}

/** Paths recorded for packages other than those in `except`. */
export function pathsOwnedByOthers(record: InstallRecord, except: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const [key, e] of Object.entries(record.packages)) if (!except.has(key)) for (const p of Object.keys(e.files)) out.add(p);
  return out;
}
