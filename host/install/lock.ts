/**
 * `mpy lock`: the install record as a requirements file that reproduces the
 * tree: every distribution pinned with `==` and its archive's
 * `--hash=sha256:…`, sorted by normalised name, so that
 * `mpy install -r FILE` (which turns on hash-checking mode) installs the
 * same bytes elsewhere, and the lock of that install is the same file.
 */
import type { InstallRecord } from './record.js';
import { InstallError } from './errors.js';

/** The first line of every lock file. */
const LOCK_HEADER =
  '# written by mpy lock: exact versions and archive digests of an installed tree.\n# Install it elsewhere with: mpy install -r THIS_FILE -p DIR -i INDEX_URL\n';

/**
 * Renders the lock of a record.
 * @param target for the message when nothing is installed
 * @throws InstallError `not-installed` for an empty record
 */
export function renderLock(record: InstallRecord, target: string): string {
  const keys = Object.keys(record.packages).sort();
  if (!keys.length)
    throw new InstallError(
      'not-installed',
      `nothing installed by mpy in ${target} (no install record there)`,
      'install into it with mpy install -p DIR first',
    );
  const lines = keys.map((k) => {
    const e = record.packages[k]!;
    return `${e.name}==${e.version} \\\n    --hash=sha256:${e.sha256}\n`;
  });
  return LOCK_HEADER + lines.join('');
}
