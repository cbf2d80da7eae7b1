import { EM_ERRNO } from '../../base/errno.js';
import type { EmFS, EmNode } from '../../wasm/emscripten-module.js';
import type { NodeFs } from './node-fs.js';

function lookupOrUndefined(FS: EmFS, guestPath: string, follow: boolean): { path: string; node: EmNode } | undefined {
  try {
    return FS.lookupPath(guestPath, follow ? { follow: true } : { follow: false, follow_mount: false });
  } catch (err) {
    if ((err as { errno?: unknown }).errno === EM_ERRNO.ENOENT) return undefined;
    throw err;
  }
}

function childPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** What {@link ensureGuestDir} found or made. */
export interface GuestDir {
  /** The directory node to mount over. */
  readonly node: EmNode;
  /** Directories it had to create (in memory, or guest-only below a host mount), outermost first. */
  readonly created: readonly { readonly path: string; readonly node: EmNode }[];
}

/**
 * Makes `guestPath` a directory that can be mounted over. Missing components are created in the guest only: in MEMFS with
 * `FS.mkdir`, below a host mount as guest-only directories of `nodeFs`, so
 * the host is never written to. Intermediate symlinks are followed; a final
 * component that is a file or a link is hidden by a new directory. Throws an
 * Error naming the path when an intermediate component is not a directory
 * or the target is already a mountpoint.
 */
export function ensureGuestDir(FS: EmFS, nodeFs: NodeFs, guestPath: string): GuestDir {
  const created: { path: string; node: EmNode }[] = [];
  const names = guestPath.split('/').filter((name) => name !== '');
  let dir = FS.lookupPath('/', { follow: true });
  names.forEach((name, index) => {
    const last = index === names.length - 1;
    const wanted = childPath(dir.path, name);
    const found = lookupOrUndefined(FS, wanted, !last);
    if (found !== undefined && last && FS.isMountpoint(found.node)) {
      throw new Error(`cannot mount at ${guestPath}: it is already a mountpoint`);
    }
    if (found !== undefined && FS.isDir(found.node.mode)) {
      dir = found;
      return;
    }
    if (found !== undefined && !last) {
      throw new Error(`cannot mount at ${guestPath}: ${wanted} is not a directory`);
    }
    if (nodeFs.owns(dir.node)) {
      dir = { path: wanted, node: nodeFs.addVirtualDir(dir.node, name) };
    } else {
      if (found !== undefined) FS.unlink(wanted);
      dir = { path: wanted, node: FS.mkdir(wanted) };
    }
    created.push(dir);
  });
  if (nodeFs.owns(dir.node)) nodeFs.pin(dir.node);
  return { node: dir.node, created };
}

/** Removes a guest entry and, for a directory, everything below it (no-op when absent). */
export function removeGuestTree(FS: EmFS, guestPath: string): void {
  const found = lookupOrUndefined(FS, guestPath, false);
  if (found === undefined) return;
  if (!FS.isDir(found.node.mode)) {
    FS.unlink(guestPath);
    return;
  }
  for (const name of FS.readdir(guestPath)) {
    if (name !== '.' && name !== '..') removeGuestTree(FS, childPath(guestPath, name));
  }
  FS.rmdir(guestPath);
}
