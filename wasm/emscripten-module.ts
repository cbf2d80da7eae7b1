/**
 * The parts of the emscripten glue that mpy uses: the `Module` object and its
 * `FS` (checked against the glue of
 * `@micropython/micropython-webassembly-pyscript` 1.27.0). The glue is
 * untyped JS; this is the one declaration of the contract we rely on, for
 * the runtime and for the filesystem type in `host/fs`.
 *
 * Not `@types/emscripten`: its declarations are global (`FS`, `Module`,
 * `getValue`, ...), need the DOM lib (`Navigator`, `WebGLRenderingContext`),
 * and describe the FS for its users, not for a filesystem type (no
 * `node_ops`/`stream_ops` on nodes, no `shared`/`node` on streams).
 *
 * @module
 */

/** Operations of a filesystem type (`node_ops`, `stream_ops`), called by the glue by name. */
export type EmOps = Record<string, (...args: never[]) => unknown>;

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
  node_ops: EmOps;
  stream_ops: EmOps;
}

/** An open file description (`FS.FSStream`). */
export interface EmStream {
  readonly node: EmNode;
  readonly path: string;
  /** Open flags in musl's (Linux's) numbering: O_WRONLY 1, O_RDWR 2, O_APPEND 0x400, ... */
  flags: number;
  position: number;
  seekable: boolean;
  /** State shared between a stream and its dups (flags and position live here); an opaque key. */
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

/** The glue's error class: `new FS.ErrnoError(44)` is ENOENT (emscripten numbering). */
type EmErrnoErrorClass = new (errno: number) => Error & { errno: number; code?: string };

/** The in-memory filesystem's operation tables (`MEMFS.ops_table`), set up on first use. */
interface EmMemfsOps {
  readonly dir: { readonly node: EmOps };
  readonly file: { readonly node: EmOps; readonly stream: EmOps };
}

/** The glue's `FS` object, as far as this package uses it. */
export interface EmFS {
  readonly ErrnoError: EmErrnoErrorClass;
  readonly root: EmNode;
  /** The filesystem types the glue has; only MEMFS is built into this one. */
  readonly filesystems: {
    readonly MEMFS: {
      readonly ops_table: EmMemfsOps | null;
      /** Gives a file's contents array room for `capacity` bytes (called by MEMFS's write, by property lookup). */
      expandFileStorage(node: object, capacity: number): void;
    };
  };
  /** Open streams by file descriptor (holes are `null` or missing). */
  readonly streams: readonly (EmStream | null | undefined)[];
  createNode(parent: EmNode | null, name: string, mode: number, rdev: number): EmNode;
  hashAddNode(node: EmNode): void;
  hashRemoveNode(node: EmNode): void;
  lookupNode(parent: EmNode, name: string): EmNode;
  lookupPath(
    path: string,
    opts?: { follow?: boolean; follow_mount?: boolean; parent?: boolean },
  ): {
    path: string;
    node: EmNode;
  };
  analyzePath(path: string): { exists: boolean; object: EmNode | null };
  mount(type: unknown, opts: object, mountpoint: string): EmNode;
  unmount(mountpoint: string): void;
  mkdir(path: string, mode?: number): EmNode;
  mkdirTree(path: string, mode?: number): void;
  rmdir(path: string): void;
  unlink(path: string): void;
  rename(from: string, to: string): void;
  symlink(target: string, path: string): EmNode;
  readdir(path: string): string[];
  readFile(path: string, opts?: { encoding?: 'binary' }): Uint8Array;
  writeFile(path: string, data: string | ArrayBufferView): void;
  stat(path: string): { mode: number; size: number; atime: Date; mtime: Date; ctime: Date };
  lstat(path: string): { mode: number; size: number; atime: Date; mtime: Date; ctime: Date };
  close(stream: EmStream): void;
  chdir(path: string): void;
  cwd(): string;
  isDir(mode: number): boolean;
  isFile(mode: number): boolean;
  isLink(mode: number): boolean;
  isMountpoint(node: EmNode): boolean;
}

/** The emscripten module object the glue resolves to. */
export interface EmscriptenModule {
  readonly FS: EmFS;
  ccall(name: string, ret: string | null, argTypes: string[], args: unknown[]): unknown;
  getValue(ptr: number, type: string): number;
  setValue(ptr: number, value: number, type: string): void;
  UTF8ToString(ptr: number, maxBytes?: number): string;
  stringToUTF8(str: string, ptr: number, maxBytes: number): number;
  lengthBytesUTF8(str: string): number;
  _malloc(size: number): number;
  _free(ptr: number): void;
  _mp_sched_keyboard_interrupt(): void;
}
