/**
 * One writer per target directory: install and uninstall read the install
 * record, work, and commit a new one; two at once would each write a record
 * without the other's packages. A lock file beside the target,
 * `.<target>.mpy-lock`, created exclusively and holding the owner's pid, keeps
 * them apart. A lock whose process is gone (a crash, SIGKILL) is stale and
 * taken over. When the target's parent does not exist yet there is nothing to
 * lock beside it; the install then runs unlocked (it creates the parent).
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InstallError } from './errors.js';

/** The lock file of a target directory. */
function lockPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.mpy-lock`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function acquire(path: string, target: string): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx' });
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return false;
      if (code !== 'EEXIST')
        throw new InstallError(
          'io-error',
          `cannot create ${path}: ${(err as Error).message}`,
          'the parent of the target must be writable',
          err,
        );
    }
    const pid = Number.parseInt(await readFile(path, 'utf-8').catch(() => ''), 10);
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
      throw new InstallError(
        'locked',
        `another mpy command (pid ${pid}) is installing into or uninstalling from ${target}`,
        `wait for it to finish; if no such process is running, remove ${path}`,
      );
    }
    await rm(path, { force: true });
  }
  throw new InstallError(
    'locked',
    `cannot take the lock ${path}: another process keeps creating it`,
    `wait, then try again; or remove ${path}`,
  );
}

/** Runs `fn` holding the target's lock (see the module comment); the lock is removed afterwards. */
export async function withTargetLock<T>(target: string, fn: () => Promise<T>): Promise<T> {
  const path = lockPath(target);
  const held = await acquire(path, target);
  try {
    return await fn();
  } finally {
    if (held) await rm(path, { force: true });
  }
}
