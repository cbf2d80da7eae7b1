/**
 * Tests of the interpreter wasm need the optimised copy that `npm run build`
 * writes to dist/wasm; vitest's global setup (test/global-setup.ts) builds it
 * once when it is missing. {@link ensureOptimisedWasm} only checks.
 */
import { findOptimisedWasm } from '../../wasm/optimised-wasm.js';

/** Checks that dist/wasm holds an optimised wasm for the installed interpreter. */
export function ensureOptimisedWasm(): void {
  if (!findOptimisedWasm())
    throw new Error(
      'dist/wasm has no optimised interpreter wasm: run "npm run build" (or `node dist/wasm/build/main.js` to see why it is not built)',
    );
}
