/**
 * `mpy install`: resolve, fetch, unpack (in workers), stage beside the
 * target, optionally compile, then commit all or nothing.
 */
import { realpath } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { ArchiveCache, defaultCacheDir } from './cache.js';
import { commitStage } from './commit.js';
import { compileStaged } from './compile-hook.js';
import { InstallError, throwIfCancelled } from './errors.js';
import { IndexClient } from './index-client.js';
import { isMipUrlSpec, type MipInstalled, parseMipRequirement, resolveMip } from './mip-source.js';
import { DEFAULT_INDEXES, defaultTarget, type InstalledPackage, type InstallOptions, type InstallResult } from './options.js';
import { parseRequirement, readRequirementsFile, type Requirement } from './requirement.js';
import { resolveAll, type ResolvedPackage } from './resolve.js';
import { createStage, discardStage, type StagedFile, writeStaged } from './stage.js';
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

/** Whether a requirement is for mip's index v2 (all with `mip`, and every repository or URL spec). */
function isMipRequirement(text: string, options: InstallOptions): boolean {
  return options.mip === true || isMipUrlSpec(text);
}

async function gatherRequirements(options: InstallOptions, mipCount: number): Promise<Requirement[]> {
  const reqs = (options.requirements ?? []).filter((r) => !isMipRequirement(r, options)).map(parseRequirement);
  for (const file of options.requirementFiles ?? []) reqs.push(...(await readRequirementsFile(file)));
  if (!reqs.length && !mipCount) throw new InstallError('bad-requirement', 'nothing to install', 'name packages, or give a requirements file with -r');
  return reqs;
}

function reportMip(p: MipInstalled, files: readonly StagedFile[], compiled: boolean): InstalledPackage {
  const own = new Set(p.files);
  return {
    name: p.spec,
    key: p.spec,
    version: p.version,
    url: p.url,
    index: p.index,
    sha256: '',
    verified: p.verified,
    size: files.filter((f) => own.has(f.path)).reduce((n, f) => n + f.data.length, 0),
    cached: false,
    files: p.files.map((f) => (compiled && f.endsWith('.py') ? `${f.slice(0, -3)}.mpy` : f)),
    requires: [...p.deps],
  };
}

function report(p: ResolvedPackage, compiled: boolean): InstalledPackage {
  return {
    name: p.release.name,
    key: p.release.key,
    version: p.release.version,
    url: p.release.url,
    index: p.release.index,
    sha256: p.sha256,
    verified: p.release.sha256 !== undefined,
    size: p.size,
    cached: p.cached,
    files: p.unpacked.files.map((f) => (compiled && f.path.endsWith('.py') ? `${f.path.slice(0, -3)}.mpy` : f.path)),
    requires: p.unpacked.metadata.requires,
  };
}

/**
 * Installs packages and their dependencies into the target directory. On
 * any failure the target is left exactly as it was and an `InstallError`
 * says what went wrong and what to do.
 */
export async function install(options: InstallOptions): Promise<InstallResult> {
  const env = options.env ?? process.env;
  const emit = options.onEvent ?? (() => undefined);
  // Stage beside the real directory, so that a symlinked target is still committed by renames.
  const target = await realpath(resolvePath(options.target ?? defaultTarget(env))).catch(() => resolvePath(options.target ?? defaultTarget(env)));
  const mipRoots = (options.requirements ?? []).filter((r) => isMipRequirement(r, options)).map(parseMipRequirement);
  const roots = await gatherRequirements(options, mipRoots.length);
  const { signal } = options;
  throwIfCancelled(signal);
  const mip = mipRoots.length
    ? await resolveMip(mipRoots, { indexes: options.indexes, mpy: options.mipMpy ?? true, env, timeoutMs: options.timeoutMs, signal, concurrency: options.concurrency ?? 8, emit })
    : { packages: [], files: [] };
  const client = new IndexClient(options.indexes?.length ? options.indexes : DEFAULT_INDEXES, { timeoutMs: options.timeoutMs, signal });
  const cache = options.noCache ? undefined : new ArchiveCache(options.cacheDir ?? defaultCacheDir(env));
  const pool = options.pool ?? new UnpackPool();
  let packages: ResolvedPackage[] = [];
  try {
    if (roots.length) packages = await resolveAll(roots, {
      client,
      pool,
      fetch: { cache, timeoutMs: options.timeoutMs, signal },
      limits: options.limits,
      concurrency: options.concurrency ?? 8,
      emit,
    });
  } finally {
    if (!options.pool) await pool.close();
  }
  throwIfCancelled(signal);
  const files = collectFiles(packages);
  const pypiPaths = new Map(files.map((f) => [f.path, f]));
  for (const f of mip.files) {
    const prior = pypiPaths.get(f.path);
    if (prior && !sameBytes(prior.data, f.data)) throw new InstallError('file-conflict', `${prior.owner} and ${f.owner} both install ${f.path}, with different contents`, 'these packages cannot be installed together');
    if (!prior) files.push(f);
  }
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
    if (options.compile) emit({ type: 'compiled', modules: await compileStaged(stage.dir) });
    throwIfCancelled(signal);
    await commitStage(stage, (done, total) => emit({ type: 'commit', done, total }));
    committed = true;
  } finally {
    await discardStage(stage, committed);
  }
  const compiled = options.compile ?? false;
  return {
    target,
    packages: [...packages.map((p) => report(p, compiled)), ...mip.packages.map((p) => reportMip(p, mip.files, compiled))],
    files: files.length,
    compiled,
  };
}
