/**
 * What may come out of an archive onto disk: regular files and directories
 * with relative paths that stay below the extraction root, each within the
 * size limit. Everything else is refused with a typed error.
 */
import { ArchiveError } from './errors.js';
import type { TarEntry } from './tar.js';

// Control characters (C0, DEL) have no business in a module path.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Normalises a member name to `a/b/c` form (no `.` or empty components) and
 * refuses names that could land outside the extraction root.
 *
 * @returns the normalised path; the empty string for the root itself (`./`)
 * @throws ArchiveError `absolute-path`, `parent-reference` or `bad-path`
 */
export function safeMemberPath(name: string, archive: string): string {
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) {
    throw new ArchiveError('absolute-path', archive, 'absolute path refused', name);
  }
  if (name.includes('\\')) throw new ArchiveError('bad-path', archive, 'backslash in path refused', name);
  if (CONTROL.test(name)) throw new ArchiveError('bad-path', archive, 'control character in path refused', name);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new ArchiveError('parent-reference', archive, '".." in path refused', name);
  return parts.join('/');
}

/**
 * Checks one member against the install policy: only files and directories,
 * safe paths, and at most `maxMemberBytes` of data.
 *
 * @returns the member's normalised path (see {@link safeMemberPath})
 * @throws ArchiveError naming the archive and the member
 */
export function checkMember(entry: TarEntry, archive: string, maxMemberBytes: number): string {
  switch (entry.type) {
    case 'symlink':
    case 'hardlink':
      throw new ArchiveError(
        'link',
        archive,
        `${entry.type} to ${JSON.stringify(entry.linkname)} refused: packages may hold only files`,
        entry.name,
      );
    case 'char-device':
    case 'block-device':
    case 'fifo':
      throw new ArchiveError('special-file', archive, `${entry.type} refused: packages may hold only files`, entry.name);
    case 'file':
    case 'directory':
      break;
  }
  if (entry.size > maxMemberBytes) {
    throw new ArchiveError('member-too-large', archive, `${entry.size} bytes is over the ${maxMemberBytes}-byte member limit`, entry.name);
  }
  return safeMemberPath(entry.name, archive);
}
