/**
 * PEP 440 versions: parsing to a normal form and total ordering. Invalid
 * versions are kept (indexes hold them) and sort below every valid one.
 */

/** A parsed PEP 440 version. */
export interface Version {
  /** The version as written. */
  readonly raw: string;
  /** False when `raw` is not PEP 440; such versions sort below valid ones, by string. */
  readonly valid: boolean;
  readonly epoch: number;
  /** Release segments, as decimal strings without leading zeros. */
  readonly release: readonly string[];
  /** Pre-release: `['a'|'b'|'rc', number]`. */
  readonly pre: readonly ['a' | 'b' | 'rc', string] | undefined;
  readonly post: string | undefined;
  readonly dev: string | undefined;
  /** Local segments after `+`, lower case. */
  readonly local: readonly string[] | undefined;
}

const PATTERN = new RegExp(
  '^\\s*v?' +
    '(?:(\\d+)!)?' + // epoch
    '(\\d+(?:\\.\\d+)*)' + // release
    '(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?(\\d+)?)?' + // pre
    '(?:-(\\d+)|[-_.]?(post|rev|r)[-_.]?(\\d+)?)?' + // post
    '(?:[-_.]?(dev)[-_.]?(\\d+)?)?' + // dev
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?' + // local
    '\\s*$',
  'i',
);

const PRE: Record<string, 'a' | 'b' | 'rc'> = { alpha: 'a', a: 'a', beta: 'b', b: 'b', c: 'rc', rc: 'rc', pre: 'rc', preview: 'rc' };

function num(s: string | undefined): string {
  return (s ?? '0').replace(/^0+(?=\d)/, '');
}

/** Parses a version; never throws (see {@link Version.valid}). */
export function parseVersion(raw: string): Version {
  const m = PATTERN.exec(raw);
  if (!m) return { raw, valid: false, epoch: 0, release: [], pre: undefined, post: undefined, dev: undefined, local: undefined };
  const hasPost = m[5] !== undefined || m[6] !== undefined;
  return {
    raw,
    valid: true,
    epoch: Number(m[1] ?? 0),
    release: m[2]!.split('.').map(num),
    pre: m[3] ? [PRE[m[3].toLowerCase()]!, num(m[4])] : undefined,
    post: hasPost ? num(m[5] ?? m[7]) : undefined,
    dev: m[8] ? num(m[9]) : undefined,
    local: m[10] ? m[10].toLowerCase().split(/[-_.]/) : undefined,
  };
}

/** The PEP 440 normal form (`1.0a1.post2.dev3+local`), or `raw` for an invalid version. */
export function formatVersion(v: Version): string {
  if (!v.valid) return v.raw;
  let s = v.epoch ? `${v.epoch}!` : '';
  s += v.release.join('.');
  if (v.pre) s += v.pre[0] + v.pre[1];
  if (v.post !== undefined) s += `.post${v.post}`;
  if (v.dev !== undefined) s += `.dev${v.dev}`;
  if (v.local) s += `+${v.local.map((p) => (/^\d+$/.test(p) ? num(p) : p)).join('.')}`;
  return s;
}

/** The PEP 440 normal form of a version string (`3.4.2-4` → `3.4.2.post4`); an invalid version is returned trimmed. */
export function normalizeVersion(raw: string): string {
  const v = parseVersion(raw);
  return v.valid ? formatVersion(v) : raw.trim();
}

/** Compares non-negative decimal strings without leading zeros. */
function cmpNum(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

const PRE_RANK = { a: 0, b: 1, rc: 2 } as const;

function cmpRelease(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = cmpNum(a[i] ?? '0', b[i] ?? '0');
    if (c) return c;
  }
  return 0;
}

// Pre-release key: a dev-only release sorts before any pre-release; a final after all.
function preKey(v: Version): [number, number, string] {
  if (v.pre) return [0, PRE_RANK[v.pre[0]], v.pre[1]];
  if (v.post === undefined && v.dev !== undefined) return [-1, 0, '0'];
  return [1, 0, '0'];
}

function cmpLocal(a: readonly string[] | undefined, b: readonly string[] | undefined): number {
  if (!a || !b) return (a ? 1 : 0) - (b ? 1 : 0);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn !== yn) return xn ? 1 : -1; // numeric segments sort above alphanumeric
    const c = xn ? cmpNum(num(x), num(y)) : x < y ? -1 : x > y ? 1 : 0;
    if (c) return c;
  }
  return a.length - b.length;
}

/** Total order: negative when `a < b`. Invalid versions sort below valid ones, then by string. */
export function compareVersions(a: Version, b: Version): number {
  if (!a.valid || !b.valid) {
    if (a.valid !== b.valid) return a.valid ? 1 : -1;
    return a.raw < b.raw ? -1 : a.raw > b.raw ? 1 : 0;
  }
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  const r = cmpRelease(a.release, b.release);
  if (r) return r;
  const [ap, bp] = [preKey(a), preKey(b)];
  if (ap[0] !== bp[0]) return ap[0] - bp[0];
  if (ap[1] !== bp[1]) return ap[1] - bp[1];
  const p = cmpNum(ap[2], bp[2]);
  if (p) return p;
  if (a.post !== b.post) {
    if (a.post === undefined || b.post === undefined) return a.post === undefined ? -1 : 1;
    const c = cmpNum(a.post, b.post);
    if (c) return c;
  }
  if (a.dev !== b.dev) {
    if (a.dev === undefined || b.dev === undefined) return a.dev === undefined ? 1 : -1;
    const c = cmpNum(a.dev, b.dev);
    if (c) return c;
  }
  return cmpLocal(a.local, b.local);
}

/** Compares two version strings (see {@link compareVersions}). */
export function compareVersionStrings(a: string, b: string): number {
  return compareVersions(parseVersion(a), parseVersion(b));
}

/** Whether a valid version is a pre-release or development release. */
export function isPrerelease(v: Version): boolean {
  return v.valid && (v.pre !== undefined || v.dev !== undefined);
}

/**
 * The version an index reports as current, as PyPI does: the highest final
 * release, else the highest pre-release, else the highest invalid version.
 */
export function latestVersion(versions: Iterable<string>): string | undefined {
  let best: Version | undefined;
  let bestStable: Version | undefined;
  for (const raw of versions) {
    const v = parseVersion(raw);
    if (!best || compareVersions(v, best) > 0) best = v;
    if (v.valid && !isPrerelease(v) && (!bestStable || compareVersions(v, bestStable) > 0)) bestStable = v;
  }
  return (bestStable ?? best)?.raw;
}
