/**
 * The SOURCE arguments of `mpy serve` and `mpy index build`: each is a
 * directory of distribution packages (`*.tar.gz` directly in it) or a tree
 * of packages described by `manifest.py` files. A directory with archives
 * is a package directory; one without archives but with manifests is a
 * tree; an empty directory is a package directory (packages may be added
 * to it while it is served).
 *
 * @module
 */
import { readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isArchiveName } from '../catalog.js';
import { hasManifests } from '../../pkg/manifest-py/tree.js';

/** Classified sources. */
export interface IndexSources {
  /** The directory of distribution packages, if any (at most one). */
  readonly packageDir: string | undefined;
  /** Manifest trees, in the order given. */
  readonly trees: readonly string[];
}

/**
 * Classifies `sources` (resolved against the working directory).
 * @throws Error when a source is not a directory, or more than one is a package directory
 */
export async function classifySources(sources: readonly string[]): Promise<IndexSources> {
  let packageDir: string | undefined;
  const trees: string[] = [];
  for (const s of sources) {
    const dir = resolve(s);
    const st = await stat(dir).catch(() => undefined);
    if (!st?.isDirectory()) throw new Error(`${s} is not a directory`);
    const names = await readdir(dir);
    const isTree = !names.some(isArchiveName) && (await hasManifests(dir));
    if (isTree) trees.push(dir);
    else if (packageDir !== undefined)
      throw new Error(`${packageDir} and ${dir} are both directories of distribution packages; give one (or merge them)`);
    else packageDir = dir;
  }
  return { packageDir, trees };
}
