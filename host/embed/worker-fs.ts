/**
 * The `fs` helpers of an embedded instance, run inside its worker on the
 * emscripten FS (memory plus the host mounts).
 *
 * @module
 */
import type { EmFS } from '../../wasm/emscripten-module.js';
import { EM_ERRNO } from '../../base/errno.js';
import type { FsRequest } from './protocol.js';
import type { MicroPythonStat } from './fs-helpers.js';
import { mountInWorker } from './worker-mount.js';

const ERRNO_NAMES = new Map<number, string>(Object.entries(EM_ERRNO).map(([name, n]) => [n as number, name]));

/** An fs failure with its errno name. */
export class GuestFsError extends Error {
  /** The errno name, e.g. `ENOENT`. */
  readonly code: string;

  /** @param code the errno name */
  constructor(code: string) {
    super(code);
    this.code = code;
  }
}

/** The errno name of an emscripten FS error, or `undefined` for any other error. */
export function errnoName(error: unknown): string | undefined {
  const errno = (error as { errno?: unknown } | null)?.errno;
  if (typeof errno !== 'number') return error instanceof GuestFsError ? error.code : undefined;
  return ERRNO_NAMES.get(errno) ?? `E${errno}`;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

function toMs(time: Date): number {
  return time instanceof Date ? time.getTime() : Number(time);
}

function statOf(FS: EmFS, path: string): MicroPythonStat {
  const st = FS.stat(path);
  const kind = st.mode & S_IFMT;
  return {
    type: kind === S_IFREG ? 'file' : kind === S_IFDIR ? 'directory' : 'other',
    size: st.size,
    mode: st.mode,
    atimeMs: toMs(st.atime),
    mtimeMs: toMs(st.mtime),
    ctimeMs: toMs(st.ctime),
  };
}

function remove(FS: EmFS, path: string, recursive: boolean): void {
  const mode = FS.lstat(path).mode;
  if (!FS.isDir(mode)) {
    FS.unlink(path);
    return;
  }
  if (!recursive) throw new GuestFsError('EISDIR');
  for (const name of FS.readdir(path)) {
    if (name !== '.' && name !== '..') remove(FS, path === '/' ? `/${name}` : `${path}/${name}`, true);
  }
  FS.rmdir(path);
}

/**
 * Does one fs helper call.
 * @returns file bytes, directory names, whether a path exists, a stat, or `null`
 * @throws the FS's own errors (see {@link errnoName})
 */
export function runFsRequest(FS: EmFS, req: FsRequest): Uint8Array | string[] | boolean | MicroPythonStat | null {
  switch (req.action) {
    case 'readFile':
      return FS.readFile(req.path);
    case 'writeFile':
      FS.writeFile(req.path, req.data);
      return null;
    case 'mkdir':
      if (req.recursive) FS.mkdirTree(req.path);
      else FS.mkdir(req.path);
      return null;
    case 'readdir':
      return FS.readdir(req.path)
        .filter((n) => n !== '.' && n !== '..')
        .sort();
    case 'rm':
      try {
        remove(FS, req.path, req.recursive);
      } catch (e) {
        if (!(req.force && errnoName(e) === 'ENOENT')) throw e;
      }
      return null;
    case 'exists':
      return FS.analyzePath(req.path).exists;
    case 'stat':
      return statOf(FS, req.path);
    case 'rename':
      FS.rename(req.path, req.to);
      return null;
    case 'mount':
      mountInWorker(FS, req);
      return null;
  }
}
