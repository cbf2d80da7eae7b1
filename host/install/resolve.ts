/**
 * Dependency resolution in breadth-first waves. Every requirement of one
 * wave is resolved, fetched and unpacked concurrently; the next wave is the
 * dependencies they declare. A name is chosen once, in the first wave that
 * asks for it, from all that wave's requirements on it together; a later
 * requirement on it must be satisfied by that choice or the install stops.
 * The outcome depends only on the indexes, never on which request finished
 * first.
 */
import { ArchiveError } from '../archive/errors.js';
import { satisfies } from '../index/specifier.js';
import { InstallError } from './errors.js';
import { fetchArchive, type FetchArchiveOptions } from './download.js';
import type { IndexClient, ResolvedRelease } from './index-client.js';
import type { InstallEvent } from './options.js';
import { Limiter } from '../../base/limiter.js';
import { parseRequirement, type Requirement } from './requirement.js';
import type { Unpacked, UnpackPool } from './unpack-pool.js';
import type { ArchiveLimits } from '../archive/limits.js';

/** A resolved, fetched and unpacked package. */
export interface ResolvedPackage {
  release: ResolvedRelease;
  sha256: string;
  size: number;
  cached: boolean;
  unpacked: Unpacked;
  /** Who asked for it, e.g. `foo>=1 (from bar)`. */
  requestedBy: string;
}

/** What the resolver needs. */
export interface ResolveContext {
  client: IndexClient;
  pool: UnpackPool;
  fetch: FetchArchiveOptions;
  limits: Partial<ArchiveLimits> | undefined;
  concurrency: number;
  emit: (e: InstallEvent) => void;
}

interface Ask {
  req: Requirement;
  from: string | undefined;
}

function describe(a: Ask): string {
  return a.from ? `${a.req.raw} (required by ${a.from})` : a.req.raw;
}

/** Merges one wave's requirements on the same name into one. */
function merge(asks: Ask[]): Ask {
  const pins = [...new Set(asks.map((a) => a.req.pin).filter((p): p is string => p !== undefined))];
  if (pins.length > 1) {
    throw new InstallError('conflict', `conflicting requirements: ${asks.map(describe).join(' and ')}`, 'pin one version of it in your requirements');
  }
  if (asks.length === 1) return asks[0]!;
  const first = asks[0]!.req;
  const clauses = asks.flatMap((a) => a.req.clauses);
  const req: Requirement = { raw: `${first.name}${clauses.map((c) => c.op + c.version).join(',')}`, name: first.name, key: first.key, clauses, pin: pins[0] };
  return { req, from: asks.map((a) => a.from ?? 'command line').join(', ') };
}

async function one(ask: Ask, ctx: ResolveContext, net: Limiter): Promise<ResolvedPackage> {
  const release = await net.run(() => ctx.client.resolve(ask.req));
  ctx.emit({ type: 'resolved', name: release.name, version: release.version, url: release.url, index: release.index });
  const got = await net.run(() => fetchArchive(release, ctx.fetch));
  ctx.emit({ type: 'fetched', name: release.name, version: release.version, bytes: got.bytes.length, cached: got.cached });
  const size = got.bytes.length;
  let unpacked: Unpacked;
  try {
    unpacked = await ctx.pool.unpack(got.bytes, release.url, ctx.limits);
  } catch (err) {
    if (err instanceof ArchiveError) {
      throw new InstallError('bad-archive', `refusing ${release.name} ${release.version}: ${err.message}`, 'the package is damaged or unsafe; nothing was installed. Tell the package author.', err);
    }
    throw err;
  }
  ctx.emit({ type: 'unpacked', name: release.name, version: release.version, files: unpacked.files.length, requires: unpacked.metadata.requires });
  return { release, sha256: got.sha256, size, cached: got.cached, unpacked, requestedBy: describe(ask) };
}

/** Resolves the requirements and all their dependencies; packages in breadth-first order. */
export async function resolveAll(roots: Requirement[], ctx: ResolveContext): Promise<ResolvedPackage[]> {
  const chosen = new Map<string, ResolvedPackage>();
  const order: ResolvedPackage[] = [];
  const net = new Limiter(ctx.concurrency);
  let wave: Ask[] = roots.map((req) => ({ req, from: undefined }));
  for (let depth = 0; wave.length; depth++) {
    const groups = new Map<string, Ask[]>();
    for (const ask of wave) {
      const done = chosen.get(ask.req.key);
      if (done) {
        if (!satisfies(done.release.version, ask.req.clauses)) {
          throw new InstallError('conflict', `${describe(ask)} conflicts with ${done.release.name} ${done.release.version} chosen for ${done.requestedBy}`, 'pin a version that satisfies both in your requirements');
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
    for (const s of settled as PromiseFulfilledResult<ResolvedPackage>[]) {
      const pkg = s.value;
      chosen.set(pkg.release.key, pkg);
      order.push(pkg);
      for (const line of pkg.unpacked.metadata.requires) {
        let req: Requirement;
        try {
          req = parseRequirement(line);
        } catch (err) {
          throw new InstallError('bad-requirement', `${pkg.release.name} ${pkg.release.version} declares a dependency that does not parse: ${(err as Error).message}`, 'tell the package author; its requires.txt is broken', err);
        }
        next.push({ req, from: `${pkg.release.name} ${pkg.release.version}` });
      }
    }
    wave = next;
  }
  return order;
}
