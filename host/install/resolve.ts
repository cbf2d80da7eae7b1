/**
 * Dependency resolution in breadth-first waves. Every requirement of one
 * wave is resolved, fetched and unpacked concurrently; the next wave is the
 * dependencies they declare. A name is chosen once, in the first wave that
 * asks for it, from all that wave's requirements on it together; a later
 * requirement on it must be satisfied by that choice or the install stops.
 * The outcome depends only on the indexes, never on which request finished
 * first.
 *
 * A package the install record lists at a version that satisfies every
 * requirement on it (and the hash policy) is kept as it is, without asking
 * the index; with `upgradeRoots`, the packages named by the user are looked
 * up again and kept only when the index has nothing newer (pip's
 * "only-if-needed" upgrade strategy: dependencies move only when required).
 */
import { ArchiveError } from '../archive/errors.js';
import { satisfies } from '../index/specifier.js';
import { InstallError } from './errors.js';
import { checkDigests } from './digests.js';
import { fetchArchive, type FetchArchiveOptions } from './download.js';
import type { IndexClient, ResolvedRelease } from './index-client.js';
import type { InstallEvent } from './options.js';
import { Limiter } from '../../base/limiter.js';
import type { HashPolicy } from './hash-policy.js';
import type { RecordEntry } from './record.js';
import { parseRequirement, type Requirement } from './requirement.js';
import type { Unpacked, UnpackPool } from './unpack-pool.js';
import type { ArchiveLimits } from '../archive/limits.js';

/** A resolved, fetched and unpacked package. */
export interface ResolvedPackage {
  kind: 'fetched';
  /** Named by the user (not only a dependency). */
  root: boolean;
  release: ResolvedRelease;
  sha256: string;
  size: number;
  cached: boolean;
  /** Whether a digest (the index's or the caller's) was checked against the bytes. */
  verified: boolean;
  unpacked: Unpacked;
  /** Who asked for it, e.g. `foo>=1 (from bar)`. */
  requestedBy: string;
}

/** A package already installed that satisfies its requirements: left as it is. */
export interface KeptPackage {
  kind: 'kept';
  root: boolean;
  key: string;
  entry: RecordEntry;
  requestedBy: string;
}

/** What the resolver decided for one name. */
export type Resolution = ResolvedPackage | KeptPackage;

/** The name and version of a resolution. */
function nameVersion(p: Resolution): { name: string; version: string; key: string } {
  return p.kind === 'kept'
    ? { name: p.entry.name, version: p.entry.version, key: p.key }
    : { name: p.release.name, version: p.release.version, key: p.release.key };
}

/** What the resolver needs. */
export interface ResolveContext {
  client: IndexClient;
  pool: UnpackPool;
  fetch: FetchArchiveOptions;
  limits: Partial<ArchiveLimits> | undefined;
  concurrency: number;
  emit: (e: InstallEvent) => void;
  /** What the target's install record lists, by normalised name. */
  installed: Readonly<Record<string, RecordEntry>>;
  /** Look the requested packages up again even when installed (`-U`). */
  upgradeRoots: boolean;
  /** `--compile`: an install of the other form (source or compiled) is not kept. */
  compile: boolean;
  hashes: HashPolicy;
}

interface Ask {
  req: Requirement;
  from: string | undefined;
  /** The packages that led to it, root first: `['a 1.0', 'b 2.1']`. */
  chain: string[];
}

function describe(a: Ask): string {
  return a.from ? `${a.req.raw} (required by ${a.from})` : a.req.raw;
}

/** Merges one wave's requirements on the same name into one. */
function merge(asks: Ask[]): Ask {
  const pins = [...new Set(asks.map((a) => a.req.pin).filter((p): p is string => p !== undefined))];
  if (pins.length > 1) {
    throw new InstallError(
      'conflict',
      `conflicting requirements: ${asks.map(describe).join(' and ')}`,
      'pin one version of it in your requirements',
    );
  }
  if (asks.length === 1) return asks[0]!;
  const first = asks[0]!.req;
  const clauses = asks.flatMap((a) => a.req.clauses);
  const req: Requirement = {
    raw: `${first.name}${clauses.map((c) => c.op + c.version).join(',')}`,
    name: first.name,
    key: first.key,
    clauses,
    pin: pins[0],
  };
  const root = asks.find((a) => a.from === undefined);
  return { req, from: root ? undefined : asks.map((a) => a.from).join(', '), chain: (root ?? asks[0]!).chain };
}

/** The installed entry to keep for this ask, if any (without asking the index). */
function keepable(ask: Ask, ctx: ResolveContext): RecordEntry | undefined {
  const e = ctx.installed[ask.req.key];
  if (!e || e.compiled !== ctx.compile || !satisfies(e.version, ask.req.clauses) || !ctx.hashes.allows(ask.req.key, e.sha256))
    return undefined;
  return e;
}

async function lookUp(ask: Ask, ctx: ResolveContext, net: Limiter): Promise<ResolvedRelease> {
  try {
    return await net.run(() => ctx.client.resolve(ask.req));
  } catch (err) {
    if (err instanceof InstallError && err.code === 'not-found' && ask.chain.length) {
      const detail = err.message.replace(/^no release of \S+ /, '');
      throw new InstallError(
        'not-found',
        `${[...ask.chain, ask.req.raw].join(' → ')}: no release ${detail}`,
        `${ask.chain.at(-1)} requires it: ${err.hint}`,
        err,
      );
    }
    throw err;
  }
}

async function one(ask: Ask, ctx: ResolveContext, net: Limiter): Promise<Resolution> {
  const root = ask.from === undefined;
  const installed = keepable(ask, ctx);
  if (installed && !(root && ctx.upgradeRoots))
    return { kind: 'kept', root, key: ask.req.key, entry: installed, requestedBy: describe(ask) };
  const release = await lookUp(ask, ctx, net);
  ctx.emit({ type: 'resolved', name: release.name, version: release.version, url: release.url, index: release.index });
  if (installed && installed.version === release.version && (!release.sha256 || release.sha256 === installed.sha256)) {
    return { kind: 'kept', root, key: ask.req.key, entry: installed, requestedBy: describe(ask) };
  }
  const accepted = ctx.hashes.accepted(release.key, release.name, ask.chain);
  const got = await net.run(() => fetchArchive(release, ctx.fetch, accepted));
  ctx.emit({ type: 'fetched', name: release.name, version: release.version, bytes: got.bytes.length, cached: got.cached });
  const verified = checkDigests(release, got.sha256, { required: ctx.hashes.active, expected: accepted?.sha256 }) === 'verified';
  if (!verified) ctx.emit({ type: 'unverified', name: release.name, version: release.version, url: release.url });
  const size = got.bytes.length;
  let unpacked: Unpacked;
  try {
    unpacked = await ctx.pool.unpack(got.bytes, release.url, ctx.limits);
  } catch (err) {
    if (err instanceof ArchiveError) {
      throw new InstallError(
        'bad-archive',
        `refusing ${release.name} ${release.version}: ${err.message}`,
        'the package is damaged or unsafe; nothing was installed. Tell the package author.',
        err,
      );
    }
    throw err;
  }
  ctx.emit({
    type: 'unpacked',
    name: release.name,
    version: release.version,
    files: unpacked.files.length,
    requires: unpacked.metadata.requires,
  });
  return { kind: 'fetched', root, release, sha256: got.sha256, size, cached: got.cached, verified, unpacked, requestedBy: describe(ask) };
}

function requiresOf(p: Resolution): string[] {
  return p.kind === 'kept' ? p.entry.requires : p.unpacked.metadata.requires;
}

/** Resolves the requirements and all their dependencies; packages in breadth-first order. */
export async function resolveAll(roots: Requirement[], ctx: ResolveContext): Promise<Resolution[]> {
  const chosen = new Map<string, Resolution>();
  const order: Resolution[] = [];
  const net = new Limiter(ctx.concurrency);
  let wave: Ask[] = roots.map((req) => ({ req, from: undefined, chain: [] }));
  for (let depth = 0; wave.length; depth++) {
    const groups = new Map<string, Ask[]>();
    for (const ask of wave) {
      const done = chosen.get(ask.req.key);
      if (done) {
        const d = nameVersion(done);
        if (!satisfies(d.version, ask.req.clauses)) {
          throw new InstallError(
            'conflict',
            `${describe(ask)} conflicts with ${d.name} ${d.version} chosen for ${done.requestedBy}`,
            'pin a version that satisfies both in your requirements',
          );
        }
        continue;
      }
      groups.set(ask.req.key, [...(groups.get(ask.req.key) ?? []), ask]);
    }
    if (!groups.size) break;
    const asks = [...groups.values()].map(merge);
    ctx.emit({ type: 'wave', depth, names: asks.map((a) => a.req.name) });
    const settled = await Promise.allSettled(asks.map((a) => one(a, ctx, net)));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const next: Ask[] = [];
    for (const [i, s] of (settled as PromiseFulfilledResult<Resolution>[]).entries()) {
      const pkg = s.value;
      const nv = nameVersion(pkg);
      chosen.set(nv.key, pkg);
      order.push(pkg);
      const chain = [...asks[i]!.chain, `${nv.name} ${nv.version}`];
      for (const line of requiresOf(pkg)) {
        let req: Requirement;
        try {
          req = parseRequirement(line);
        } catch (err) {
          throw new InstallError(
            'bad-requirement',
            `${nv.name} ${nv.version} declares a dependency that does not parse: ${(err as Error).message}`,
            'tell the package author; its requires.txt is broken',
            err,
          );
        }
        next.push({ req, from: `${nv.name} ${nv.version}`, chain });
      }
    }
    wave = next;
  }
  return order;
}
