/**
 * Distribution metadata as upip and an index need it: name, version and
 * summary from `PKG-INFO`, dependencies from `*.egg-info/requires.txt`.
 */
import type { TarEntry } from './tar.js';

/** What a distribution package says about itself. */
export interface DistMetadata {
  /** `Name:` from PKG-INFO, or undefined when there is none. */
  name: string | undefined;
  /** `Version:` from PKG-INFO, or undefined. */
  version: string | undefined;
  /** `Summary:` from PKG-INFO, or the empty string. */
  summary: string;
  /** Requirement lines from `*.egg-info/requires.txt`, blank lines, comments and extras sections removed. */
  requires: string[];
}

const decoder = new TextDecoder('utf-8');

/**
 * Parses RFC 822-style headers (PKG-INFO): the first value of each field,
 * continuation lines folded, up to the first blank line.
 */
function parseHeaders(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    if (/^[ \t]/.test(line)) {
      if (last !== undefined && fields.has(last)) fields.set(last, `${fields.get(last)} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    if (!fields.has(last)) fields.set(last, line.slice(colon + 1).trim());
    else last = undefined;
  }
  return fields;
}

/** Requirement lines of a requires.txt: stops at the first `[extra]` section. */
export function parseRequiresTxt(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) break;
    if (line === '' || line.startsWith('#')) continue;
    out.push(line);
  }
  return out;
}

function depth(path: string): number {
  return path.split('/').filter((p) => p !== '' && p !== '.').length;
}

/**
 * Reads the metadata of a distribution package from its tar members. The
 * top-level `NAME-VERSION/PKG-INFO` wins over one inside `*.egg-info/`.
 */
export function readDistMetadata(entries: readonly TarEntry[]): DistMetadata {
  let pkgInfo: TarEntry | undefined;
  let requires: TarEntry | undefined;
  for (const e of entries) {
    if (e.type !== 'file') continue;
    const name = e.name.replace(/^\.\//, '');
    if (/(^|\/)PKG-INFO$/.test(name) && (pkgInfo === undefined || depth(name) < depth(pkgInfo.name))) pkgInfo = e;
    if (/\.egg-info\/requires\.txt$/.test(name) && (requires === undefined || depth(name) < depth(requires.name))) requires = e;
  }
  const fields = pkgInfo ? parseHeaders(decoder.decode(pkgInfo.data)) : new Map<string, string>();
  return {
    name: fields.get('name') || undefined,
    version: fields.get('version') || undefined,
    summary: fields.get('summary') ?? '',
    requires: requires ? parseRequiresTxt(decoder.decode(requires.data)) : [],
  };
}
