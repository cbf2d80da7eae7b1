/**
 * Requirement lines as upip and pip write them: `name`, `name==1.0`,
 * `name>=1,<2`, `name[extra] (>=1) ; marker` (extras and markers ignored:
 * MicroPython has no environment to evaluate them against).
 */
import { normalizeName } from '../index/names.js';
import { type Clause, parseSpecifier, type SpecifierError } from '../index/specifier.js';
import { normalizeVersion } from '../index/version.js';
import { InstallError } from './errors.js';

/** A parsed requirement. */
export interface Requirement {
  /** The line as given. */
  readonly raw: string;
  /** The name as written (what upip would request). */
  readonly name: string;
  /** PEP 503 normalised name. */
  readonly key: string;
  /** Version clauses; empty means "the index's current version". */
  readonly clauses: readonly Clause[];
  /** The exact version when the only clause is `==V` (no wildcard). */
  readonly pin: string | undefined;
  /** Accepted archive digests (hex sha256) from `--hash=sha256:…` in a requirements file; undefined when none given. */
  readonly hashes?: readonly string[];
}

const LINE = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(\(?)([^;)]*)\)?\s*(?:;.*)?$/;

/** Parses one requirement. @throws InstallError `bad-requirement` */
export function parseRequirement(text: string): Requirement {
  const raw = text.trim();
  if (/^[A-Za-z0-9._-]+\s*(\[[^\]]*\])?\s*@/.test(raw)) {
    throw new InstallError(
      'bad-requirement',
      `requirement ${JSON.stringify(raw)} names a URL (NAME @ URL), which is not supported`,
      'install from an index: serve the archive with mpy serve DIR and give -i',
    );
  }
  const m = LINE.exec(raw);
  if (!m)
    throw new InstallError('bad-requirement', `cannot parse requirement ${JSON.stringify(raw)}`, 'write NAME or NAME==VERSION (PEP 508)');
  let clauses: Clause[];
  try {
    clauses = parseSpecifier(m[3]!);
  } catch (err) {
    throw new InstallError(
      'bad-requirement',
      `requirement ${JSON.stringify(raw)}: ${(err as SpecifierError).message}`,
      'use PEP 440 specifiers such as ==1.0 or >=1.0,<2',
    );
  }
  const only = clauses.length === 1 ? clauses[0]! : undefined;
  const pin = only && only.op === '==' && !only.version.endsWith('.*') ? normalizeVersion(only.version) : undefined;
  return { raw, name: m[1]!, key: normalizeName(m[1]!), clauses, pin };
}
