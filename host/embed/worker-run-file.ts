/**
 * `runFile` where the interpreter runs (its worker, or the calling thread): runs a file as `__main__` with the run's own
 * `sys.argv`, environment and stdin when given, and puts the instance's back
 * afterwards.
 *
 * @module
 */
import { LINUX_ERRNO } from '../../base/errno.js';
import { CANNOT_OPEN_STATUS, cannotOpenMessage } from '../../runtime/guest-layout.js';
import type { Session } from '../../runtime/session.js';
import type { RunFileRequest } from './protocol.js';
import type { EmbedStdio } from './embed-stdio.js';

/** Runs the file; returns its exit status (2, with a message on stderr, when it cannot be opened). */
export function runFileInWorker(session: Session, stdio: EmbedStdio, req: RunFileRequest): number {
  const { path } = req;
  // As the `mpy` command: a path that does not exist cannot be opened; a
  // directory is run, and fails as the Unix port's does (OSError EISDIR).
  if (!session.interpreter.fs.analyzePath(path).exists) {
    stdio.write(2, new TextEncoder().encode(cannotOpenMessage(path, LINUX_ERRNO.ENOENT)));
    return CANNOT_OPEN_STATUS;
  }
  const env = session.environment;
  const savedEnv = req.env ? new Map(env) : undefined;
  const restoreStdin = req.stdin ? stdio.replaceStdin(req.stdin) : undefined;
  if (req.env) replaceEntries(env, Object.entries(req.env));
  try {
    return session.runFile(path, req.argv);
  } finally {
    if (savedEnv) replaceEntries(env, savedEnv);
    restoreStdin?.();
  }
}

function replaceEntries(map: Map<string, string>, entries: Iterable<[string, string]>): void {
  map.clear();
  for (const [key, value] of entries) map.set(key, value);
}
