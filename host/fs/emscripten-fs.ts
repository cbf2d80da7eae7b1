/**
 * The part of the emscripten glue's `FS` that a filesystem type and its
 * mounting code rely on (checked against the glue of
 * `@micropython/micropython-webassembly-pyscript` 1.27.0). The glue is
 * untyped JS; callers pass its `FS` object cast to {@link EmFS}.
 *
 * @module
 */

/** A mounted filesystem instance, as `FS.mount` builds it. */
export interface EmMount {
  readonly type: unknown;
  readonly opts: unknown;
  /** Guest path of the mount, normalised and absolute. */
  readonly mountpoint: string;
  readonly root: EmNode;
  readonly mounts: EmMount[];
}

/** A node of the guest tree (`FS.FSNode`). */
export interface EmNode {
  readonly id: number;
  name: string;
  mode: number;
  readonly rdev: number;
  parent: EmNode;
  mount: EmMount;
  mounted: EmMount | null;
  node_ops: object;
  stream_ops: object;
}

/** An open file description (`FS.FSStream`). */
export interface EmStream {
  readonly node: EmNode;
  readonly path: string;
  /** Open flags in musl's (Linux's) numbering: O_WRONLY 1, O_RDWR 2, O_APPEND 0x400, ... */
  flags: number;
  position: number;
  seekable: boolean;
  /** State shared between a stream and its dups (flags and position live here). */
  readonly shared: object;
}

/** What `getattr` returns; the glue writes it into a `struct stat`. */
export interface EmAttr {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  atime: Date;
  mtime: Date;
  ctime: Date;
  blksize: number;
  blocks: number;
}

/** What `setattr` receives: only the keys being changed are present. */
export interface EmSetAttr {
  mode?: number;
  size?: number;
  /** Milliseconds since the epoch. */
  atime?: number;
  /** Milliseconds since the epoch. */
  mtime?: number;
  ctime?: number;
  timestamp?: number;
  dontFollow?: boolean;
}

/** The glue's error class: `new FS.ErrnoError(44)` is ENOENT. */
export type EmErrnoErrorClass = new (errno: number) => Error & { errno: number; code?: string };

/** The glue's `FS` object, as far as this package uses it. */
export interface EmFS {
  readonly ErrnoError: EmErrnoErrorClass;
  readonly root: EmNode;
  createNode(parent: EmNode | null, name: string, mode: number, rdev: number): EmNode;
  hashAddNode(node: EmNode): void;
  hashRemoveNode(node: EmNode): void;
  lookupNode(parent: EmNode, name: string): EmNode;
  lookupPath(path: string, opts?: { follow?: boolean; follow_mount?: boolean; parent?: boolean }): {
    path: string;
    node: EmNode;
  };
  mount(type: unknown, opts: object, mountpoint: string): EmNode;
  unmount(mountpoint: string): void;
  mkdir(path: string, mode?: number): EmNode;
  rmdir(path: string): void;
  unlink(path: string): void;
  symlink(target: string, path: string): EmNode;
  readdir(path: string): string[];
  chdir(path: string): void;
  cwd(): string;
  isDir(mode: number): boolean;
  isFile(mode: number): boolean;
  isLink(mode: number): boolean;
  isMountpoint(node: EmNode): boolean;
}
