/**
 * Where compiled code lives for tests that run it (worker threads, CLI
 * child processes). vitest's global setup (test/global-setup.ts) brings
 * dist/ up to date once per run; {@link ensureDist} only checks the outputs
 * a test file needs are there.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Checks that dist/ holds the given outputs (paths relative to the root).
 * @param _dirs the source directories the test file runs compiled (documentation only)
 * @throws Error naming the first missing output and how to build it
 */
export function ensureDist(_dirs: string[] = ['host'], mustExist: string[] = []): void {
  for (const rel of mustExist) {
    if (!existsSync(join(ROOT, rel))) throw new Error(`${rel} is missing: run "npm run build"`);
  }
}
