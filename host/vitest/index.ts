/**
 * `mpy/vitest`: MicroPython test files as vitest tests.
 *
 * ```ts
 * import { describePython } from 'mpy/vitest';
 * describePython('tests/test_*.py', { mounts: { '/lib': './lib' } });
 * ```
 *
 * @module
 */
import { resolve } from 'node:path';
import { afterAll, describe, expect, inject, it, type TestContext } from 'vitest';
import { validateOptions, type MicroPythonOptions, type MountOption } from '../embed/options.js';
import { discoverTests, type DiscoveredFile, type DiscoveredTest } from './discovery.js';
import { PythonTestFailure, type Outcome } from './failure.js';
import { FileRunner, type FileOutput } from './file-runner.js';
import { findFiles } from './glob.js';
import { checkPerFile, perFileOptions, unmatchedKeys, type PerFileOptions } from './per-file.js';
import { type GuestToHost, guestToHost } from './python-frames.js';
import { placeTestFile, type InstanceOptions, type PlacedFile } from './placement.js';
import { WATCH_DIR_KEY, writeWatchRecord } from './watch-record.js';

export { PythonTestFailure } from './failure.js';
export type { PerFileOptions } from './per-file.js';

/** Options of {@link describePython}: the instance options, plus where and how to register. */
export interface DescribePythonOptions extends MicroPythonOptions {
  /**
   * Directory the file patterns and relative mount host paths start from.
   * Default: `process.cwd()` (vitest's root when run from the project).
   */
  readonly root?: string;
  /** Title of a describe block around the files. Default: none (one block per file, titled with its path). */
  readonly name?: string;
  /**
   * Limit on each test (one call into Python), in milliseconds; after it the
   * test is interrupted (KeyboardInterrupt) and fails with
   * `MicroPythonTimeoutError`, and later tests of the file run in the same
   * instance (a fresh one only if the test would not stop and its instance
   * had to be terminated). Default here: `10_000`.
   */
  readonly timeoutMs?: number;
  /**
   * Options for some of the files, keyed by glob (relative to `root`, like
   * the patterns): `{ 'tests/test_big_*.py': { timeoutMs: 60_000, heapSize: '32M' } }`.
   * Each key must match at least one of the files; where several match a
   * file, later keys win. Default: none.
   */
  readonly perFile?: Readonly<Record<string, PerFileOptions>>;
}

declare module 'vitest' {
  /** What the `mpyPython()` plugin provides to test workers. */
  interface ProvidedContext {
    [WATCH_DIR_KEY]: string | undefined;
  }
}

/** `describePython` calls made so far by each vitest test file (a record per call). */
const callsPerTestFile = new Map<string, number>();

/**
 * With the `mpyPython()` plugin (watch mode), records which host files the
 * test files use, so that editing one re-runs this test file.
 */
function recordForWatch(
  root: string,
  patterns: string | readonly string[],
  placed: readonly PlacedFile[],
  found: readonly DiscoveredFile[],
): void {
  const dir = inject(WATCH_DIR_KEY);
  const testFile = expect.getState().testPath;
  if (typeof dir !== 'string' || testFile === undefined) return;
  const files = new Set<string>();
  placed.forEach((file, i) => {
    files.add(file.hostPath);
    const toHost = guestToHost(file.options.mounts ?? {});
    for (const guest of found[i]!.modules) {
      const host = toHost(guest);
      if (host !== undefined) files.add(host);
    }
  });
  const index = callsPerTestFile.get(testFile) ?? 0;
  callsPerTestFile.set(testFile, index + 1);
  writeWatchRecord(dir, index, { testFile, root, patterns: typeof patterns === 'string' ? [patterns] : [...patterns], files: [...files] });
}

/** Default per-test limit. */
export const DEFAULT_TEST_TIMEOUT_MS = 10_000;
/** Room on top of `timeoutMs` for vitest's own limit: starting a fresh instance and loading the module. */
const VITEST_MARGIN_MS = 15_000;

function failureOf(outcome: Outcome, toHost: GuestToHost): PythonTestFailure {
  return new PythonTestFailure(outcome.type ?? 'Error', outcome.traceback ?? '(no traceback)', '', toHost);
}

function registerTest(runner: FileRunner, test: DiscoveredTest, timeout: number | undefined, toHost: GuestToHost): void {
  const body = async (ctx: TestContext): Promise<void> => {
    const outcome = await runner.run(test);
    switch (outcome.status) {
      case 'pass':
      case 'xpass': // under it.fails, vitest reports the unexpected success
        return;
      case 'skip':
        ctx.skip(outcome.reason ?? undefined);
        return;
      case 'xfail':
        throw failureOf(outcome, toHost);
      case 'fail':
        throw new PythonTestFailure(outcome.type ?? 'Error', outcome.traceback ?? '', outcome.output, toHost);
    }
  };
  if (test.skip !== null) it.skip(test.name, body);
  else if (test.xfail) it.fails(test.name, body, timeout);
  else it(test.name, body, timeout);
}

function registerFile(file: PlacedFile, found: DiscoveredFile, output: FileOutput, timeout: number | undefined): void {
  describe(file.title, () => {
    const runner = new FileRunner(file, output);
    const toHost = guestToHost(file.options.mounts ?? {});
    afterAll(async () => {
      const failure = await runner.close();
      if (failure) throw failureOf(failure, toHost);
    }, timeout);
    if (found.importError) {
      const { type, traceback } = found.importError;
      it(`import ${file.moduleName}`, () => {
        throw new PythonTestFailure(type, traceback, '', toHost);
      });
      return;
    }
    if (found.tests.length === 0) {
      it.skip('(no tests found)', () => {});
      return;
    }
    const classes = new Map<string, DiscoveredTest[]>();
    for (const test of found.tests) {
      if (test.cls === null) continue;
      classes.set(test.cls, [...(classes.get(test.cls) ?? []), test]);
    }
    for (const [cls, tests] of classes) {
      describe(cls, () => {
        afterAll(async () => {
          const failure = await runner.finishClass(cls);
          if (failure) throw failureOf(failure, toHost);
        }, timeout);
        for (const test of tests) registerTest(runner, test, timeout, toHost);
      });
    }
    for (const test of found.tests) if (test.cls === null) registerTest(runner, test, timeout, toHost);
  });
}

/**
 * Registers MicroPython test files as vitest tests; call it at the top level
 * of a vitest test file (collection time). Each matching file runs in a fresh
 * MicroPython instance; every `unittest.TestCase` test method and every
 * module-level `test*` function is its own vitest test, grouped as
 * file > class > test, failing with the Python traceback (and the test's
 * captured output). `@skip`/`skipIf`/`skipUnless` become `it.skip`,
 * `@expectedFailure` becomes `it.fails`, and `self.skipTest()` skips at run
 * time. A file that does not import shows one failing `import` test; a
 * pattern that matches nothing fails.
 *
 * The test file's directory is put first on `sys.path`; when no mount holds
 * the file, its directory is mounted read-only at `/tests`. The cwd defaults
 * to the file's directory.
 *
 * @param patterns globs (relative to `options.root`; `!glob` excludes)
 * @param options instance options (see `MicroPython.create`) plus {@link DescribePythonOptions}
 * @throws TypeError for a wrong option, at collection time
 */
export function describePython(patterns: string | readonly string[], options: DescribePythonOptions = {}): void {
  const { root: rootOption, name, stdout, stderr, stdin, perFile, ...instance } = options;
  const root = resolve(rootOption ?? process.cwd());
  const mounts: Record<string, MountOption> = {};
  for (const [guest, spec] of Object.entries(instance.mounts ?? {})) {
    const host = typeof spec === 'string' ? spec : spec.host;
    mounts[guest] = { ...(typeof spec === 'string' ? {} : spec), host: resolve(root, host) };
  }
  const base: InstanceOptions = { ...instance, mounts, timeoutMs: instance.timeoutMs ?? DEFAULT_TEST_TIMEOUT_MS };
  validateOptions(base);
  const overrides = checkPerFile(perFile, base);
  const vitestTimeout = (options: InstanceOptions): number | undefined => {
    const { timeoutMs } = validateOptions(options);
    return timeoutMs === undefined ? undefined : timeoutMs + VITEST_MARGIN_MS;
  };
  const output: FileOutput = { stdout, stderr, ...(stdin !== undefined ? { stdin } : {}) };

  const register = (): void => {
    const files = findFiles(patterns, root);
    if (files.length === 0) {
      recordForWatch(root, patterns, [], []);
      it(`files matching ${JSON.stringify(patterns)}`, () => {
        throw new Error(`describePython: no file matches ${JSON.stringify(patterns)} under ${root}`);
      });
      return;
    }
    for (const key of unmatchedKeys(overrides, files, root)) {
      it(`perFile ${JSON.stringify(key)}`, () => {
        throw new Error(`describePython: perFile key ${JSON.stringify(key)} matches none of the files of ${JSON.stringify(patterns)}`);
      });
    }
    const placed = files.map((f) => placeTestFile(f, root, { ...base, ...perFileOptions(overrides, f, root) }));
    const found = discoverTests({
      files: placed.map((p) => ({ options: p.options, guestDir: p.guestDir, moduleName: p.moduleName })),
    });
    recordForWatch(root, patterns, placed, found);
    for (const [i, file] of placed.entries()) registerFile(file, found[i]!, output, vitestTimeout(file.options));
  };
  if (name !== undefined) describe(name, register);
  else register();
}
