// Upstream programs some rows run but the repository must not hold (they are
// MicroPython's code): pystone_lowmem and upip, read at run time from the
// history of a MicroPython checkout (MPY_MICROPYTHON_DIR, default
// /tmp/micropython, with micropython-lib in lib/micropython-lib), where they
// lived before their removal. Nothing here is copied into the repository.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The MicroPython checkout the upstream files are read from. */
export function micropythonDir() {
  return process.env.MPY_MICROPYTHON_DIR || '/tmp/micropython';
}

const git = (repo, args) => spawnSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });

/**
 * The last version of `path` in `repo`'s history (the file as it was just
 * before the commit that last touched it, when that commit removed it).
 * @returns {string | undefined}
 */
export function lastVersionOf(repo, path) {
  if (!existsSync(join(repo, '.git'))) return undefined;
  const now = git(repo, ['show', `HEAD:${path}`]);
  if (now.status === 0) return now.stdout;
  const last = git(repo, ['log', '--all', '-n', '1', '--format=%H', '--', path]);
  const commit = last.stdout.trim();
  if (last.status !== 0 || !commit) return undefined;
  const before = git(repo, ['show', `${commit}^:${path}`]);
  return before.status === 0 ? before.stdout : undefined;
}

/** pystone_lowmem.py from micropython-lib's history, if the checkout is there. */
export function upstreamPystoneLowmem() {
  return lastVersionOf(join(micropythonDir(), 'lib', 'micropython-lib'), 'python-stdlib/pystone_lowmem/pystone_lowmem.py');
}

/**
 * upip as MicroPython 1.19 shipped it (tools/upip.py and tools/upip_utarfile.py
 * before upip was replaced by mip), if the checkout is there.
 * @returns {{'upip.py': string, 'upip_utarfile.py': string} | undefined}
 */
export function upstreamUpip() {
  const repo = micropythonDir();
  const upip = lastVersionOf(repo, 'tools/upip.py');
  const tar = lastVersionOf(repo, 'tools/upip_utarfile.py');
  return upip && tar ? { 'upip.py': upip, 'upip_utarfile.py': tar } : undefined;
}
