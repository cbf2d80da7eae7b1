/**
 * The URL layout of an index, served live and written statically:
 *
 *   /pypi/<name>/json             project document (any spelling of the name)
 *   /pypi/<name>/<version>/json   one release
 *   /files/<filename>             a distribution package
 *
 * and index v2 (mip) at the root: /index.json, /package/<6|py>/<name>/<version>.json, /file/<h[:2]>/<h>
 */

/** What a request path asks for. */
export type Route =
  | { kind: 'project'; name: string }
  | { kind: 'release'; name: string; version: string }
  | { kind: 'file'; filename: string }
  | { kind: 'root' }
  | { kind: 'v2'; path: string }
  | { kind: 'forbidden'; reason: string }
  | { kind: 'not-found' };

/** The index prefix below the server root, as used with `-i`. */
export const INDEX_PREFIX = '/pypi';
/** The file prefix below the server root. */
const FILES_PREFIX = '/files';

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\\]/;

/** Maps a request target (path and query) to a route, refusing anything that could name a path outside the index. */
export function route(target: string): Route {
  const path = target.split(/[?#]/, 1)[0]!;
  const raw = path.split('/').slice(1);
  const segs = raw.map(decode);
  if (segs.some((s) => s === undefined)) return { kind: 'forbidden', reason: 'malformed percent-encoding' };
  const parts = segs as string[];
  if (parts.some((s) => s === '..' || s === '.' || s.includes('/') || UNSAFE.test(s))) {
    return { kind: 'forbidden', reason: 'path escapes the index' };
  }
  if (path === '/' || path === '') return { kind: 'root' };
  const [top, a, b, c, ...rest] = parts;
  if (top === 'index.json' && a === undefined) return { kind: 'v2', path: 'index.json' };
  if ((top === 'package' || top === 'file') && a) return { kind: 'v2', path: parts.join('/') };
  if (`/${top}` === FILES_PREFIX && a && b === undefined) return { kind: 'file', filename: a };
  if (`/${top}` !== INDEX_PREFIX || rest.length || !a) return { kind: 'not-found' };
  if (b === 'json' && c === undefined) return { kind: 'project', name: a };
  if (b && c === 'json') return { kind: 'release', name: a, version: b };
  return { kind: 'not-found' };
}
