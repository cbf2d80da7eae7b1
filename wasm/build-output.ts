/**
 * Finding a wasm file that `npm run build` derived from a pinned package
 * (the optimised interpreter, the optimised mpy-cross), by the manifest the
 * build wrote beside it.
 *
 * @module
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A built wasm file and its manifest. */
export interface BuildOutput<M> {
  /** Path of the wasm. */
  readonly path: string;
  /** Its manifest. */
  readonly manifest: M;
}

/** What every build manifest records about the wasm it was made from. */
export interface BuildSource {
  /** Size in bytes of the package's wasm the build started from. */
  readonly sourceBytes: number;
}

/**
 * The wasm `wasmFile` in `dir` when it and its manifest `manifestFile` are
 * there, the manifest parses, `current` accepts it (made by the current
 * transformation for the installed version) and it was made from a wasm of
 * `sourceWasm`'s size; `undefined` otherwise. Checks the manifest only, not
 * the wasm's contents: compiling it is the final check.
 */
export function findBuildOutput<M extends BuildSource>(
  dir: string,
  wasmFile: string,
  manifestFile: string,
  current: (manifest: M) => boolean,
  sourceWasm: () => string,
): BuildOutput<M> | undefined {
  const manifestPath = join(dir, manifestFile);
  const path = join(dir, wasmFile);
  if (!existsSync(manifestPath) || !existsSync(path)) return undefined;
  let manifest: M;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as M;
  } catch {
    return undefined;
  }
  if (!current(manifest) || statSync(sourceWasm()).size !== manifest.sourceBytes) return undefined;
  return { path, manifest };
}
