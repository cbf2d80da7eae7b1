/**
 * `mp.mount` inside the worker: one more host directory, mounted by the same
 * code (and so with the same confinement) as the create-time `mounts`.
 *
 * @module
 */
import type { EmFS } from '../../wasm/emscripten-module.js';
import { mountHostFilesystem } from '../fs/mounts.js';
import type { MountRequest } from './protocol.js';
import { errnoName, GuestFsError } from './worker-fs.js';

/**
 * Mounts `req.host` at `req.path`. The guest path may be missing (it is
 * made, in memory) or an existing directory (its contents are hidden while
 * mounted, as on Linux); anything else is refused, so no file is replaced.
 * @throws GuestFsError `ENOTDIR` when something other than a directory is there, `EBUSY` when it is already a mountpoint
 */
export function mountInWorker(FS: EmFS, req: MountRequest): void {
  let mode: number | undefined;
  try {
    mode = FS.lstat(req.path).mode;
  } catch (e) {
    if (errnoName(e) !== 'ENOENT') throw e;
  }
  if (mode !== undefined) {
    if (!FS.isDir(mode)) throw new GuestFsError('ENOTDIR');
    if (FS.isMountpoint(FS.lookupPath(req.path, { follow_mount: false }).node)) throw new GuestFsError('EBUSY');
  }
  mountHostFilesystem(FS, { kind: 'sandbox', mounts: { [req.path]: { host: req.host, readOnly: req.readOnly } } });
}
