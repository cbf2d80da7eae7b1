import { DEFAULT_MICROPYPATH, FROZEN_PATH_ENTRY, GUEST_LIB_DIR } from '../../runtime/guest-layout.js';

/**
 * `sys.path` as the Unix port builds it: the script's directory (or `''`),
 * then MICROPYPATH's entries (default {@link DEFAULT_MICROPYPATH}) with a
 * leading `~/` expanded from HOME. The host's own modules (socket, ssl, ...,
 * built into the Unix port) live in `/usr/lib/micropython`; it is appended
 * when MICROPYPATH leaves it out, so they stay importable.
 */
export function buildSysPath(env: NodeJS.ProcessEnv, first: string): string[] {
  const home = env.HOME;
  const items = (env.MICROPYPATH ?? DEFAULT_MICROPYPATH)
    .split(':')
    .map((p) => (p.startsWith('~/') && home !== undefined ? home + p.slice(1) : p));
  const path = [first, ...items];
  if (!path.includes(GUEST_LIB_DIR)) path.push(GUEST_LIB_DIR);
  return path;
}

/**
 * `sys.path` for a run of upip. upip installs into `sys.path[1]`; that was
 * `~/.micropython/lib` on the Unix port it was written for, before `.frozen`
 * took that slot. Moving `.frozen` last keeps upip's default target the
 * user's lib directory while frozen modules stay importable.
 */
export function sysPathForUpip(path: readonly string[]): string[] {
  const rest = path.filter((p) => p !== FROZEN_PATH_ENTRY);
  return rest.length === path.length ? [...path] : [...rest, FROZEN_PATH_ENTRY];
}
