/**
 * PEP 440 version specifiers (`>=1.0,!=1.3.*,<2`): enough to choose a release
 * for a requirement line; pre-release inclusion is the caller's choice.
 */
import { compareVersions, isPrerelease, parseVersion, type Version } from './version.js';

/** One clause, such as `>=1.0` or `==1.2.*`. */
export interface Clause {
  readonly op: '==' | '!=' | '>=' | '<=' | '>' | '<' | '~=' | '===';
  /** The version text after the operator, `.*` included. */
  readonly version: string;
}

/** Thrown for a specifier that does not parse. */
export class SpecifierError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecifierError';
  }
}

/** Parses `>=1.0, <2` into clauses; the empty string gives none (anything matches). */
export function parseSpecifier(text: string): Clause[] {
  const out: Clause[] = [];
  for (const part of text.split(',')) {
    const t = part.trim();
    if (t === '') continue;
    const m = /^(===|==|!=|>=|<=|~=|>|<)\s*(\S+)$/.exec(t);
    if (!m) throw new SpecifierError(`bad version specifier ${JSON.stringify(t)}`);
    const op = m[1] as Clause['op'];
    const version = m[2]!;
    const base = version.endsWith('.*') ? version.slice(0, -2) : version;
    if (version.endsWith('.*') && op !== '==' && op !== '!=')
      throw new SpecifierError(`".*" is allowed only after == or != in ${JSON.stringify(t)}`);
    if (op !== '===' && !parseVersion(base).valid)
      throw new SpecifierError(`bad version ${JSON.stringify(version)} in ${JSON.stringify(t)}`);
    out.push({ op, version });
  }
  return out;
}

function withoutLocal(v: Version): Version {
  return { ...v, local: undefined };
}

function prefixMatch(candidate: Version, prefix: Version): boolean {
  if (candidate.epoch !== prefix.epoch) return false;
  return prefix.release.every((seg, i) => (candidate.release[i] ?? '0') === seg);
}

function sameRelease(a: Version, b: Version): boolean {
  return (
    a.epoch === b.epoch &&
    compareVersions(
      { ...a, pre: undefined, post: undefined, dev: undefined, local: undefined },
      { ...b, pre: undefined, post: undefined, dev: undefined, local: undefined },
    ) === 0
  );
}

function matchesClause(v: Version, c: Clause): boolean {
  if (c.op === '===') return v.raw.trim().toLowerCase() === c.version.toLowerCase();
  if (!v.valid) return false;
  const wildcard = c.version.endsWith('.*');
  const s = parseVersion(wildcard ? c.version.slice(0, -2) : c.version);
  const cand = s.local ? v : withoutLocal(v);
  switch (c.op) {
    case '==':
      return wildcard ? prefixMatch(v, s) : compareVersions(cand, s) === 0;
    case '!=':
      return !(wildcard ? prefixMatch(v, s) : compareVersions(cand, s) === 0);
    case '>=':
      return compareVersions(withoutLocal(v), s) >= 0;
    case '<=':
      return compareVersions(withoutLocal(v), s) <= 0;
    case '>':
      return compareVersions(withoutLocal(v), s) > 0 && (s.post !== undefined || v.post === undefined || !sameRelease(v, s));
    case '<':
      return compareVersions(withoutLocal(v), s) < 0 && (isPrerelease(s) || !isPrerelease(v) || !sameRelease(v, s));
    case '~=': {
      const prefix = { ...s, release: s.release.slice(0, -1), pre: undefined, post: undefined, dev: undefined };
      return compareVersions(withoutLocal(v), s) >= 0 && prefixMatch(v, prefix);
    }
  }
}

/** Whether version `raw` satisfies every clause. */
export function satisfies(raw: string, clauses: readonly Clause[]): boolean {
  const v = parseVersion(raw);
  return clauses.every((c) => matchesClause(v, c));
}

/** Whether the clauses name a pre-release themselves (which lets pre-releases match, per PEP 440). */
export function mentionsPrerelease(clauses: readonly Clause[]): boolean {
  return clauses.some((c) => c.op !== '!=' && isPrerelease(parseVersion(c.version.replace(/\.\*$/, ''))));
}
