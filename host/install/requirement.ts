/**
 * Requirement lines as upip and pip write them: `name`, `name==1.0`,
 * `name>=1,<2`, `name[extra] (>=1) ; marker` (extras and markers ignored:
 * MicroPython has no environment to evaluate them against).
 */
import { readFile } from 'node:fs/promises';
import { normalizeName } from '../index/names.js';
import { type Clause, parseSpecifier, SpecifierError } from '../index/specifier.js';
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
}

const LINE = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(\(?)([^;)]*)\)?\s*(?:;.*)?$/;

/** Parses one requirement. @throws InstallError `bad-requirement` */
export function parseRequirement(text: string): Requirement {
  const raw = text.trim();
  const m = LINE.exec(raw);
  if (!m) throw new InstallError('bad-requirement', `cannot parse requirement ${JSON.stringify(raw)}`, 'write NAME or NAME==VERSION (PEP 508)');
  let clauses: Clause[];
  try {
    clauses = parseSpecifier(m[3]!);
  } catch (err) {
    throw new InstallError('bad-requirement', `requirement ${JSON.stringify(raw)}: ${(err as SpecifierError).message}`, 'use PEP 440 specifiers such as ==1.0 or >=1.0,<2');
  }
  const only = clauses.length === 1 ? clauses[0]! : undefined;
  const pin = only && only.op === '==' && !only.version.endsWith('.*') ? only.version : undefined;
  return { raw, name: m[1]!, key: normalizeName(m[1]!), clauses, pin };
}

/** Requirement lines of a requirements file: `#` comments and blank lines skipped. */
export function parseRequirementsText(text: string, source: string): Requirement[] {
  const out: Requirement[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.replace(/(^|\s)#.*$/, '').trim();
    if (t === '') return;
    if (t.startsWith('-')) {
      throw new InstallError('bad-requirement', `${source}:${i + 1}: option lines (${t.split(/\s/)[0]}) are not supported`, 'list one requirement per line; give indexes with -i');
    }
    try {
      out.push(parseRequirement(t));
    } catch (err) {
      if (err instanceof InstallError) throw new InstallError(err.code, `${source}:${i + 1}: ${err.message}`, err.hint);
      throw err;
    }
  });
  return out;
}

/** Reads and parses a requirements file (`-r FILE`). */
export async function readRequirementsFile(path: string): Promise<Requirement[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf-8');
  } catch (err) {
    throw new InstallError('bad-requirement', `cannot read requirements file ${path}: ${(err as Error).message}`, 'check the path given to -r', err);
  }
  return parseRequirementsText(text, path);
}
