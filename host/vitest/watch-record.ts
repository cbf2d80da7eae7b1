/**
 * What vitest's watch mode needs to re-run Python tests: for each test file
 * that calls `describePython`, the patterns it registered and the host files
 * of the Python modules its test files loaded. `describePython` writes one
 * small JSON record per call into a directory the `mpyPython()` plugin
 * chooses (and hands to the test workers through vitest's `provide`); the
 * plugin reads them when a file changes.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findFiles } from './glob.js';

/** The `provide` key under which the plugin passes the record directory to test workers. */
export const WATCH_DIR_KEY = 'mpy:python-watch-dir';

/** One `describePython` call's record. */
export interface WatchRecord {
  /** The vitest test file (`.test.ts`, …) that called `describePython`. */
  readonly testFile: string;
  /** The directory the patterns start from. */
  readonly root: string;
  /** The patterns it was given. */
  readonly patterns: readonly string[];
  /** Host paths of the Python test files and of the modules they loaded from mounts. */
  readonly files: readonly string[];
}

/** Writes (or replaces) the record of the `index`-th `describePython` call of a test file. */
export function writeWatchRecord(dir: string, index: number, record: WatchRecord): void {
  mkdirSync(dir, { recursive: true });
  const name = `${createHash('sha1').update(record.testFile).digest('hex').slice(0, 16)}-${index}.json`;
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(record));
  renameSync(tmp, join(dir, name));
}

function readRecords(dir: string): WatchRecord[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  } catch {
    return [];
  }
  const records: WatchRecord[] = [];
  for (const name of names) {
    try {
      records.push(JSON.parse(readFileSync(join(dir, name), 'utf8')) as WatchRecord);
    } catch {
      // a record being replaced or damaged: the next run rewrites it
    }
  }
  return records;
}

/**
 * The test files to re-run when `changed` (an absolute host path) changed or
 * appeared: those whose Python files include it, and those whose patterns
 * match it (a new test file). `undefined` when none, so that vitest's own
 * rules apply.
 */
export function testFilesFor(dir: string, changed: string): string[] | undefined {
  const hits = new Set<string>();
  for (const record of readRecords(dir)) {
    if (record.files.includes(changed) || findFiles(record.patterns, record.root).includes(changed)) hits.add(record.testFile);
  }
  return hits.size > 0 ? [...hits] : undefined;
}
