/**
 * `mpy install`: resolve, fetch, unpack (in workers), stage beside the
 * target, optionally compile, then commit all or nothing, the install
 * record (record.ts) and the removal of replaced versions' files included.
 * mip packages (index v2, mip-source.ts) are fetched and staged with the rest.
 */
import { readFile, realpath, writeFile } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import { normalizeName } from '../index/names.js';
import { ArchiveCache, defaultCacheDir } from './cache.js';
import { commitStage } from './commit.js';
import { compileStaged } from './compile-hook.js';
import { InstallError, throwIfCancelled } from './errors.js';
import { IndexClient } from './index-client.js';
import { isMipUrlSpec, type MipInstalled, type MipRequirement, parseMipRequirement, resolveMip } from './mip-source.js';
import { HashPolicy } from './hash-policy.js';
import { DEFAULT_INDEXES, defaultTarget, type InstalledPackage, type InstallOptions, type InstallResult } from './options.js';
import {
  encodeRecord,
  fileSha256,
  type InstallRecord,
  linkRecord,
  pathsOwnedByOthers,
  readRecord,
  RECORD_FILE,
  type RecordEntry,
} from './record.js';
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
        throw new InstallError(
          'file-conflict',
          `${prior.owner} and ${owner} both install ${f.path}, with different contents`,
          'these packages cannot be installed together',
        );
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

/** Whether a requirement is for mip's index v2 (all with `mip`, and every repository or URL spec). */
function isMipRequirement(text: string, options: InstallOptions): boolean {
  return options.mip === true || isMipUrlSpec(text);
}

async function gatherRequirements(options: InstallOptions, mipCount: number): Promise<Gathered> {
  const roots = (options.requirements ?? []).filter((r) => !isMipRequirement(r, options)).map(parseRequirement);
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
  if (!roots.length && !mipCount)
    throw new InstallError('bad-requirement', 'nothing to install', 'name packages, or give a requirements file with -r');
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

function reportMip(p: MipInstalled, files: readonly StagedFile[], compiled: boolean, previous: RecordEntry | undefined): InstalledPackage {
  const own = new Set(p.files);
  return {
    name: p.spec,
    key: mipKey(p.spec),
    version: p.version,
    url: p.url,
    index: p.index,
    sha256: '',
    verified: p.verified,
    size: files.filter((f) => own.has(f.path)).reduce((n, f) => n + f.data.length, 0),
    cached: false,
    files: p.files.map((f) => (compiled && f.endsWith('.py') ? `${f.slice(0, -3)}.mpy` : f)),
    requires: [...p.deps],
    ...(previous ? { previous: previous.version } : {}),
  };
}

/** The record key of a mip package: its normalised name, or a repository/URL spec as given. */
function mipKey(spec: string): string {
  return isMipUrlSpec(spec) ? spec : normalizeName(spec);
}

function installedPaths(p: ResolvedPackage, compiled: boolean): string[] {
  return p.unpacked.files.map((f) => (compiled && f.path.endsWith('.py') ? `${f.path.slice(0, -3)}.mpy` : f.path));
}

/** The files of the replaced versions that the new ones do not install and no other package owns. */
function staleFiles(record: InstallRecord, fetched: ResolvedPackage[], newPaths: ReadonlySet<string>): string[] {
  const replaced = new Set(fetched.map((p) => p.release.key).filter((k) => k in record.packages));
  const others = pathsOwnedByOthers(record, replaced);
  const out: string[] = [];
  for (const key of replaced)
    for (const path of Object.keys(record.packages[key]!.files)) if (!newPaths.has(path) && !others.has(path)) out.push(path);
  return [...new Set(out)].sort();
}

/** The record after the install: fetched packages replace their entries; kept roots become requested. */
async function nextRecord(
  record: InstallRecord,
  resolved: Resolution[],
  mip: readonly MipInstalled[],
  mipRoots: ReadonlySet<string>,
  stageDir: string,
  compiled: boolean,
): Promise<InstallRecord> {
  const packages = { ...record.packages };
  for (const p of mip) {
    const files: Record<string, string> = {};
    for (const f of p.files) {
      const path = compiled && f.endsWith('.py') ? `${f.slice(0, -3)}.mpy` : f;
      files[path] = fileSha256(await readFile(join(stageDir, path)));
    }
    const key = mipKey(p.spec);
    packages[key] = {
      name: p.spec,
      version: p.version,
      url: p.url,
      sha256: '',
      requested: mipRoots.has(p.spec) || (record.packages[key]?.requested ?? false),
      compiled,
      requires: p.deps.map((d) => d.split('@')[0]!),
      requiredBy: [],
      files,
    };
  }
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
  const target = await realpath(resolvePath(options.target ?? defaultTarget(env))).catch(() =>
    resolvePath(options.target ?? defaultTarget(env)),
  );
  const mipRoots = (options.requirements ?? []).filter((r) => isMipRequirement(r, options)).map(parseMipRequirement);
  const { roots, indexes, requireHashes } = await gatherRequirements(options, mipRoots.length);
  const hashes = new HashPolicy(roots, requireHashes);
  if (options.dryRun) return installInto(target, roots, mipRoots, indexes, hashes, options);
  return withTargetLock(target, () => installInto(target, roots, mipRoots, indexes, hashes, options));
}

async function installInto(
  target: string,
  roots: Requirement[],
  mipRoots: MipRequirement[],
  indexes: string[],
  hashes: HashPolicy,
  options: InstallOptions,
): Promise<InstallResult> {
  const env = options.env ?? process.env;
  const emit = options.onEvent ?? (() => undefined);
  const record = await readRecord(target);
  const { signal } = options;
  throwIfCancelled(signal);
  const client = new IndexClient(indexes, { timeoutMs: options.timeoutMs, signal });
  const cache = options.noCache ? undefined : new ArchiveCache(options.cacheDir ?? defaultCacheDir(env));
  const pool = options.pool ?? new UnpackPool();
  const mip = mipRoots.length
    ? await resolveMip(mipRoots, {
        indexes: options.indexes,
        mpy: options.mipMpy ?? true,
        env,
        timeoutMs: options.timeoutMs,
        signal,
        concurrency: options.concurrency ?? 8,
        emit,
      })
    : { packages: [], files: [] };
  let resolved: Resolution[] = [];
  try {
    if (roots.length)
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
  const pypiPaths = new Map(files.map((f) => [f.path, f]));
  for (const f of mip.files) {
    const prior = pypiPaths.get(f.path);
    if (prior && !sameBytes(prior.data, f.data)) {
      throw new InstallError(
        'file-conflict',
        `${prior.owner} and ${f.owner} both install ${f.path}, with different contents`,
        'these packages cannot be installed together',
      );
    }
    if (!prior) files.push(f);
  }
  if (files.some((f) => f.path === RECORD_FILE)) {
    throw new InstallError(
      'file-conflict',
      `a package installs a file named ${RECORD_FILE}, the name of mpy's install record`,
      'this package cannot be installed with mpy install',
    );
  }
  const removed = staleFiles(record, packages, new Set(packages.flatMap((p) => installedPaths(p, compiled))));
  const result: InstallResult = {
    target,
    packages: [
      ...packages.map((p) => report(p, compiled, record.packages[p.release.key])),
      ...mip.packages.map((p) => reportMip(p, mip.files, compiled, record.packages[mipKey(p.spec)])),
    ],
    files: files.length,
    compiled,
    kept: resolved.filter((p): p is KeptPackage => p.kind === 'kept').map((p) => ({ name: p.entry.name, version: p.entry.version })),
    removed,
    dryRun: options.dryRun ?? false,
  };
  const newlyRequested = resolved.some((p) => p.kind === 'kept' && p.root && !p.entry.requested);
  if (options.dryRun || (!packages.length && !mip.packages.length && !newlyRequested)) return result;
  let stage: Awaited<ReturnType<typeof createStage>>;
  try {
    stage = await createStage(target);
  } catch (err) {
    throw new InstallError(
      'io-error',
      `cannot create a staging directory beside ${target}: ${(err as Error).message}`,
      'the parent of the target must be writable',
      err,
    );
  }
  let committed = false;
  try {
    await writeStaged(stage, files);
    emit({ type: 'staged', files: files.length });
    if (compiled) emit({ type: 'compiled', modules: await compileStaged(stage.dir) });
    await writeFile(
      join(stage.dir, RECORD_FILE),
      encodeRecord(await nextRecord(record, resolved, mip.packages, new Set(mipRoots.map((r) => r.spec)), stage.dir, compiled)),
    );
    throwIfCancelled(signal);
    await commitStage(stage, (done, total) => emit({ type: 'commit', done, total }), removed);
    committed = true;
  } finally {
    await discardStage(stage, committed);
  }
  return result;
}
