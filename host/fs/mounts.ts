import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EmFS, EmNode } from '../../wasm/emscripten-module.js';
import { ensureGuestDir, removeGuestTree } from './guest-tree.js';
import { createNodeFs, type NodeFs, type NodeFsMountOptions } from './node-fs.js';
import { GLUE_OWNED_DIRS, type CheckedMount } from './sandbox-mounts.js';

/**
 * What the guest filesystem should show.
 *
 * - `host-mirror` (the `mpy` command): host files at the same absolute paths
 *   as outside, plus the host directory `runtimeLib.host` read-only at the
 *   guest path `runtimeLib.guest` (mpy's own modules).
 * - `sandbox` (embedding): only the given host directories, keyed by guest
 *   path and checked by `checkSandboxMounts`; the rest of the guest tree
 *   stays in memory.
 */
export type MountPlan =
  | {
      readonly kind: 'host-mirror';
      readonly runtimeLib: { readonly guest: string; readonly host: string };
      /** Also shown read-only: the compiled boot modules (`runtime/guest-layout.ts`). */
      readonly bootModules?: { readonly guest: string; readonly host: string };
    }
  | { readonly kind: 'sandbox'; readonly mounts: Readonly<Record<string, CheckedMount>> };

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

/**
 * Applies a mount plan to the glue's `FS` object (`module.FS`; {@link EmFS}
 * lists what is used), after
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
export function mountHostFilesystem(FS: EmFS, plan: MountPlan): MountedFilesystem {
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
    if (plan.kind === 'host-mirror') {
      mirrorHost(FS, plan.runtimeLib, mount, links);
      if (plan.bootModules)
        mount(plan.bootModules.guest, { root: requireHostDir(plan.bootModules.host, 'boot modules directory'), readOnly: true });
    } else mountSandbox(plan.mounts, mount);
  } catch (err) {
    unmount();
    throw err;
  }
  return { nodeFs, mountpoints, unmount };
}

type Mount = (guest: string, options: NodeFsMountOptions) => void;

function mirrorHost(FS: EmFS, runtimeLib: { guest: string; host: string }, mount: Mount, links: string[]): void {
  if (process.platform === 'win32') throw new Error('the host mirror needs a POSIX host');
  const libDir = requireHostDir(runtimeLib.host, 'runtime library directory');
  for (const name of fs.readdirSync('/')) {
    if (GLUE_OWNED_DIRS.has(name)) continue;
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
  mount(runtimeLib.guest, { root: libDir, readOnly: true });
}

function mountSandbox(mounts: Readonly<Record<string, CheckedMount>>, mount: Mount): void {
  const requested = Object.entries(mounts).map(([guest, { host, readOnly }]) => ({ guest, host, readOnly }));
  requested.sort((a, b) => a.guest.split('/').length - b.guest.split('/').length);
  for (const { guest, host, readOnly } of requested) mount(guest, { root: host, readOnly });
}
