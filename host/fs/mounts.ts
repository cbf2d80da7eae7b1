import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EmFS, EmNode } from './emscripten-fs.js';
import { ensureGuestDir, removeGuestTree } from './guest-tree.js';
import { createNodeFs, type NodeFs, type NodeFsMountOptions } from './node-fs.js';

/** Where the host mirror shows the package's own Python modules (the Unix port's system module dir). */
export const RUNTIME_LIB_GUEST_PATH = '/usr/lib/micropython';

/** Top-level guest directories the glue populates itself (devices, `/proc/self/fd`); never mirrored. */
const GLUE_OWNED = new Set(['dev', 'proc']);

/** One host directory of a sandbox. */
export interface SandboxMount {
  /** Host directory (absolute, or relative to the process's cwd). */
  readonly host: string;
  /** Every change below the mountpoint fails with EROFS. Default: false. */
  readonly readOnly?: boolean;
}

/**
 * What the guest filesystem should show.
 *
 * - `host-mirror` (the `mpy` command): host files at the same absolute paths
 *   as outside, plus `runtimeLibDir` read-only at {@link RUNTIME_LIB_GUEST_PATH}.
 * - `sandbox` (embedding): only the given host directories, keyed by guest
 *   path; the rest of the guest tree stays in memory.
 */
export type MountPlan =
  | { readonly kind: 'host-mirror'; readonly runtimeLibDir: string }
  | { readonly kind: 'sandbox'; readonly mounts: Readonly<Record<string, SandboxMount>> };

/** The result of {@link mountHostFilesystem}. */
export interface MountedFilesystem {
  /** The node filesystem type the mounts use (one per `FS`). */
  readonly nodeFs: NodeFs;
  /** Guest paths mounted, in mount order. */
  readonly mountpoints: readonly string[];
  /**
   * Removes the mounts, the top-level links and the (still empty) in-memory
   * directories this plan added, newest first.
   */
  unmount(): void;
}

const nodeFsByFS = new WeakMap<EmFS, NodeFs>();

function nodeFsFor(FS: EmFS): NodeFs {
  let nodeFs = nodeFsByFS.get(FS);
  if (nodeFs === undefined) {
    nodeFs = createNodeFs(FS);
    nodeFsByFS.set(FS, nodeFs);
  }
  return nodeFs;
}

function requireHostDir(hostPath: string, what: string): string {
  if (typeof hostPath !== 'string' || hostPath === '') throw new Error(`${what}: host path must be a non-empty string`);
  const absolute = path.resolve(hostPath);
  let stats: fs.Stats;
  try {
    stats = fs.statSync(absolute);
  } catch {
    throw new Error(`${what}: host path ${absolute} does not exist`);
  }
  if (!stats.isDirectory()) throw new Error(`${what}: host path ${absolute} is not a directory`);
  return absolute;
}

function requireGuestPath(guest: string): string {
  if (guest === '/') throw new Error('sandbox mount /: the guest root cannot be mounted over');
  if (!guest.startsWith('/') || path.posix.normalize(guest) !== guest || guest.endsWith('/')) {
    throw new Error(`sandbox mount ${JSON.stringify(guest)}: the guest path must be absolute and normalised, like /app`);
  }
  const top = guest.split('/')[1]!;
  if (GLUE_OWNED.has(top)) throw new Error(`sandbox mount ${guest}: /${top} belongs to the interpreter's own devices`);
  return guest;
}

/**
 * Applies a mount plan to the glue's `FS` object (`module.FS`, typed loosely
 * because the glue is untyped JS; {@link EmFS} lists what is used), after
 * the runtime is initialised. The caller sets the cwd, e.g.
 * `FS.chdir(process.cwd())` for the mirror, before Python runs (a Python
 * `os.chdir('/')` makes MicroPython answer `getcwd()` itself from then on).
 * Throws an Error naming the path when a host directory is missing or not a
 * directory or a guest path is unusable; a plan that fails part-way is
 * undone.
 *
 * The host mirror mounts every host top-level directory at its own path
 * (confine off, so links resolve exactly as on the host), recreates every
 * host top-level symlink as a guest symlink with the same target (so a
 * merged-/usr `/lib -> usr/lib` works), and leaves the glue's own `/dev` and
 * `/proc` in place. Why per-directory mounts rather than one mount of `/`:
 * the glue's root is its in-memory filesystem, which holds `/dev` (stdio,
 * ttys, `/dev/null`, `/dev/urandom`) and `/proc/self/fd`, and `FS.mount`
 * cannot replace the root; mounting the host's top-level directories over it
 * keeps those working with no copy of the host's `/dev`. Consequences:
 * top-level host files (not directories) and top-level directories created
 * after start-up are not shown, `mkdir` directly under `/` stays in memory,
 * and `rename` between two top-level directories fails with EXDEV (each is
 * its own mount), as a move between two devices does.
 */
export function mountHostFilesystem(glueFS: object, plan: MountPlan): MountedFilesystem {
  const FS = glueFS as EmFS;
  const nodeFs = nodeFsFor(FS);
  const mountpoints: string[] = [];
  const links: string[] = [];
  const createdDirs: { path: string; node: EmNode }[] = [];
  const mount = (guest: string, options: NodeFsMountOptions): void => {
    createdDirs.push(...ensureGuestDir(FS, nodeFs, guest).created);
    FS.mount(nodeFs, options, guest);
    mountpoints.push(guest);
  };
  let unmounted = false;
  const unmount = (): void => {
    if (unmounted) return;
    unmounted = true;
    for (const guest of [...mountpoints].reverse()) FS.unmount(guest);
    for (const guest of links) FS.unlink(guest);
    for (const { path: guest, node } of [...createdDirs].reverse()) {
      if (nodeFs.owns(node)) {
        nodeFs.removeVirtualDir(node);
        continue;
      }
      try {
        FS.rmdir(guest);
      } catch {
        // No longer empty: the caller put something there; leave it.
      }
    }
  };

  try {
    if (plan.kind === 'host-mirror') mirrorHost(FS, plan.runtimeLibDir, mount, links);
    else mountSandbox(plan.mounts, mount);
  } catch (err) {
    unmount();
    throw err;
  }
  return { nodeFs, mountpoints, unmount };
}

type Mount = (guest: string, options: NodeFsMountOptions) => void;

function mirrorHost(FS: EmFS, runtimeLibDir: string, mount: Mount, links: string[]): void {
  if (process.platform === 'win32') throw new Error('the host mirror needs a POSIX host');
  const libDir = requireHostDir(runtimeLibDir, 'runtime library directory');
  for (const name of fs.readdirSync('/')) {
    if (GLUE_OWNED.has(name)) continue;
    const guest = `/${name}`;
    let stats: fs.Stats;
    try {
      stats = fs.lstatSync(guest);
    } catch {
      continue;
    }
    if (stats.isDirectory()) {
      mount(guest, { root: guest, confine: false });
    } else if (stats.isSymbolicLink()) {
      removeGuestTree(FS, guest);
      FS.symlink(fs.readlinkSync(guest), guest);
      links.push(guest);
    }
  }
  mount(RUNTIME_LIB_GUEST_PATH, { root: libDir, readOnly: true });
}

function mountSandbox(mounts: Readonly<Record<string, SandboxMount>>, mount: Mount): void {
  const requested = Object.entries(mounts).map(([guest, spec]) => ({
    guest: requireGuestPath(guest),
    host: requireHostDir(spec.host, `sandbox mount ${guest}`),
    readOnly: spec.readOnly === true,
  }));
  requested.sort((a, b) => a.guest.split('/').length - b.guest.split('/').length);
  for (const { guest, host, readOnly } of requested) mount(guest, { root: host, readOnly });
}
