/** Index v2 packages from a tree of `manifest.py` files (one release each: the version its metadata gives). */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { ManifestTree } from '../../pkg/manifest-py/tree.js';
import type { V2Package } from './model.js';

/** Reads the files of every package of `tree`. */
export async function packagesFromTree(tree: ManifestTree): Promise<V2Package[]> {
  const out: V2Package[] = [];
  for (const p of tree.packages.values()) {
    const files = await Promise.all(
      p.files.map(async (f) => ({
        target: f.target,
        bytes: await readFile(f.source),
        opt: f.opt,
        origin: relative(tree.root, f.source) || f.source,
      })),
    );
    const m = p.metadata;
    out.push({
      name: p.name,
      aliases: [],
      description: m.description ?? '',
      // micropython-lib's builder writes MIT when a manifest names no licence.
      license: m.license ?? 'MIT',
      author: m.author ?? '',
      path: p.path,
      releases: [{ version: m.version ?? '', files, deps: p.deps }],
    });
  }
  return out;
}
