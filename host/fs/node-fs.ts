import * as fs from 'node:fs';
import * as path from 'node:path';
import { EM_ERRNO } from '../../base/errno.js';
import { emscriptenErrnoFromNodeError } from './errno.js';
import type { EmAttr, EmFS, EmMount, EmNode, EmOps, EmSetAttr, EmStream } from '../../wasm/emscripten-module.js';
import { shareErrnoErrors } from './shared-errno-errors.js';

/** Options of one mount of the node filesystem type (the `opts` of `FS.mount`). */
export interface NodeFsMountOptions {
  /** Absolute host directory shown at the mountpoint. */
  readonly root: string;
  /** Every change below the mountpoint fails with EROFS. Default: false. */
  readonly readOnly?: boolean;
  /**
   * Keep symlinks inside the host root (default: true). A link is then shown
   * to the guest as the guest path of its target, and a target outside the
   * root fails with EACCES. `false` hands link targets to the guest as they
   * are, which is only meaningful when the mountpoint equals the host root
   * (the host mirror), so that guest and host paths coincide; the mount
   * refuses any other use.
   */
  readonly confine?: boolean;
}

/** The filesystem type to pass to `FS.mount`, plus the hooks mounting code needs. */
export interface NodeFs {
  /** Called by `FS.mount`: builds the root node of a mount. */
  mount(mount: EmMount): EmNode;
  /** Operations on nodes, shared by every node of this type. */
  readonly node_ops: EmOps;
  /** Operations on open streams, shared by every node of this type. */
  readonly stream_ops: EmOps;
  /** Whether `node` belongs to a mount of this type. */
  owns(node: EmNode): boolean;
  /**
   * Keeps `node` and its ancestors up to the mount root in the glue's node
   * cache, so that later lookups return these very objects. Needed before
   * mounting over a node of this type (`FS.mount` marks the node object).
   */
  pin(node: EmNode): void;
  /**
   * Adds a guest-only, read-only directory `name` under `parent` (a node of
   * this type), hiding any host entry of that name. Used to create a
   * mountpoint that does not exist on the host.
   */
  addVirtualDir(parent: EmNode, name: string): EmNode;
  /**
   * Removes a directory made by {@link NodeFs.addVirtualDir}, showing the
   * host entry it hid again. Returns false, leaving it, while it is a
   * mountpoint or holds guest-only directories.
   */
  removeVirtualDir(node: EmNode): boolean;
}

interface MountState {
  /** Real host path of the root. */
  readonly root: string;
  /** The root as given, when it differs from the real path (accepted in link targets). */
  readonly alias: string | undefined;
  readonly readOnly: boolean;
  readonly confine: boolean;
  readonly mountpoint: string;
}

interface OpenFile {
  readonly fd: number;
  /** Streams (a stream and its dups) sharing this descriptor. */
  refs: number;
  /** Regular files take positional reads and writes; pipes and devices do not. */
  readonly positional: boolean;
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
/** Guest-side permission bits of every node: the host's own checks decide access. */
const ALL_PERMS = 0o777;

/** Guest open flags are musl's, which are Linux's whatever the host. */
const O_ACCMODE = 3;
const O_APPEND = 0o2000;
const SEEK_CUR = 1;
const SEEK_END = 2;

const HOST_ACCESS: readonly (number | undefined)[] = [fs.constants.O_RDONLY, fs.constants.O_WRONLY, fs.constants.O_RDWR];
const HOST_APPEND = fs.constants.O_APPEND;
const HOST_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
const HOST_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

function readUmask(): number {
  try {
    return process.umask();
  } catch {
    return 0o022;
  }
}

/**
 * Creates the emscripten filesystem type backed by `node:fs` (synchronous
 * calls) for the glue's `FS` object (`module.FS`; {@link EmFS} lists what
 * is used). Mount it with
 * `FS.mount(nodeFs, { root, readOnly, confine } satisfies NodeFsMountOptions, guestPath)`.
 *
 * Design:
 * - The host is the source of truth. The glue caches every node it is
 *   handed, which would keep deleted, replaced or renamed host entries alive
 *   in the guest; so nodes of this type are dropped from the glue's cache as
 *   soon as they are made, and every path walk asks the host again (one
 *   `lstat` per component below the mount root; linear in the path, never
 *   repeated per byte). Only pinned nodes (mountpoints and their ancestors)
 *   and guest-only directories stay cached.
 * - Each node remembers its host path, computed once from its parent's.
 * - A regular file keeps one host descriptor for the life of its stream
 *   (shared with dups); reads and writes are positional `readSync`/
 *   `writeSync` straight into the wasm heap view the glue passes in.
 * - Symlinks are shown as symlinks and the glue resolves them, and `..`,
 *   in the guest tree, never on the host: each host path this type builds
 *   is made of names it has just `lstat`ed as non-links, and a confined
 *   link's target is checked against the root at every use (so moving a
 *   relative link cannot make it escape). Names are checked so no `/`, `.`
 *   or `..` reaches a host call; files open with O_NOFOLLOW. Only the host
 *   itself, swapping a directory for a link between two calls, could race
 *   this.
 * - In a confined (sandbox) mount, anything but a regular file or a
 *   directory (a FIFO, a device) is opened O_NONBLOCK: a read with no data
 *   fails with EAGAIN instead of blocking the thread in a host call that
 *   nothing could interrupt.
 * - Guest permission bits are always 0777 (the host decides access with its
 *   real uid semantics); `stat` reports the host's real mode.
 * - Errors become `FS.ErrnoError` through the one mapper in `./errno.ts`;
 *   a non-system exception (a bug) propagates unchanged.
 */
export function createNodeFs(FS: EmFS): NodeFs {
  shareErrnoErrors(FS);
  const mounts = new WeakMap<EmMount, MountState>();
  const hostPaths = new WeakMap<EmNode, { path: string; generation: number }>();
  const pinned = new WeakSet<EmNode>();
  const virtualDirs = new WeakSet<EmNode>();
  const virtualChildren = new WeakMap<EmNode, Set<string>>();
  /** Files made by mknod whose first chmod is the creation mode (umask applies). */
  const fresh = new WeakSet<EmNode>();
  const openFiles = new WeakMap<object, OpenFile>();
  /** Renamed nodes the glue put back in its cache; dropped at the next walk. */
  let renamed: EmNode[] = [];
  /** Bumped when a directory moves: cached paths of pinned nodes are then recomputed. */
  let generation = 0;
  const bornAt = new Date();

  const fail = (errno: number): Error => new FS.ErrnoError(errno);

  function hostError(err: unknown): unknown {
    const errno = emscriptenErrnoFromNodeError(err);
    return errno === undefined ? err : fail(errno);
  }

  function host<T>(call: () => T): T {
    try {
      return call();
    } catch (err) {
      throw hostError(err);
    }
  }

  function stateOf(node: EmNode): MountState {
    const state = mounts.get(node.mount);
    if (state === undefined) throw new Error(`node ${node.name} is not on a node filesystem mount`);
    return state;
  }

  function hostPath(node: EmNode): string {
    if (node === node.mount.root) return stateOf(node).root;
    const known = hostPaths.get(node);
    if (known !== undefined && (known.generation === generation || !pinned.has(node))) return known.path;
    const computed = joinHost(hostPath(node.parent), node.name);
    hostPaths.set(node, { path: computed, generation });
    return computed;
  }

  function joinHost(dir: string, name: string): string {
    return dir === '/' ? `/${name}` : `${dir}/${name}`;
  }

  function checkName(name: string, errno: number): void {
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) throw fail(errno);
  }

  function assertWritable(node: EmNode): void {
    if (virtualDirs.has(node) || stateOf(node).readOnly) throw fail(EM_ERRNO.EROFS);
  }

  function assertNotVirtualChild(parent: EmNode, name: string): void {
    if (virtualChildren.get(parent)?.has(name)) throw fail(EM_ERRNO.EROFS);
  }

  function dropRenamed(): void {
    for (const node of renamed) if (!pinned.has(node)) FS.hashRemoveNode(node);
    renamed = [];
  }

  function makeNode(parent: EmNode, name: string, hostMode: number, at: string): EmNode {
    const node = FS.createNode(parent, name, (hostMode & S_IFMT) | ALL_PERMS, 0);
    node.node_ops = nodeOps;
    node.stream_ops = streamOps;
    hostPaths.set(node, { path: at, generation });
    FS.hashRemoveNode(node);
    return node;
  }

  function attrFrom(st: fs.Stats): EmAttr {
    return {
      dev: st.dev,
      ino: st.ino,
      mode: st.mode,
      nlink: st.nlink,
      uid: st.uid,
      gid: st.gid,
      rdev: st.rdev,
      size: st.size,
      atime: st.atime,
      mtime: st.mtime,
      ctime: st.ctime,
      blksize: st.blksize,
      blocks: st.blocks,
    };
  }

  function virtualAttr(node: EmNode): EmAttr {
    return {
      dev: 0,
      ino: node.id,
      mode: S_IFDIR | 0o555,
      nlink: 2,
      uid: 0,
      gid: 0,
      rdev: 0,
      size: 4096,
      atime: bornAt,
      mtime: bornAt,
      ctime: bornAt,
      blksize: 4096,
      blocks: 0,
    };
  }

  /** `inner` relative to `root` when it is `root` or below it ('' for the root itself). */
  function relativeInside(root: string, inner: string): string | undefined {
    if (inner === root) return '';
    if (root === '/') return inner.slice(1);
    return inner.startsWith(`${root}/`) ? inner.slice(root.length + 1) : undefined;
  }

  /** The guest path a confined link target stands for, or EACCES if it leaves the root. */
  function guestLinkTarget(link: EmNode, target: string): string {
    const state = stateOf(link);
    const resolved = path.posix.resolve(path.posix.dirname(hostPath(link)), target);
    const inside = relativeInside(state.root, resolved) ?? (state.alias === undefined ? undefined : relativeInside(state.alias, resolved));
    if (inside === undefined) throw fail(EM_ERRNO.EACCES);
    return inside === '' ? state.mountpoint : joinHost(state.mountpoint, inside);
  }

  /**
   * Host entry names that can be named back: a name that is not valid UTF-8
   * would fail its lookup, and one failing lookup aborts the glue's whole
   * directory listing.
   */
  function listNames(dir: string): string[] {
    const names: string[] = [];
    for (const raw of host(() => fs.readdirSync(dir, { encoding: 'buffer' }))) {
      const name = raw.toString('utf8');
      if (!name.includes('\uFFFD') || Buffer.from(name, 'utf8').equals(raw)) names.push(name);
    }
    return names;
  }

  function openFileOf(stream: EmStream): OpenFile | undefined {
    return openFiles.get(stream.shared);
  }

  function nodeGetattr(node: EmNode): EmAttr {
    if (virtualDirs.has(node)) return virtualAttr(node);
    return attrFrom(host(() => fs.lstatSync(hostPath(node))));
  }

  function nodeSetattr(node: EmNode, attr: EmSetAttr): void {
    const changesTimes = attr.atime !== undefined || attr.mtime !== undefined;
    if (attr.mode === undefined && attr.size === undefined && !changesTimes) return;
    assertWritable(node);
    const at = hostPath(node);
    if (attr.mode !== undefined && !FS.isLink(node.mode)) {
      let mode = attr.mode & 0o7777;
      if (fresh.has(node)) {
        fresh.delete(node);
        mode &= ~readUmask();
      }
      host(() => fs.chmodSync(at, mode));
    }
    if (attr.size !== undefined) {
      const size = attr.size;
      host(() => fs.truncateSync(at, size));
    }
    if (changesTimes) {
      const now = Date.now();
      host(() => fs.utimesSync(at, (attr.atime ?? now) / 1000, (attr.mtime ?? now) / 1000));
    }
  }

  const nodeOps = {
    getattr: nodeGetattr,

    setattr: nodeSetattr,

    lookup(parent: EmNode, name: string): EmNode {
      dropRenamed();
      if (virtualDirs.has(parent)) throw fail(EM_ERRNO.ENOENT);
      checkName(name, EM_ERRNO.ENOENT);
      const at = joinHost(hostPath(parent), name);
      // A missing name is the common answer (imports probe, files get created): asked without an exception, which costs more than the lstat.
      const st = host(() => fs.lstatSync(at, { throwIfNoEntry: false }));
      if (st === undefined) throw fail(EM_ERRNO.ENOENT);
      return makeNode(parent, name, st.mode, at);
    },

    mknod(parent: EmNode, name: string, mode: number, _dev: number): EmNode {
      dropRenamed();
      assertWritable(parent);
      assertNotVirtualChild(parent, name);
      checkName(name, EM_ERRNO.EINVAL);
      const at = joinHost(hostPath(parent), name);
      const isFile = FS.isFile(mode);
      if (FS.isDir(mode)) {
        host(() => fs.mkdirSync(at, { mode: mode & 0o7777 }));
      } else if (isFile) {
        const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL;
        host(() => fs.closeSync(fs.openSync(at, flags, 0o666)));
      } else {
        throw fail(EM_ERRNO.EPERM);
      }
      const node = makeNode(parent, name, host(() => fs.lstatSync(at)).mode, at);
      if (isFile) fresh.add(node);
      return node;
    },

    rename(oldNode: EmNode, newDir: EmNode, newName: string): void {
      dropRenamed();
      assertWritable(oldNode);
      assertWritable(newDir);
      assertNotVirtualChild(oldNode.parent, oldNode.name);
      assertNotVirtualChild(newDir, newName);
      checkName(newName, EM_ERRNO.EINVAL);
      const from = hostPath(oldNode);
      const to = joinHost(hostPath(newDir), newName);
      host(() => fs.renameSync(from, to));
      oldNode.name = newName;
      if (FS.isDir(oldNode.mode)) generation++;
      hostPaths.set(oldNode, { path: to, generation });
      renamed.push(oldNode);
    },

    unlink(parent: EmNode, name: string): void {
      assertWritable(parent);
      assertNotVirtualChild(parent, name);
      const at = joinHost(hostPath(parent), name);
      host(() => fs.unlinkSync(at));
    },

    rmdir(parent: EmNode, name: string): void {
      assertWritable(parent);
      assertNotVirtualChild(parent, name);
      const at = joinHost(hostPath(parent), name);
      host(() => fs.rmdirSync(at));
    },

    readdir(node: EmNode): string[] {
      const extra = virtualChildren.get(node);
      if (virtualDirs.has(node)) return ['.', '..', ...(extra ?? [])];
      const names = listNames(hostPath(node));
      if (extra !== undefined) for (const name of extra) if (!names.includes(name)) names.push(name);
      return ['.', '..', ...names];
    },

    symlink(parent: EmNode, name: string, target: string): EmNode {
      assertWritable(parent);
      assertNotVirtualChild(parent, name);
      checkName(name, EM_ERRNO.EINVAL);
      // A confined mount would have to store a guest path as a host link target.
      if (stateOf(parent).confine) throw fail(EM_ERRNO.EPERM);
      const at = joinHost(hostPath(parent), name);
      host(() => fs.symlinkSync(target, at));
      return makeNode(parent, name, S_IFLNK, at);
    },

    readlink(node: EmNode): string {
      if (!FS.isLink(node.mode)) throw fail(EM_ERRNO.EINVAL);
      const target = host(() => fs.readlinkSync(hostPath(node)));
      return stateOf(node).confine ? guestLinkTarget(node, target) : target;
    },

    /** The glue passes the mount's `opts.root`; the answer is the host filesystem's. */
    statfs(root: string): Record<'bsize' | 'frsize' | 'blocks' | 'bfree' | 'bavail' | 'files' | 'ffree', number> {
      const { bsize, blocks, bfree, bavail, files, ffree } = host(() => fs.statfsSync(root));
      return { bsize, frsize: bsize, blocks, bfree, bavail, files, ffree };
    },
  };

  const streamOps = {
    open(stream: EmStream): void {
      const node = stream.node;
      if (virtualDirs.has(node) || FS.isDir(node.mode)) return;
      const access = HOST_ACCESS[stream.flags & O_ACCMODE];
      if (access === undefined) throw fail(EM_ERRNO.EINVAL);
      if (access !== fs.constants.O_RDONLY) assertWritable(node);
      const positional = FS.isFile(node.mode);
      // In a sandbox, a FIFO or device never blocks the thread in open or
      // read: a blocked host call cannot be interrupted, and its thread
      // could then never end (nor the process exit).
      const nonBlocking = !positional && stateOf(node).confine ? HOST_NONBLOCK : 0;
      const flags = access | (stream.flags & O_APPEND ? HOST_APPEND : 0) | HOST_NOFOLLOW | nonBlocking;
      const fd = host(() => fs.openSync(hostPath(node), flags));
      if (!positional) stream.seekable = false;
      openFiles.set(stream.shared, { fd, refs: 1, positional });
    },

    dup(stream: EmStream): void {
      const file = openFileOf(stream);
      if (file !== undefined) file.refs++;
    },

    close(stream: EmStream): void {
      const file = openFileOf(stream);
      if (file === undefined || --file.refs > 0) return;
      openFiles.delete(stream.shared);
      host(() => fs.closeSync(file.fd));
    },

    read(stream: EmStream, buffer: Uint8Array, offset: number, length: number, position: number): number {
      const file = openFileOf(stream);
      if (file === undefined) throw fail(EM_ERRNO.EISDIR);
      if (length === 0) return 0;
      try {
        return fs.readSync(file.fd, buffer, offset, length, file.positional ? position : null);
      } catch (err) {
        throw hostError(err);
      }
    },

    write(stream: EmStream, buffer: Uint8Array | number[], offset: number, length: number, position: number): number {
      const file = openFileOf(stream);
      if (file === undefined) throw fail(EM_ERRNO.EISDIR);
      if (length === 0) return 0;
      const view = ArrayBuffer.isView(buffer) ? buffer : Uint8Array.from(buffer);
      try {
        return fs.writeSync(file.fd, view, offset, length, file.positional ? position : null);
      } catch (err) {
        throw hostError(err);
      }
    },

    llseek(stream: EmStream, offset: number, whence: number): number {
      let position = offset;
      if (whence === SEEK_CUR) {
        position += stream.position;
      } else if (whence === SEEK_END) {
        const file = openFileOf(stream);
        if (file?.positional) position += host(() => fs.fstatSync(file.fd)).size;
      }
      if (position < 0) throw fail(EM_ERRNO.EINVAL);
      return position;
    },

    fsync(stream: EmStream): number {
      const file = openFileOf(stream);
      if (file !== undefined) host(() => fs.fsyncSync(file.fd));
      return 0;
    },

    getattr(stream: EmStream): EmAttr {
      const file = openFileOf(stream);
      return file === undefined ? nodeGetattr(stream.node) : attrFrom(host(() => fs.fstatSync(file.fd)));
    },

    setattr(stream: EmStream, attr: EmSetAttr): void {
      const file = openFileOf(stream);
      if (file === undefined || attr.size === undefined) {
        nodeSetattr(stream.node, attr);
        return;
      }
      assertWritable(stream.node);
      const size = attr.size;
      host(() => fs.ftruncateSync(file.fd, size));
    },
  };

  function owns(node: EmNode): boolean {
    return mounts.has(node.mount);
  }

  function pin(node: EmNode): void {
    for (let n = node; owns(n) && n !== n.mount.root && !pinned.has(n); n = n.parent) {
      pinned.add(n);
      FS.hashRemoveNode(n);
      FS.hashAddNode(n);
    }
  }

  return {
    node_ops: nodeOps,
    stream_ops: streamOps,
    owns,
    pin,

    mount(mount: EmMount): EmNode {
      const opts = mount.opts as NodeFsMountOptions;
      if (typeof opts?.root !== 'string' || !path.isAbsolute(opts.root)) {
        throw new Error(`node filesystem mount at ${mount.mountpoint}: root must be an absolute host path`);
      }
      const given = path.resolve(opts.root);
      let root: string;
      try {
        root = fs.realpathSync.native(given);
      } catch {
        throw new Error(`node filesystem mount at ${mount.mountpoint}: host path ${opts.root} does not exist`);
      }
      if (!fs.statSync(root).isDirectory()) {
        throw new Error(`node filesystem mount at ${mount.mountpoint}: host path ${opts.root} is not a directory`);
      }
      const confine = opts.confine !== false;
      if (!confine && given !== mount.mountpoint) {
        throw new Error(
          `node filesystem mount at ${mount.mountpoint}: confine: false needs the mountpoint to equal the host root (${given})`,
        );
      }
      mounts.set(mount, {
        root: confine ? root : given,
        alias: given === root ? undefined : given,
        readOnly: opts.readOnly === true,
        confine,
        mountpoint: mount.mountpoint,
      });
      const node = FS.createNode(null, '/', S_IFDIR | ALL_PERMS, 0);
      node.node_ops = nodeOps;
      node.stream_ops = streamOps;
      return node;
    },

    addVirtualDir(parent: EmNode, name: string): EmNode {
      if (!owns(parent)) throw new Error(`addVirtualDir: ${name}'s parent is not on a node filesystem mount`);
      checkName(name, EM_ERRNO.EINVAL);
      pin(parent);
      const node = FS.createNode(parent, name, S_IFDIR | ALL_PERMS, 0);
      node.node_ops = nodeOps;
      node.stream_ops = streamOps;
      virtualDirs.add(node);
      pinned.add(node);
      let children = virtualChildren.get(parent);
      if (children === undefined) {
        children = new Set();
        virtualChildren.set(parent, children);
      }
      children.add(name);
      return node;
    },

    removeVirtualDir(node: EmNode): boolean {
      if (!virtualDirs.has(node) || node.mounted !== null || (virtualChildren.get(node)?.size ?? 0) > 0) return false;
      FS.hashRemoveNode(node);
      virtualDirs.delete(node);
      pinned.delete(node);
      virtualChildren.get(node.parent)?.delete(node.name);
      return true;
    },
  };
}
