/**
 * `describePython`'s `perFile` option: a per-test limit and a heap bound for
 * the files a glob matches.
 *
 * @module
 */
import { relative, sep } from 'node:path';
import { validateOptions } from '../embed/options.js';
import { globToRegExp } from './glob.js';
import type { InstanceOptions } from './placement.js';

/** What `perFile` can set for a file. */
export interface PerFileOptions {
  /** The file's limit on each test, as `describePython`'s `timeoutMs`. */
  readonly timeoutMs?: number;
  /** The heap bound of the file's instances, as the `heapSize` option of `MicroPython.create`. */
  readonly heapSize?: string | number;
}

/** One checked `perFile` entry. */
export interface PerFileRule {
  readonly key: string;
  readonly matcher: RegExp;
  readonly options: PerFileOptions;
}

const KNOWN: readonly string[] = ['timeoutMs', 'heapSize'];

function fail(message: string): never {
  throw new TypeError(`describePython: ${message}`);
}

/**
 * Checks the `perFile` option: an object of globs to {@link PerFileOptions},
 * each valid on top of `base`.
 * @throws TypeError saying what to change
 */
export function checkPerFile(perFile: unknown, base: InstanceOptions): PerFileRule[] {
  if (perFile === undefined) return [];
  if (typeof perFile !== 'object' || perFile === null || Array.isArray(perFile)) {
    fail("perFile must be an object like { 'tests/test_big.py': { timeoutMs: 60_000 } }");
  }
  return Object.entries(perFile).map(([key, options]) => {
    if (typeof options !== 'object' || options === null || Array.isArray(options))
      fail(`perFile[${JSON.stringify(key)}] must be an object like { timeoutMs: 60_000 }`);
    for (const name of Object.keys(options)) {
      if (!KNOWN.includes(name))
        fail(`perFile[${JSON.stringify(key)}]: unknown option '${name}'; a file can have its own ${KNOWN.join(' and ')}`);
    }
    try {
      validateOptions({ ...base, ...(options as PerFileOptions) });
    } catch (e) {
      fail(`perFile[${JSON.stringify(key)}]: ${(e as Error).message.replace(/^MicroPython\.create: /, '')}`);
    }
    return { key, matcher: globToRegExp(posixRelative(key)), options: options as PerFileOptions };
  });
}

/** What the rules set for a file (later rules win). */
export function perFileOptions(rules: readonly PerFileRule[], file: string, root: string): PerFileOptions {
  const rel = posixRelative(relative(root, file));
  return Object.assign({}, ...rules.filter((r) => r.matcher.test(rel)).map((r) => r.options)) as PerFileOptions;
}

/** The keys that match none of the files. */
export function unmatchedKeys(rules: readonly PerFileRule[], files: readonly string[], root: string): string[] {
  const rels = files.map((f) => posixRelative(relative(root, f)));
  return rules.filter((r) => !rels.some((rel) => r.matcher.test(rel))).map((r) => r.key);
}

function posixRelative(path: string): string {
  return path.split(sep).join('/').replace(/^\.\//, '');
}
