/**
 * Hash-checking mode, as pip has it: it is on when `--require-hashes` is
 * given (on the command line or in a requirements file) or when any
 * requirement carries a `--hash`. Then every requirement must be pinned
 * with `==` and carry hashes, every dependency must be listed too, and each
 * archive must match one of its hashes. This is the one place that decides;
 * the resolver asks it before each download.
 */
import type { AcceptedHashes } from './download.js';
import { InstallError } from './errors.js';
import type { Requirement } from './requirement.js';

/** The hashes a set of requirements gives, and whether they are required. */
export class HashPolicy {
  readonly #byKey = new Map<string, AcceptedHashes>();
  /** Whether hash-checking mode is on. */
  readonly active: boolean;

  /**
   * @param roots the requirements (with `hashes` from requirements files)
   * @param requireHashes `--require-hashes` was given
   * @throws InstallError `missing-hash` when the mode is on and a requirement is unpinned or has no hash
   */
  constructor(roots: readonly Requirement[], requireHashes: boolean) {
    this.active = requireHashes || roots.some((r) => r.hashes !== undefined);
    if (!this.active) return;
    const unpinned = roots.filter((r) => r.pin === undefined).map((r) => r.raw);
    if (unpinned.length) {
      throw new InstallError(
        'missing-hash',
        `in hash-checking mode every requirement must be pinned with ==; these are not: ${unpinned.join(', ')}`,
        'pin each with ==VERSION and add --hash=sha256:… (mpy lock writes such a file)',
      );
    }
    const bare = roots.filter((r) => !r.hashes?.length).map((r) => r.raw);
    if (bare.length) {
      throw new InstallError(
        'missing-hash',
        `in hash-checking mode every requirement needs --hash=sha256:…; these have none: ${bare.join(', ')}`,
        'add the archive digests (mpy lock writes them), or drop --require-hashes',
      );
    }
    for (const r of roots) {
      const prior = this.#byKey.get(r.key);
      // Two lines on one name accept only the digests both allow.
      const sha256 = prior ? prior.sha256.filter((h) => r.hashes!.includes(h)) : [...r.hashes!];
      this.#byKey.set(r.key, { sha256, source: prior ? `${prior.source} and ${r.raw}` : r.raw });
    }
  }

  /**
   * The hashes to check for a package about to be fetched; undefined when the
   * mode is off.
   * @param chain who required it, for the message (`a 1.0 → b 2.1`)
   * @throws InstallError `missing-hash` for a package the requirements do not list
   */
  accepted(key: string, name: string, chain: readonly string[]): AcceptedHashes | undefined {
    if (!this.active) return undefined;
    const got = this.#byKey.get(key);
    if (got) return got;
    const via = chain.length ? ` (${[...chain, name].join(' → ')})` : '';
    throw new InstallError(
      'missing-hash',
      `${name} is needed${via} but the requirements give no --hash for it; in hash-checking mode every dependency must be listed, pinned and hashed`,
      'add it to the requirements file with ==VERSION and --hash (mpy lock -p DIR lists every installed dependency)',
    );
  }

  /** Whether an installed archive with this digest satisfies the policy for `key`. */
  allows(key: string, sha256: string): boolean {
    return !this.active || (this.#byKey.get(key)?.sha256.includes(sha256) ?? false);
  }
}
