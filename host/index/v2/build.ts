/** Index v2 from classified sources: the manifest trees first, then the package directory's catalog. */
import type { Catalog } from '../catalog.js';
import { packagesFromCatalog } from './from-catalog.js';
import type { V2Package } from './model.js';
import { renderV2, type V2Files } from './render.js';

/** A rendered index v2. */
export interface V2Build {
  readonly files: V2Files;
  /** Packages in index.json. */
  readonly packages: number;
  /** What was left out, and why. */
  readonly problems: readonly string[];
}

/**
 * Renders the packages of the trees (already read, see readTrees) and of
 * `catalog`; a catalog project named like a tree package is left out.
 * `strict`, `compileCache`: see `RenderOptions`.
 */
export async function buildV2(
  treePackages: readonly V2Package[],
  catalog: Catalog | undefined,
  problems: string[] = [],
  strict = true,
  compileCache?: Map<string, Buffer>,
): Promise<V2Build> {
  const names = new Set(treePackages.map((p) => p.name));
  const fromCatalog = catalog ? await packagesFromCatalog(catalog, problems) : [];
  const all = [...treePackages];
  for (const p of fromCatalog) {
    if (names.has(p.name)) problems.push(`${p.name}: defined by a manifest tree and by a distribution package; index v2 serves the tree's`);
    else all.push(p);
  }
  const files = await renderV2(all, { updated: Math.floor(Date.now() / 1000), problems, strict, compileCache });
  return { files, packages: all.length, problems };
}
