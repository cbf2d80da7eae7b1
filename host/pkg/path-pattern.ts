/**
 * Path patterns as setuptools' MANIFEST.in reader matches them: split on `/`,
 * a `**` component matches any number of whole components, other components
 * are fnmatch patterns whose `*` and `?` stay within one component, and the
 * pattern must match the whole path.
 */
import { globSource } from './glob.js';

/** Options of {@link pathPattern}. */
export interface PathPatternOptions {
  /**
   * Glob's rule for hidden names: a component that does not start with a
   * literal `.` (and `**`) never matches a name starting with `.`. Default: false.
   */
  readonly skipHidden?: boolean;
}

/** A predicate on relative POSIX paths for the pattern. */
export function pathPattern(pattern: string, options: PathPatternOptions = {}): (path: string) => boolean {
  const hidden = options.skipHidden ?? false;
  const chunks = pattern.split('/').filter((c, i, all) => c !== '' || i === all.length - 1);
  let source = '^';
  chunks.forEach((chunk, i) => {
    const last = i === chunks.length - 1;
    const name = hidden ? '(?!\\.)[^/]+' : '[^/]+';
    if (chunk === '**') {
      source += last ? `(?:${name}/)*${name}` : `(?:${name}/)*`;
      return;
    }
    if (hidden && !chunk.startsWith('.')) source += '(?!\\.)';
    source += globSource(chunk, true);
    if (!last) source += '/';
  });
  const re = new RegExp(`${source}$`);
  return (path) => re.test(path);
}
