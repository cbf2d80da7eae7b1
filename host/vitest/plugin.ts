/**
 * `mpy/vitest/plugin`: re-runs Python tests in vitest's watch mode.
 *
 * ```ts
 * // vitest.config.ts
 * import { defineConfig } from 'vitest/config';
 * import { mpyPython } from 'mpy/vitest/plugin';
 * export default defineConfig({ plugins: [mpyPython()] });
 * ```
 *
 * Python files are not JavaScript modules, so vitest cannot see which test
 * files use them. With this plugin, editing a `.py` file re-runs the test
 * files whose `describePython` patterns match it (a new or changed test
 * file) or whose Python tests loaded it (a module under test, from a mount).
 *
 * @module
 */
import { join, resolve } from 'node:path';
import { testFilesFor, WATCH_DIR_KEY } from './watch-record.js';

/** The part of a Vite/vitest plugin this one uses (no dependency on Vite's types). */
export interface MpyPythonPlugin {
  readonly name: string;
  config(config: { root?: string }): {
    test: {
      provide: Record<string, string>;
      watchTriggerPatterns: { pattern: RegExp; testsToRun: (file: string) => string[] | undefined }[];
    };
  };
}

/** The vitest plugin that makes watch mode follow Python files. */
export function mpyPython(): MpyPythonPlugin {
  return {
    name: 'mpy:python-watch',
    config(config) {
      const root = resolve(config.root ?? process.cwd());
      const dir = join(root, 'node_modules', '.cache', 'mpy-vitest');
      return {
        test: {
          provide: { [WATCH_DIR_KEY]: dir },
          watchTriggerPatterns: [{ pattern: /\.(py|mpy)$/, testsToRun: (file) => testFilesFor(dir, resolve(file)) }],
        },
      };
    },
  };
}
