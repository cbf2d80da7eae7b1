/**
 * Where mpy keeps what it fetched for itself: `$XDG_CACHE_HOME/mpy`, else
 * `~/.cache/mpy`.
 *
 * @module
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** The user's mpy cache directory for the given environment. */
export function mpyCacheDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec: a relative XDG_CACHE_HOME is invalid and is ignored.
  if (xdg && isAbsolute(xdg)) return join(xdg, 'mpy');
  return join(env.HOME || homedir(), '.cache', 'mpy');
}

/** The directory the upip bootstrap unpacks `micropython-upip` into. */
export function upipCacheDir(env: NodeJS.ProcessEnv): string {
  return join(mpyCacheDir(env), 'upip');
}
