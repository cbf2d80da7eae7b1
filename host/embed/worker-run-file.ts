/**
 * `runFile` inside the worker: runs a file as `__main__` with the run's own
 * `sys.argv`, environment and stdin when given, and puts the instance's back
 * afterwards.
 *
 * @module
 */
import type { Session } from '../../runtime/session.js';
import type { RunFileRequest } from './protocol.js';
import type { WorkerStdio } from './worker-stdio.js';

/** Exit status when the file to run cannot be opened (the Unix port's). */
const CANNOT_OPEN_STATUS = 2;

/** Runs the file; returns its exit status (2, with a message on stderr, when it cannot be opened). */
export function runFileInWorker(session: Session, stdio: WorkerStdio, req: RunFileRequest): number {
  const { path } = req;
  const found = session.interpreter.fs.analyzePath(path);
  if (!found.exists || found.object === null || !session.interpreter.fs.isFile(found.object.mode)) {
    const why = found.exists ? '[Errno 21] EISDIR' : '[Errno 2] ENOENT';
    stdio.write(2, new TextEncoder().encode(`mpy: can't open file '${path}': ${why}\n`));
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
