/**
 * A size bound on the in-memory filesystem (the glue's MEMFS) of one
 * interpreter. Its files live in the worker's JS heap, outside the Python
 * heap bound, so without this a program could fill the host's memory with
 * files.
 *
 * Charged: the bytes of every MEMFS file, and a fixed cost per node (file,
 * directory, symlink) so that millions of empty files are bounded too. A
 * write, truncate-up or node creation that would pass the bound fails with
 * ENOSPC. Space comes back when a file shrinks, or when its node goes
 * (unlink, rmdir, rename over it) and no open descriptor still holds it (then
 * at its last close). Host mounts are not MEMFS and are not charged.
 *
 * A growing file's storage doubles, up to the bound: MEMFS grows a file past
 * 1 MiB by an eighth at a time, copying it each time, so a file written in
 * 64 KiB pieces up to 4 MiB left ~28 MiB of copies behind for the collector
 * (20 instances filling their filesystems at once: ~560 MiB of the host's peak).
 *
 * @module
 */
import type { EmFS, EmStream } from '../../wasm/emscripten-module.js';
import { EM_ERRNO } from '../../base/errno.js';

/** What each MEMFS node costs besides its bytes. */
const NODE_COST_BYTES = 512;

interface MemNode {
  mode: number;
  usedBytes?: number;
  link?: string;
  contents?: unknown;
  mpyChargedNode?: boolean;
  mpyReleasePending?: boolean;
}

interface MemStream {
  node: MemNode;
  fd: number | null;
}

type Fn = (...args: never[]) => unknown;

/** Space used in MEMFS, as charged. */
export interface MemfsUsage {
  /** Bytes charged now. */
  readonly used: number;
  /** The bound. */
  readonly limit: number;
}

/**
 * Bounds the MEMFS of `FS` to `limitBytes` from now on (what exists already,
 * such as /dev and the mount points, is not charged).
 * @returns a live view of the usage
 */
export function boundMemoryFilesystem(FS: EmFS, limitBytes: number): MemfsUsage {
  const ops = FS.filesystems.MEMFS.ops_table;
  if (ops === null) throw new Error('mpy: MEMFS is not initialised; bound it after the filesystem is set up');
  const usage = { used: 0, limit: limitBytes };
  const memfs = FS.filesystems.MEMFS;
  const expand = memfs.expandFileStorage.bind(memfs);
  memfs.expandFileStorage = (node: object, capacity: number): void => {
    const contents = (node as MemNode).contents;
    const held = contents instanceof Uint8Array ? contents.length : 0;
    expand(node, held >= capacity ? capacity : Math.max(capacity, Math.min(held * 2, limitBytes)));
  };
  const noSpace = (): Error => new FS.ErrnoError(EM_ERRNO.ENOSPC);
  const check = (bytes: number): void => {
    if (bytes > 0 && usage.used + bytes > limitBytes) throw noSpace();
  };
  const charge = (bytes: number): void => {
    check(bytes);
    usage.used += bytes;
  };
  const footprint = (node: MemNode): number =>
    (node.mpyChargedNode ? NODE_COST_BYTES + (node.link?.length ?? 0) : 0) + (FS.isFile(node.mode) ? (node.usedBytes ?? 0) : 0);
  const isOpen = (node: MemNode): boolean => FS.streams.some((s) => s !== null && s !== undefined && s.node === node);
  const release = (node: MemNode | undefined): void => {
    if (node === undefined) return;
    if (FS.isFile(node.mode) && isOpen(node)) {
      node.mpyReleasePending = true;
      return;
    }
    usage.used -= footprint(node);
  };
  const created = (node: MemNode): MemNode => {
    node.mpyChargedNode = true;
    return node;
  };

  const dir = ops.dir.node;
  const { mknod, symlink, unlink, rmdir, rename } = dir as Record<string, (...args: unknown[]) => unknown>;
  dir.mknod = ((...args: unknown[]) => {
    charge(NODE_COST_BYTES);
    try {
      return created(mknod!(...args) as MemNode);
    } catch (e) {
      usage.used -= NODE_COST_BYTES;
      throw e;
    }
  }) as Fn;
  dir.symlink = ((parent: unknown, name: unknown, target: unknown) => {
    const cost = NODE_COST_BYTES + String(target).length;
    charge(cost);
    try {
      return created(symlink!(parent, name, target) as MemNode);
    } catch (e) {
      usage.used -= cost;
      throw e;
    }
  }) as Fn;
  dir.unlink = ((parent: { contents: Record<string, MemNode> }, name: string) => {
    const node = parent.contents[name];
    unlink!(parent, name);
    release(node);
  }) as Fn;
  dir.rmdir = ((parent: { contents: Record<string, MemNode> }, name: string) => {
    const node = parent.contents[name];
    rmdir!(parent, name);
    release(node);
  }) as Fn;
  dir.rename = ((oldNode: MemNode, newDir: { contents: Record<string, MemNode> }, newName: string) => {
    const replaced = newDir.contents[newName];
    rename!(oldNode, newDir, newName);
    if (replaced !== oldNode) release(replaced);
  }) as Fn;

  const file = ops.file;
  const { write } = file.stream as Record<string, (...args: unknown[]) => number>;
  const { setattr } = file.node as Record<string, (...args: unknown[]) => unknown>;
  file.stream.write = ((stream: MemStream, buffer: unknown, offset: number, length: number, position: number, canOwn: unknown) => {
    const node = stream.node;
    const before = node.usedBytes ?? 0;
    check(position + length - before);
    const n = write!(stream, buffer, offset, length, position, canOwn);
    usage.used += (node.usedBytes ?? 0) - before;
    return n;
  }) as Fn;
  file.node.setattr = ((node: MemNode, attr: { size?: number }) => {
    const before = node.usedBytes ?? 0;
    if (attr.size !== undefined && FS.isFile(node.mode)) check(attr.size - before);
    setattr!(node, attr);
    usage.used += (node.usedBytes ?? 0) - before;
  }) as Fn;

  const close = FS.close.bind(FS);
  FS.close = (stream: EmStream): void => {
    const node = stream.node as MemNode | undefined;
    close(stream);
    if (node?.mpyReleasePending && !isOpen(node)) {
      node.mpyReleasePending = false;
      usage.used -= footprint(node);
    }
  };
  return usage;
}
