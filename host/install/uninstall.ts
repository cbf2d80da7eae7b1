/**
 * `mpy uninstall`: removes exactly the files the install record lists for
 * the named distributions, and the dependencies they alone needed (those
 * installed only as dependencies, which no remaining package requires). A
 * file whose bytes changed since the install is refused unless `force`. A
 * package another remaining package requires is refused. All or nothing:
 * the removals and the new record are one journalled commit (commit.ts).
 */
import { readFile, realpath, writeFile } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import { normalizeName } from '../index/names.js';
import { commitStage } from './commit.js';
import { InstallError } from './errors.js';
import { defaultTarget } from './options.js';
import { encodeRecord, fileSha256, type InstallRecord, linkRecord, pathsOwnedByOthers, readRecord, RECORD_FILE } from './record.js';
import { createStage, discardStage } from './stage.js';
import { withTargetLock } from './target-lock.js';

/** Options of {@link uninstall}. */
export interface UninstallOptions {
  /** Distribution names (any spelling). Required, at least one. */
  names: string[];
  /** Target directory. Default `~/.micropython/lib`. */
  target?: string;
  /** Remove files even when they changed since the install. Default false. */
  force?: boolean;
  /** Report what would be removed, change nothing. Default false. */
  dryRun?: boolean;
  /** Environment for HOME. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** What {@link uninstall} did (or would do). */
export interface UninstallResult {
  target: string;
  /** Distributions removed: the named ones, then dependencies nothing else needs. */
  removed: Array<{ name: string; version: string; requested: boolean }>;
  /** Files removed, relative to the target, sorted. */
  files: string[];
  /** Recorded files that were already gone. */
  missing: string[];
  /** Files removed although they had changed (with `force`). */
  modified: string[];
  /** Dependencies left because other packages need them. */
  kept: Array<{ name: string; requiredBy: string[] }>;
  dryRun: boolean;
}

function closure(record: InstallRecord, named: Set<string>): Set<string> {
  const out = new Set(named);
  for (let grew = true; grew; ) {
    grew = false;
    for (const key of [...out]) {
      for (const dep of record.packages[key]!.requires.map(normalizeName)) {
        const e = record.packages[dep];
        if (!e || out.has(dep) || e.requested) continue;
        if (e.requiredBy.every((k) => out.has(k))) {
          out.add(dep);
          grew = true;
        }
      }
    }
  }
  return out;
}

async function state(path: string, sha256: string): Promise<'same' | 'changed' | 'missing'> {
  try {
    return fileSha256(await readFile(path)) === sha256 ? 'same' : 'changed';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    if (code === 'EISDIR') return 'changed';
    throw err;
  }
}

/**
 * Uninstalls distributions from the target.
 * @throws InstallError `not-installed`, `still-required`, `modified`, `bad-record`, `io-error`
 */
export async function uninstall(options: UninstallOptions): Promise<UninstallResult> {
  const given = resolvePath(options.target ?? defaultTarget(options.env ?? process.env));
  const target = await realpath(given).catch(() => given);
  return options.dryRun ? uninstallFrom(target, options) : withTargetLock(target, () => uninstallFrom(target, options));
}

async function uninstallFrom(target: string, options: UninstallOptions): Promise<UninstallResult> {
  const record = await readRecord(target);
  linkRecord(record, normalizeName);
  if (!options.names.length)
    throw new InstallError('bad-requirement', 'nothing to uninstall', 'name the packages to remove (mpy list -p DIR shows them)');
  const named = new Set<string>();
  for (const name of options.names) {
    const key = normalizeName(name);
    if (!record.packages[key]) {
      const have = Object.values(record.packages).map((e) => e.name);
      throw new InstallError(
        'not-installed',
        `${name} is not installed in ${target}${have.length ? ` (installed: ${have.join(', ')})` : ' (nothing mpy installed is there)'}`,
        'check the name with mpy list -p DIR',
      );
    }
    named.add(key);
  }
  for (const key of named) {
    const needers = record.packages[key]!.requiredBy.filter((k) => !named.has(k));
    if (needers.length) {
      const e = record.packages[key]!;
      const by = needers.map((k) => `${record.packages[k]!.name} ${record.packages[k]!.version}`).join(', ');
      throw new InstallError(
        'still-required',
        `${e.name} ${e.version} is required by ${by}`,
        `uninstall those too (mpy uninstall ${[...named, ...needers].map((k) => record.packages[k]!.name).join(' ')}), or leave it`,
      );
    }
  }
  const removing = closure(record, named);
  const others = pathsOwnedByOthers(record, removing);
  const files: string[] = [];
  const missing: string[] = [];
  const modified: string[] = [];
  for (const key of removing) {
    for (const [path, sha256] of Object.entries(record.packages[key]!.files)) {
      if (others.has(path) || files.includes(path) || missing.includes(path)) continue;
      const s = await state(join(target, path), sha256);
      if (s === 'missing') missing.push(path);
      else {
        files.push(path);
        if (s === 'changed') modified.push(path);
      }
    }
  }
  if (modified.length && !options.force) {
    throw new InstallError(
      'modified',
      `${modified.length} file(s) changed since they were installed: ${modified
        .sort()
        .map((p) => join(target, p))
        .join(', ')}`,
      'nothing was removed; save your changes elsewhere, or remove them anyway with --force',
    );
  }
  const kept = [...new Set([...removing].flatMap((k) => record.packages[k]!.requires.map(normalizeName)))]
    .filter((k) => record.packages[k] && !removing.has(k))
    .map((k) => ({
      name: record.packages[k]!.name,
      requiredBy: record.packages[k]!.requiredBy.filter((r) => !removing.has(r)).map((r) => record.packages[r]!.name),
    }));
  const order = [...named, ...[...removing].filter((k) => !named.has(k)).sort()];
  const result: UninstallResult = {
    target,
    removed: order.map((k) => ({
      name: record.packages[k]!.name,
      version: record.packages[k]!.version,
      requested: record.packages[k]!.requested,
    })),
    files: files.sort(),
    missing: missing.sort(),
    modified: modified.sort(),
    kept,
    dryRun: options.dryRun ?? false,
  };
  if (options.dryRun) return result;
  const remaining: InstallRecord = { packages: Object.fromEntries(Object.entries(record.packages).filter(([k]) => !removing.has(k))) };
  linkRecord(remaining, normalizeName);
  const stage = await createStage(target);
  let committed = false;
  try {
    const empty = Object.keys(remaining.packages).length === 0;
    if (!empty) await writeFile(join(stage.dir, RECORD_FILE), encodeRecord(remaining));
    await commitStage(stage, undefined, empty ? [...files, RECORD_FILE] : files);
    committed = true;
  } finally {
    await discardStage(stage, committed);
  }
  return result;
}
