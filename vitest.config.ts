import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Pure logic: no interpreter, no child process, no server. Seconds in all.
 * The binaryen passes' tests are here so that one fork loads binaryen (~1 s).
 */
const UNIT = [
  'test/archive-reader.test.ts',
  'test/atomic-write.test.ts',
  'test/call-buffer.test.ts',
  'test/index-version.test.ts',
  'test/install-requirements.test.ts',
  'test/mpy-cross-io.test.ts',
  'test/net-readiness.test.ts',
  'test/net-units.test.ts',
  'test/pkg-manifest.test.ts',
  'test/pkg-metadata.test.ts',
  'test/pkg-tar.test.ts',
  'test/vitest-frames.test.ts',
  'test/vitest-glob.test.ts',
  'test/wasm-gc-pointer-bounds.test.ts',
  'test/wasm-spill-pointers.test.ts',
];

/** Whole-program checks that take many seconds each (still part of npm test and CI). */
const SLOW = [
  'test/bench.test.ts',
  'test/consumer.test.ts',
  'test/memory.test.ts',
  'test/vitest-describe.test.ts',
  'test/vitest-watch.test.ts',
  'test/wasm-loader.test.ts',
];

/**
 * vitest's order (by project name, then longest or largest first), except
 * that the slow project's files start first: started last, as their name
 * sorts, the longest files of the suite ran at its end with a core idle.
 */
class SlowFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const slow = (file: TestSpecification): boolean => file.project.name === 'slow';
    return [...sorted.filter(slow), ...sorted.filter((file) => !slow(file))];
  }
}

const shared = { testTimeout: 30_000, hookTimeout: 30_000, pool: 'forks' } as const;

export default defineConfig({
  test: {
    // One test file per core and one more (vitest's default leaves one core
    // free: a single worker on a 2-core machine). Two workers kept 1.89 of 2
    // cores busy (files wait on servers, ptys, sleeps and child processes);
    // on the quiet 2-core machine the suite took 122 s with two, 111 s with
    // three and 114 s with four. (Three once pushed time-limited tests over
    // their limits on a loaded machine; such tests now sleep, not spin.)
    maxWorkers: availableParallelism() + 1,
    globalSetup: ['test/global-setup.ts'],
    sequence: { sequencer: SlowFilesFirst },
    projects: [
      // One fork runs all of them (no per-file fork and import): they share no state.
      { test: { ...shared, name: 'unit', include: UNIT, isolate: false } },
      // Everything else: the real interpreter, CLI child processes, loopback servers.
      // Each fork runs its files one after another without a fresh fork and
      // import per file (~0.4 CPU-s each; 34 of 254 CPU-s measured): shared
      // helpers keep no per-file state (temp dirs are per run or per file,
      // a test that changes the thread's wasm module puts it back).
      {
        test: {
          ...shared,
          name: 'integration',
          isolate: false,
          include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
          exclude: [...UNIT, ...SLOW],
        },
      },
      // One fork per core for these too: a fresh fork and import per file bought nothing.
      { test: { ...shared, name: 'slow', include: SLOW, isolate: false } },
    ],
  },
});
