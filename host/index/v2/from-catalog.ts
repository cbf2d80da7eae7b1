/**
 * Index v2 packages from a directory of distribution packages: every
 * release's modules (what upip would install: not PKG-INFO, setup.py or
 * the egg-info), its requires.txt names as dependencies.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { readDistribution } from '../../archive/index.js';
import type { Catalog } from '../catalog.js';
import { requirementName } from '../names.js';
import type { V2Package, V2Release, V2SourceFile } from './model.js';

function installPath(member: string): string | undefined {
  const rest = member.split('/').slice(1).join('/');
  if (rest === '' || /^(setup\.(py|cfg)|PKG-INFO|README[^/]*)$/.test(rest) || /(^|\/)[^/]*\.egg-info(\/|$)/.test(rest)) return undefined;
  return rest;
}

/** The v2 packages of a catalog; a package that cannot be read again is reported and left out. */
export async function packagesFromCatalog(catalog: Catalog, problems: string[] = []): Promise<V2Package[]> {
  const out: V2Package[] = [];
  for (const p of catalog.projects.values()) {
    const releases: V2Release[] = [];
    for (const [version, f] of p.releases) {
      try {
        const dist = readDistribution(await readFile(f.path), f.filename);
        const files: V2SourceFile[] = [];
        for (const { entry, path } of dist.members) {
          const target = entry.type === 'file' ? installPath(path) : undefined;
          if (target !== undefined) files.push({ target, bytes: Buffer.from(entry.data), opt: undefined, origin: `${f.filename}:${path}` });
        }
        const deps = f.requires.map(requirementName).filter((d): d is string => d !== undefined);
        releases.push({ version, files, deps });
      } catch (err) {
        problems.push(`${f.filename}: ${(err as Error).message}; not in index v2`);
      }
    }
    if (!releases.length) continue;
    // The release `latest.json` describes goes last: the catalog's latest, which a pre-release may follow.
    const last = releases.findIndex((r) => r.version === p.latest);
    if (last >= 0) releases.push(...releases.splice(last, 1));
    const latest = p.releases.get(p.latest)!;
    out.push({ name: p.name, aliases: [p.key], description: latest.summary, license: '', author: '', path: undefined, releases });
  }
  return out;
}
