/**
 * The piscina worker: inflate, read and check one distribution package off
 * the main thread, and return the files upip would install. Errors come back
 * as data, since class and fields of an Error do not survive the thread hop.
 */
import { ArchiveError, type ArchiveErrorCode } from '../archive/errors.js';
import { readDistribution } from '../archive/distribution.js';
import type { ArchiveLimits } from '../archive/limits.js';
import type { DistMetadata } from '../archive/metadata.js';
import { upipLayout } from './layout.js';

/** Input of one unpack task. */
export interface UnpackTask {
  /** The `.tar.gz` bytes. */
  gz: Uint8Array;
  /** Name for messages (URL or file name). */
  archive: string;
  /** Archive limits. Default `DEFAULT_LIMITS`. */
  limits?: Partial<ArchiveLimits>;
}

/** One file to install: `size` bytes at `offset` of the tar buffer. */
export interface UnpackedFile {
  path: string;
  offset: number;
  size: number;
}

/** The result of a task. */
export type UnpackReply =
  | { ok: true; tar: Uint8Array; files: UnpackedFile[]; metadata: DistMetadata }
  | { ok: false; code: ArchiveErrorCode; archive: string; member: string | undefined; detail: string };

/** Unpacks one package (the worker's entry point). */
export default function unpack(task: UnpackTask): UnpackReply {
  try {
    const dist = readDistribution(task.gz, task.archive, task.limits);
    const files = upipLayout(dist.members, task.archive).map((f) => ({
      path: f.path,
      offset: f.member.entry.data.byteOffset - dist.tar.byteOffset,
      size: f.member.entry.data.length,
    }));
    return { ok: true, tar: dist.tar, files, metadata: dist.metadata };
  } catch (err) {
    if (err instanceof ArchiveError) return { ok: false, code: err.code, archive: err.archive, member: err.member, detail: err.detail };
    throw err;
  }
}
