/**
 * The resource module format `R.py`, as MicroPython's `mpy_bin2res.py` and
 * micropython-lib's `sdist_upip` wrote it: a module-level dict `R` from
 * resource path to the resource's bytes, read by
 * `pkg_resources.resource_stream()`.
 */
import { PackagingError } from './errors.js';
import { pyBytes, pyString } from '../../runtime/py-literal.js';

/** One resource of an `R.py`. */
export interface Resource {
  /** The dict key: the path `resource_stream()` is called with. */
  readonly key: string;
  /** The resource's bytes. */
  readonly data: Uint8Array;
}

/**
 * Renders an `R.py` holding `resources` in the given order, one per line.
 * @throws PackagingError (`conflict`) when two resources share a key
 */
export function renderResourceModule(resources: readonly Resource[]): string {
  const seen = new Set<string>();
  const lines = ['# Resource module written by mpy: resource path -> bytes, for pkg_resources.', 'R = {'];
  for (const { key, data } of resources) {
    if (seen.has(key)) throw new PackagingError('conflict', `resource ${JSON.stringify(key)} given twice`);
    seen.add(key);
    lines.push(`${pyString(key)}: ${pyBytes(data)},`);
  }
  lines.push('}', '');
  return lines.join('\n');
}
