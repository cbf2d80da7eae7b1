/**
 * upip's install layout: every member below the package's top directory
 * (`NAME-VERSION/`) lands at the same relative path in the target, except
 * `setup.*`, `PKG-INFO*`, `README*` and anything in an `*.egg-info`
 * directory. Directories are not installed as such; files create their
 * parents.
 */
import { ArchiveError } from '../archive/errors.js';
import type { CheckedMember } from '../archive/distribution.js';

/** A file to install: its path relative to the target, and the member it comes from. */
export interface LayoutFile {
  readonly path: string;
  readonly member: CheckedMember;
}

/** Whether upip would skip the relative path `rel` (after the top directory). */
function skippedByUpip(rel: string): boolean {
  return rel.startsWith('setup.') || rel.startsWith('PKG-INFO') || rel.startsWith('README') || rel.includes('.egg-info');
}

/**
 * The files upip would install from these members, in archive order; a later
 * member with the same path replaces an earlier one, as it would on disk.
 *
 * @throws ArchiveError `bad-path` for a file outside any top directory
 */
export function upipLayout(members: readonly CheckedMember[], archive: string): LayoutFile[] {
  const byPath = new Map<string, LayoutFile>();
  for (const m of members) {
    if (m.entry.type !== 'file') continue;
    const slash = m.path.indexOf('/');
    if (slash < 0) {
      throw new ArchiveError(
        'bad-path',
        archive,
        'file outside the NAME-VERSION/ directory; not a distribution package layout',
        m.entry.name,
      );
    }
    const rel = m.path.slice(slash + 1);
    if (skippedByUpip(rel)) continue;
    byPath.delete(rel);
    byPath.set(rel, { path: rel, member: m });
  }
  return [...byPath.values()];
}
