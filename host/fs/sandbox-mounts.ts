/**
 * The mounts of a sandbox (an embedded instance): the one type that names a
 * host directory shown to Python, and the one check of a set of them.
 *
 * @module
 */
import { statSync } from 'node:fs';
import { posix, resolve } from 'node:path';

/** Top-level guest directories the glue populates itself (devices, `/proc/self/fd`): never mounted over. */
export const GLUE_OWNED_DIRS: ReadonlySet<string> = new Set(['dev', 'proc']);

/** A host directory shown to Python, with its access mode. */
export interface MountOption {
  /** Host directory, absolute or relative to `process.cwd()`. Must exist. */
  readonly host: string;
  /** Every change below the mount fails with `OSError(EROFS)`. Default: `false`. */
  readonly readOnly?: boolean;
}

/** A mount that passed {@link checkSandboxMounts}: an absolute host directory that existed, and an explicit mode. */
export interface CheckedMount {
  readonly host: string;
  readonly readOnly: boolean;
}

/** Reports a problem with the mounts and does not return (throws the caller's kind of error). */
export type MountProblem = (message: string) => never;

function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
}

/**
 * Checks that `guest` is an absolute, normalised guest path.
 * @returns `guest`
 */
export function checkGuestPath(guest: unknown, what: string, fail: MountProblem): string {
  if (typeof guest !== 'string' || !guest.startsWith('/'))
    fail(`${what} ${JSON.stringify(guest)} must be an absolute guest path like /app`);
  const normal = posix.normalize(guest);
  if (normal !== guest || (guest !== '/' && guest.endsWith('/'))) {
    fail(`${what} ${JSON.stringify(guest)} is not normalised: write ${JSON.stringify(normal.replace(/(.)\/$/, '$1'))}`);
  }
  return guest;
}

/**
 * Checks one mount of a sandbox, at create time or later: the guest path
 * absolute, normalised, not `/`, not in the glue's `/dev` or `/proc` nor in a
 * `reserved` directory; the host directory, a string or a
 * {@link MountOption}, existing. Mounting trusts the result.
 * @param reserved guest directories that hold mpy's own files, with what they hold
 * @param fail called with a message that says what to change
 * @returns the mount with an absolute host path and an explicit mode
 */
export function checkSandboxMount(
  guest: string,
  spec: unknown,
  reserved: Readonly<Record<string, string>>,
  fail: MountProblem,
): CheckedMount {
  checkGuestPath(guest, 'mount', fail);
  if (guest === '/') fail("a mount cannot be '/': mount host directories below it, like /app");
  const top = guest.split('/')[1] ?? '';
  if (GLUE_OWNED_DIRS.has(top)) fail(`mount ${guest}: /${top} is the interpreter's own; choose another guest path`);
  for (const [dir, holds] of Object.entries(reserved)) {
    if (isInside(guest, dir)) fail(`mount ${guest}: ${dir} holds ${holds}; choose another guest path`);
  }
  const option = typeof spec === 'object' && spec !== null ? (spec as Partial<Record<keyof MountOption, unknown>>) : undefined;
  const hostGiven = typeof spec === 'string' ? spec : option?.host;
  if (typeof hostGiven !== 'string' || hostGiven === '') fail(`mount ${guest}: give a host directory, as a string or { host: './dir' }`);
  const readOnly = option?.readOnly ?? false;
  if (typeof readOnly !== 'boolean') fail(`mount ${guest}: readOnly must be a boolean`);
  const host = resolve(hostGiven);
  let isDir = false;
  try {
    isDir = statSync(host).isDirectory();
  } catch {
    fail(`mount ${guest}: host directory ${host} does not exist`);
  }
  if (!isDir) fail(`mount ${guest}: host path ${host} is not a directory`);
  return { host, readOnly };
}

/**
 * Checks a sandbox's mounts, keyed by guest path, each with
 * {@link checkSandboxMount}.
 * @returns the checked mounts
 */
export function checkSandboxMounts(
  mounts: unknown,
  reserved: Readonly<Record<string, string>>,
  fail: MountProblem,
): Record<string, CheckedMount> {
  if (mounts === undefined) return {};
  if (typeof mounts !== 'object' || mounts === null || Array.isArray(mounts)) {
    fail("mounts must be an object like { '/app': './src' }");
  }
  const out: Record<string, CheckedMount> = {};
  for (const [guest, spec] of Object.entries(mounts)) out[guest] = checkSandboxMount(guest, spec, reserved, fail);
  return out;
}
