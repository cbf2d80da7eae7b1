/**
 * The staging directory: a sibling of the target (same filesystem, so the
 * commit is made of renames), holding exactly the files to install.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InstallError } from './errors.js';

/** A staging directory and what was created to hold it. */
export interface Stage {
  /** Absolute target directory. */
  readonly target: string;
  /** Absolute staging directory, beside the target. */
  readonly dir: string;
  /** Ancestors of the target created for the stage, outermost first (removed again on failure). */
  readonly createdParents: readonly string[];
}

/** A file to stage. */
export interface StagedFile {
  /** Path relative to the target, `a/b/c.py`. */
  readonly path: string;
  readonly data: Uint8Array;
  /** The package it comes from, for conflict messages. */
  readonly owner: string;
}

/** A fresh name beside `target` for a temporary directory of the given kind. */
export function siblingName(target: string, kind: 'stage' | 'backup'): string {
  return join(dirname(target), `.${basename(target)}.mpy-${kind}-${randomBytes(6).toString('hex')}`);
}

/** Creates the staging directory for `target` (and the target's missing parents). */
export async function createStage(target: string): Promise<Stage> {
  const abs = resolve(target);
  const parent = dirname(abs);
  const first = await mkdir(parent, { recursive: true });
  const createdParents: string[] = [];
  if (first !== undefined) for (let p = parent; p.length >= first.length; p = dirname(p)) createdParents.unshift(p);
  const dir = siblingName(abs, 'stage');
  await mkdir(dir);
  return { target: abs, dir, createdParents };
}

/** Writes the files into the stage. @throws InstallError `file-conflict` when one path is both a file and a directory */
export async function writeStaged(stage: Stage, files: readonly StagedFile[]): Promise<void> {
  const dirs = new Set<string>();
  for (const f of files) for (let d = dirname(f.path); d !== '.'; d = dirname(d)) dirs.add(d);
  for (const f of files) {
    if (dirs.has(f.path)) {
      const other = files.find((g) => g.path.startsWith(`${f.path}/`))!;
      throw new InstallError(
        'file-conflict',
        `${f.owner} installs a file ${f.path} where ${other.owner} installs ${other.path}`,
        'these packages cannot be installed together',
      );
    }
  }
  for (const d of [...dirs].sort()) await mkdir(join(stage.dir, d), { recursive: true });
  for (const f of files) await writeFile(join(stage.dir, f.path), f.data);
}

/** Removes the stage and the target parents created for it (after a failure, or leftovers after success). */
export async function discardStage(stage: Stage, keepParents: boolean): Promise<void> {
  await rm(stage.dir, { recursive: true, force: true });
  if (keepParents) return;
  for (const p of [...stage.createdParents].reverse()) await rmdir(p).catch(() => undefined);
}
