// The comparison build for the cost of collecting during a run: the same
// optimised interpreter wasm that `npm run build` makes, but without the
// in-run garbage collection and its pointer spilling (garbage collected only
// between top-level runs, as in the official build). Built once per bench run
// into a temp directory with the build step's own code.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DIST = new URL('../../dist/', import.meta.url);

/**
 * Builds the wasm without the in-run collection.
 * @returns {Promise<{path: string, remove: () => void}>} its file (an absolute
 *   path, usable as MPY_WASM) and a function removing it
 */
export async function buildNoInRunGcWasm() {
  const { optimiseInterpreterWasm } = await import(new URL('wasm/build/optimise.js', DIST).href);
  const { locateInterpreter } = await import(new URL('wasm/locate.js', DIST).href);
  const original = new Uint8Array(readFileSync(locateInterpreter().wasm));
  const { bytes } = await optimiseInterpreterWasm(original, false);
  const dir = mkdtempSync(join(tmpdir(), 'mpy-bench-wasm-'));
  const path = join(dir, 'micropython.no-inrun-gc.wasm');
  writeFileSync(path, bytes);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
