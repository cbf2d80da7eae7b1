/**
 * Install failures. Each says what went wrong and, in `hint`, what to do;
 * `code` is stable for scripts (`mpy install --json`).
 */

/** What kind of failure. */
export type InstallErrorCode =
  | 'bad-requirement'
  | 'conflict'
  | 'not-found'
  | 'index-unreachable'
  | 'index-error'
  | 'download-failed'
  | 'digest-mismatch'
  | 'digest-missing'
  | 'bad-archive'
  | 'file-conflict'
  | 'compile-unavailable'
  | 'compile-failed'
  | 'commit-failed'
  | 'cancelled'
  | 'bad-record'
  | 'not-installed'
  | 'modified'
  | 'still-required'
  | 'hash-mismatch'
  | 'missing-hash'
  | 'locked'
  | 'io-error';

/** A failed install; the target directory is as it was before (see `commit.ts`). */
export class InstallError extends Error {
  /** What kind of failure. */
  readonly code: InstallErrorCode;
  /** What the user can do about it. */
  readonly hint: string;

  /**
   * @param code the kind of failure
   * @param message what went wrong, naming the package, URL or file
   * @param hint what to do about it
   * @param cause the underlying error, if any
   */
  constructor(code: InstallErrorCode, message: string, hint: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'InstallError';
    this.code = code;
    this.hint = hint;
  }
}

/** The OS-level reason of a failed fetch (`ECONNREFUSED ...`), digging through `cause`. */
export function networkReason(err: unknown): string {
  const seen = new Set<unknown>();
  let e: unknown = err;
  let best = err instanceof Error ? err.message : String(err);
  while (e instanceof Error && !seen.has(e)) {
    seen.add(e);
    const code = (e as NodeJS.ErrnoException).code;
    if (code && /^E[A-Z]+$/.test(code)) return e.message.includes(code) ? e.message : `${code}: ${e.message}`;
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return `timed out (${e.message})`;
    if (e.message) best = e.message;
    e = (e as { cause?: unknown }).cause;
  }
  return best;
}

/**
 * Throws InstallError `cancelled` if `signal` has been aborted (the install
 * stops there; nothing has been committed).
 */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw new InstallError(
      'cancelled',
      'cancelled before anything was installed',
      'the target directory is as it was; run the command again to install',
    );
}
