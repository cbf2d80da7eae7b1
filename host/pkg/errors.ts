/**
 * The one error type of the packaging toolchain (tar, gzip, sdist, bin2res):
 * a message meant for the user, and a code for programs and tests.
 */

/** What went wrong, for callers that branch on it. */
export type PackagingErrorCode =
  | 'no-pyproject'
  | 'bad-pyproject'
  | 'bad-setup-py'
  | 'missing-metadata'
  | 'nothing-to-ship'
  | 'discovery'
  | 'manifest'
  | 'path'
  | 'conflict'
  | 'io';

/** A packaging failure whose message can be shown to the user as is. */
export class PackagingError extends Error {
  /** The kind of failure. */
  readonly code: PackagingErrorCode;

  /**
   * @param code the kind of failure
   * @param message a complete sentence for the user (file names included)
   */
  constructor(code: PackagingErrorCode, message: string) {
    super(message);
    this.name = 'PackagingError';
    this.code = code;
  }
}
