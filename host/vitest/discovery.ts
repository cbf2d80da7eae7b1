/**
 * Synchronous test discovery for vitest's collection phase: a short-lived
 * child process imports each test file in a fresh instance and lists its
 * tests (`unittest._mpy_runner.list_tests`), and the parent waits for it.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { compiledFile } from '../../base/package-files.js';
import type { InstanceOptions } from './placement.js';

/** One test as discovery reports it. */
export interface DiscoveredTest {
  /** The TestCase class's name in the module, or `null` for a module-level test function. */
  readonly cls: string | null;
  /** The method or function name. */
  readonly name: string;
  /** The reason of a static skip (`@skip`, `@skipIf`, ... on the test or its class), else `null`. */
  readonly skip: string | null;
  /** Marked `@expectedFailure`. */
  readonly xfail: boolean;
}

/** What discovery found in one file. */
export interface DiscoveredFile {
  readonly tests: DiscoveredTest[];
  /** Set when the file could not be imported (or listed). */
  readonly importError: { readonly type: string; readonly traceback: string } | null;
  /** Guest paths of the files of the modules loaded by importing the test file (for watch mode). */
  readonly modules: readonly string[];
}

/** What the child process reads on stdin. */
export interface DiscoveryRequest {
  readonly files: readonly { readonly options: InstanceOptions; readonly guestDir: string; readonly moduleName: string }[];
}

const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

function childEntry(): string {
  return compiledFile('host/vitest/discover-main.js');
}

/**
 * Lists the tests of every file, blocking until done.
 * @throws Error with the child's stderr when discovery itself fails
 */
export function discoverTests(request: DiscoveryRequest): DiscoveredFile[] {
  let out: string;
  try {
    out = execFileSync(process.execPath, [childEntry()], {
      input: JSON.stringify(request),
      encoding: 'utf8',
      maxBuffer: MAX_OUTPUT_BYTES,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr ?? '';
    throw new Error(`mpy/vitest: test discovery failed: ${stderr || (e as Error).message}`);
  }
  return JSON.parse(out) as DiscoveredFile[];
}
