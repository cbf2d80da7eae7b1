/**
 * Moving a staged tree into the target, all or nothing. The plan is made and
 * checked before anything in the target changes (a file where a directory
 * must go, or the reverse, is refused then). Installing `x.py` removes an
 * `x.mpy` already in the target, and `x.mpy` an `x.py`: MicroPython imports
 * the `.py` first, so the old form would shadow or outlive the new one. Each step is a rename within one
 * filesystem, journalled; files that are replaced are first renamed into a
 * backup directory beside the target. If any step fails, the journal is
 * undone in reverse, which puts back the very same inodes: the target is as
 * it was. What this cannot cover is the process dying mid-commit (a crash or
 * SIGKILL); then the stage and backup directories, named
 * `.<target>.mpy-stage-*` and `.mpy-backup-*`, remain beside the target.
 * Files listed as removals (an upgrade's old files, an uninstall) are steps
 * of the same journal: moved into the backup, restored on failure.
 */
import { lstat, mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InstallError } from './errors.js';
import { siblingName, type Stage } from './stage.js';

type Step = { kind: 'move'; rel: string } | { kind: 'replace'; rel: string } | { kind: 'remove'; rel: string };

/** Called after each step with the steps done and the total; throwing aborts and rolls back. */
export type CommitProgress = (done: number, total: number) => void;

async function kind(path: string, follow: boolean): Promise<'dir' | 'other' | 'none'> {
  try {
    const s = follow ? await stat(path) : await lstat(path);
    return s.isDirectory() ? 'dir' : 'other';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'none';
    if (code === 'ENOTDIR') return 'other';
    throw err;
  }
}

/** Plans the steps: whole directories the target lacks move in one rename. */
async function plan(stageDir: string, target: string, rel: string, steps: Step[]): Promise<void> {
  for (const e of (await readdir(join(stageDir, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    const there = join(target, r);
    if (e.isDirectory()) {
      const k = await kind(there, true);
      if (k === 'none' && (await kind(there, false)) === 'none') steps.push({ kind: 'move', rel: r });
      else if (k === 'dir') await plan(stageDir, target, r, steps);
      else throw conflict(target, r, 'a directory', 'a file');
    } else {
      const k = await kind(there, false);
      if (k === 'dir') throw conflict(target, r, 'a file', 'a directory');
      steps.push(k === 'none' ? { kind: 'move', rel: r } : { kind: 'replace', rel: r });
      const twin = twinOf(r);
      if (twin && (await kind(join(target, twin), false)) === 'other' && (await kind(join(stageDir, twin), false)) === 'none') {
        steps.push({ kind: 'remove', rel: twin });
      }
    }
  }
}

/** `x.py` ↔ `x.mpy`: the other form of the same module, which would shadow or outlive the new one. */
function twinOf(rel: string): string | undefined {
  if (rel.endsWith('.py')) return `${rel.slice(0, -3)}.mpy`;
  if (rel.endsWith('.mpy')) return `${rel.slice(0, -4)}.py`;
  return undefined;
}

function conflict(target: string, rel: string, want: string, have: string): InstallError {
  return new InstallError(
    'file-conflict',
    `cannot install ${want} at ${join(target, rel)}: there is ${have} there`,
    `move or remove ${join(target, rel)}, then install again`,
  );
}

/** Removes the directories that held removed files once they are empty (deepest first, never the target). */
async function pruneEmptyParents(target: string, removed: readonly string[]): Promise<void> {
  const dirs = new Set<string>();
  for (const rel of removed) for (let d = dirname(rel); d !== '.' && d !== ''; d = dirname(d)) dirs.add(d);
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) await rmdir(join(target, d)).catch(() => undefined);
}

/**
 * Moves everything in `stage` into `stage.target`, and removes `removals`
 * (paths relative to the target that the stage does not replace; missing
 * ones are skipped). On success the stage is removed; on failure the target
 * is restored and the error rethrown (as `commit-failed` if undoing itself
 * failed, naming what to repair).
 */
export async function commitStage(stage: Stage, onStep?: CommitProgress, removals: readonly string[] = []): Promise<void> {
  const targetKind = await kind(stage.target, true);
  if (targetKind === 'other')
    throw new InstallError('file-conflict', `the target ${stage.target} is not a directory`, 'give a directory with -p');
  const steps: Step[] = [];
  if (targetKind === 'none') steps.push({ kind: 'move', rel: '' });
  else await plan(stage.dir, stage.target, '', steps);
  const planned = new Set(steps.map((s) => s.rel));
  const removed: string[] = [];
  for (const rel of [...new Set(removals)].sort()) {
    if (planned.has(rel) || targetKind === 'none') continue;
    if ((await kind(join(stage.target, rel), false)) !== 'other' || (await kind(join(stage.dir, rel), false)) !== 'none') continue;
    steps.push({ kind: 'remove', rel });
    removed.push(rel);
  }
  const undo: Array<() => Promise<void>> = [];
  let backup: string | undefined;
  try {
    for (const [i, step] of steps.entries()) {
      const from = step.rel ? join(stage.dir, step.rel) : stage.dir;
      const to = step.rel ? join(stage.target, step.rel) : stage.target;
      if (step.kind !== 'move') {
        if (!backup) {
          backup = siblingName(stage.target, 'backup');
          await mkdir(backup);
        }
        const saved = join(backup, String(i));
        await rename(to, saved);
        undo.push(() => rename(saved, to));
      }
      if (step.kind !== 'remove') {
        await rename(from, to);
        undo.push(() => rename(to, from));
      }
      onStep?.(i + 1, steps.length);
    }
  } catch (err) {
    const failures: string[] = [];
    for (const u of undo.reverse()) await u().catch((e: Error) => failures.push(e.message));
    if (failures.length) {
      throw new InstallError(
        'commit-failed',
        `install failed (${(err as Error).message}) and could not be fully undone: ${failures.join('; ')}`,
        `restore the files listed from ${backup ?? 'the backup'} by hand`,
        err,
      );
    }
    if (backup) await rm(backup, { recursive: true, force: true });
    throw err;
  }
  if (backup) await rm(backup, { recursive: true, force: true });
  if (targetKind !== 'none') await rm(stage.dir, { recursive: true, force: true });
  await pruneEmptyParents(stage.target, removed);
}
