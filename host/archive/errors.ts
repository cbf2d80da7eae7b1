/**
 * Typed failures of reading a distribution package. Every error names the
 * archive and, where one is to blame, the member.
 */

/** What was wrong with an archive, as a stable machine-readable code. */
export type ArchiveErrorCode =
  /** A member name starts with `/` or a drive letter. */
  | 'absolute-path'
  /** A member name has a `..` component. */
  | 'parent-reference'
  /** A member name is empty, has a backslash or a control character. */
  | 'bad-path'
  /** A symbolic or hard link. */
  | 'link'
  /** A character or block device, a FIFO, or another non-file member. */
  | 'special-file'
  /** One member is larger than the per-member limit. */
  | 'member-too-large'
  /** The archive inflates to more than the total limit. */
  | 'archive-too-large'
  /** The archive inflates more than the allowed ratio (a gzip bomb). */
  | 'compression-ratio'
  /** Too many members. */
  | 'too-many-members'
  /** The data ends before the archive does. */
  | 'truncated'
  /** Not gzip, a bad deflate stream, a CRC or length mismatch, a bad tar header. */
  | 'corrupt'
  /** A well-formed feature this reader does not handle (sparse files, multi-volume). */
  | 'unsupported';

/** An archive that cannot be read, or must not be installed. */
export class ArchiveError extends Error {
  /** What was wrong. */
  readonly code: ArchiveErrorCode;
  /** The archive's name (file name or URL) as given by the caller. */
  readonly archive: string;
  /** The member at fault, when one is. */
  readonly member: string | undefined;
  /** The sentence saying what was wrong, without archive and member names. */
  readonly detail: string;

  /**
   * @param code what was wrong
   * @param archive the archive's name, for the message
   * @param detail the human sentence, without the archive or member name
   * @param member the member at fault, if any
   */
  constructor(code: ArchiveErrorCode, archive: string, detail: string, member?: string) {
    super(`${archive}: ${member === undefined ? '' : `member ${JSON.stringify(member)}: `}${detail}`);
    this.name = 'ArchiveError';
    this.code = code;
    this.archive = archive;
    this.member = member;
    this.detail = detail;
  }
}
