/**
 * `mpy install`: resolve, fetch, unpack (in workers), stage beside the
 * target, optionally compile, then commit all or nothing, the install
 * record (record.ts) and the removal of replaced versions' files included.
 */
import { readFile, realpath, writeFile } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import { normalizeName } from '../index/names.js';
import { ArchiveCache, defaultCacheDir } from './cache.js';
import { commitStage } from './commit.js';
import { compileStaged } from './compile-hook.js';
import { InstallError, throwIfCancelled } from './errors.js';
import { IndexClient } from './index-client.js';
import { HashPolicy } from './hash-policy.js';
import { DEFAULT_INDEXES, defaultTarget, type InstalledPackage, type InstallOptions, type InstallResult } from './options.js';
import { encodeRecord, fileSha256, type InstallRecord, linkRecord, pathsOwnedByOthers, readRecord, RECORD_FILE, type RecordEntry } from './record.js';
import { parseRequirement, type Requirement } from './requirement.js';
import { readRequirementsFile } from './requirements-file.js';
import { type KeptPackage, type Resolution, resolveAll, type ResolvedPackage } from './resolve.js';
import { createStage, discardStage, type StagedFile, writeStaged } from './stage.js';
import { withTargetLock } from './target-lock.js';
import { UnpackPool } from './unpack-pool.js';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

/** The files of all packages; the same path from two packages must hold the same bytes. */
function collectFiles(packages: ResolvedPackage[]): StagedFile[] {
  const byPath = new Map<string, StagedFile>();
  for (const p of packages) {
    const owner = `${p.release.name} ${p.release.version}`;
    for (const f of p.unpacked.files) {
      const data = p.unpacked.tar.subarray(f.offset, f.offset + f.size);
      const prior = byPath.get(f.path);
      if (prior && !sameBytes(prior.data, data)) {
        throw new InstallError('file-conflict', `${prior.owner} and ${owner} both install ${f.path}, with different contents`, 'these packages cannot be installed together');
      }
      if (!prior) byPath.set(f.path, { path: f.path, data, owner });
    }
  }
  return [...byPath.values()];
}

interface Gathered {
  roots: Requirement[];
  indexes: string[];
  requireHashes: boolean;
}

async function gatherRequirements(options: InstallOptions): Promise<Gathered> {
  const roots = (options.requirements ?? []).map(parseRequirement);
  let fileIndex: string | undefined;
  const extras: string[] = [];
  let requireHashes = options.requireHashes ?? false;
  for (const file of options.requirementFiles ?? []) {
    const got = await readRequirementsFile(file);
    roots.push(...got.requirements);
    fileIndex = got.indexUrl ?? fileIndex;
    extras.push(...got.extraIndexUrls);
    requireHashes ||= got.requireHashes;
  }
  if (!roots.length) throw new InstallError('bad-requirement', 'nothing to install', 'name packages, or give a requirements file with -r');
  const main = options.indexes?.length ? options.indexes : fileIndex ? [fileIndex] : [...DEFAULT_INDEXES];
  const indexes = [...new Set([...main, ...extras, ...(options.extraIndexes ?? [])])];
  return { roots, indexes, requireHashes };
}

function report(p: ResolvedPackage, compiled: boolean, previous: RecordEntry | undefined): InstalledPackage {
  return {
    name: p.release.name,
    key: p.release.key,
    version: p.release.version,
    url: p.release.url,
    index: p.release.index,
    sha256: p.sha256,
    verified: p.verified,
    size: p.size,
    cached: p.cached,
    files: installedPaths(p, compiled),
    requires: p.unpacked.metadata.requires,
    ...(previous ? { previous: previous.version } : {}),
  };
}

function installedPaths(p: ResolvedPackage, compiled: boolean): string[] {
  return p.unpacked.files.map((f) => (compiled && f.path.endsWith('.py') ? `${f.path.slice(0, -3)}.mpy` : f.path));
}

/** The files of the replaced versions that the new ones do not install and no other package owns. */
function staleFiles(record: InstallRecord, fetched: ResolvedPackage[], newPaths: ReadonlySet<string>): string[] {
  const replaced = new Set(fetched.map((p) => p.release.key).filter((k) => k in record.packages));
  const others = pathsOwnedByOthers(record, replaced);
  const out: string[] = [];
  for (const key of replaced) for (const path of Object.keys(record.packages[key]!.files)) if (!newPaths.has(path) && !others.has(path)) out.push(path);
  return [...new Set(out)].sort();
}

/** The record after the install: fetched packages replace their entries; kept roots become requested. */
async function nextRecord(record: InstallRecord, resolved: Resolution[], stageDir: string, compiled: boolean): Promise<InstallRecord> {
  const packages = { ...record.packages };
  for (const p of resolved) {
    if (p.kind === 'kept') {
      if (p.root) packages[p.key] = { ...p.entry, requested: true };
      continue;
    }
    const files: Record<string, string> = {};
    for (const path of installedPaths(p, compiled)) files[path] = fileSha256(await readFile(join(stageDir, path)));
    const old = record.packages[p.release.key];
    packages[p.release.key] = {
      name: p.release.name,
      version: p.release.version,
      url: p.release.url,
      sha256: p.sha256,
      requested: p.root || (old?.requested ?? false),
      compiled,
      requires: [...p.unpacked.metadata.requires],
      requiredBy: [],
      files,
    };
  }
  return linkRecord({ packages }, normalizeName);
}

/**
 * Installs packages and their dependencies into the target directory. On
 * any failure the target is left exactly as it was and an `InstallError`
 * says what went wrong and what to do.
 */
export async function install(options: InstallOptions): Promise<InstallResult> {
  const env = options.env ?? process.env;
  // Stage beside the real directory, so that a symlinked target is still committed by renames.
  const target = await realpath(resolvePath(options.target ?? defaultTarget(env))).catch(() => resolvePath(options.target ?? defaultTarget(env)));
  const { roots, indexes, requireHashes } = await gatherRequirements(options);
  const hashes = new HashPolicy(roots, requireHashes);
  if (options.dryRun) return installInto(target, roots, indexes, hashes, options);
  return withTargetLock(target, () => installInto(target, roots, indexes, hashes, options));
}

async function installInto(target: string, roots: Requirement[], indexes: string[], hashes: HashPolicy, options: InstallOptions): Promise<InstallResult> {
  const env = options.env ?? process.env;
  const emit = options.onEvent ?? (() => undefined);
  const record = await readRecord(target);
  const { signal } = options;
  throwIfCancelled(signal);
  const client = new IndexClient(indexes, { timeoutMs: options.timeoutMs, signal });
  const cache = options.noCache ? undefined : new ArchiveCache(options.cacheDir ?? defaultCacheDir(env));
  const pool = options.pool ?? new UnpackPool();
  let resolved: Resolution[];
  try {
    resolved = await resolveAll(roots, {
      client,
      pool,
      fetch: { cache, timeoutMs: options.timeoutMs, signal },
      limits: options.limits,
      concurrency: options.concurrency ?? 8,
      emit,
      installed: record.packages,
      upgradeRoots: options.upgrade ?? false,
      compile: options.compile ?? false,
      hashes,
    });
  } finally {
    if (!options.pool) await pool.close();
  }
  throwIfCancelled(signal);
  const packages = resolved.filter((p): p is ResolvedPackage => p.kind === 'fetched');
  const compiled = options.compile ?? false;
  const files = collectFiles(packages);
  if (files.some((f) => f.path === RECORD_FILE)) {
    throw new InstallError('file-conflict', `a package installs a file named ${RECORD_FILE}, the name of mpy's install record`, 'this package cannot be installed with mpy install');
  }
  const removed = staleFiles(record, packages, new Set(packages.flatMap((p) => installedPaths(p, compiled))));
  const result: InstallResult = {
    target,
    packages: packages.map((p) => report(p, compiled, record.packages[p.release.key])),
    files: files.length,
    compiled,
    kept: resolved.filter((p): p is KeptPackage => p.kind === 'kept').map((p) => ({ name: p.entry.name, version: p.entry.version })),
    removed,
    dryRun: options.dryRun ?? false,
  };
  const newlyRequested = resolved.some((p) => p.kind === 'kept' && p.root && !p.entry.requested);
  if (options.dryRun || (!packages.length && !newlyRequested)) return result;
  let stage;
  try {
    stage = await createStage(target);
  } catch (err) {
    throw new InstallError('io-error', `cannot create a staging directory beside ${target}: ${(err as Error).message}`, 'the parent of the target must be writable', err);
  }
  let committed = false;
  try {
    await writeStaged(stage, files);
    emit({ type: 'staged', files: files.length });
    if (compiled) emit({ type: 'compiled', modules: await compileStaged(stage.dir) });
    await writeFile(join(stage.dir, RECORD_FILE), encodeRecord(await nextRecord(record, resolved, stage.dir, compiled)));
    throwIfCancelled(signal);
    await commitStage(stage, (done, total) => emit({ type: 'commit', done, total }), removed);
    committed = true;
  } finally {
    await discardStage(stage, committed);
  }
  return result;
}
