/**
 * Every file of a project directory, as relative POSIX paths: what
 * MANIFEST.in chooses from. Version-control directories, `__pycache__`,
 * CPython bytecode and the output directory are never listed.
 */
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';

/** Directory names never walked into. */
const SKIPPED_DIRS: ReadonlySet<string> = new Set(['.git', '.hg', '.svn', '.bzr', 'CVS', 'RCS', '_darcs', '__pycache__']);

/** Options of {@link listProjectFiles}. */
export interface ListOptions {
  /** Absolute directories left out with everything below them (the output directory). Default: none. */
  readonly exclude?: readonly string[];
}

async function kind(path: string, entry: Dirent): Promise<'file' | 'dir' | undefined> {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'dir';
  if (!entry.isSymbolicLink()) return undefined;
  try {
    const s = await stat(path);
    return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : undefined;
  } catch {
    return undefined; // dangling link
  }
}

/** Lists the files under `dir` (symbolic links followed, loops cut), sorted. */
export async function listProjectFiles(dir: string, options: ListOptions = {}): Promise<string[]> {
  const root = resolve(dir);
  const excluded = new Set((options.exclude ?? []).map((d) => resolve(d)));
  const visited = new Set<string>();
  const out: string[] = [];
  const walk = async (abs: string): Promise<void> => {
    const real = await realpath(abs);
    if (visited.has(real)) return;
    visited.add(real);
    const entries = await readdir(abs, { withFileTypes: true });
    for (const entry of entries) {
      const path = join(abs, entry.name);
      const k = await kind(path, entry);
      if (k === 'dir' && !SKIPPED_DIRS.has(entry.name) && !excluded.has(path)) await walk(path);
      else if (k === 'file' && !/\.py[co]$/.test(entry.name)) out.push(relative(root, path).split(sep).join('/'));
    }
  };
  await walk(root);
  return out.sort();
}
