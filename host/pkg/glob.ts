/**
 * Shell-style patterns as Python's `fnmatch` reads them (`*`, `?`, `[seq]`,
 * `[!seq]`), translated to regular-expression source. For MANIFEST.in paths,
 * `*` and `?` do not cross `/`, as in distutils' `glob_to_re`.
 */

function escapeRegExpChar(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

/**
 * The regular-expression source (no anchors) matching what `pattern` matches.
 * @param pattern the shell-style pattern
 * @param pathAware when true, `*` and `?` never match `/` (MANIFEST.in); when false, they match anything (fnmatch)
 */
export function globSource(pattern: string, pathAware: boolean): string {
  const any = pathAware ? '[^/]' : '[\\s\\S]';
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') {
      out += `${any}*`;
    } else if (ch === '?') {
      out += any;
    } else if (ch === '[') {
      let j = i + 1;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j++;
      if (j >= pattern.length) {
        out += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, j);
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      const cls = body.replace(/\\/g, '\\\\').replace(/\]/g, '\\]').replace(/\[/g, '\\[').replace(/\^/g, '\\^');
      out += negate ? `[^${pathAware ? '/' : ''}${cls}]` : `[${cls}]`;
      i = j;
    } else {
      out += escapeRegExpChar(ch);
    }
  }
  return out;
}

/** True when `name` matches the fnmatch `pattern` as a whole (case-sensitive, `*` matches anything). */
export function fnmatchCase(name: string, pattern: string): boolean {
  return new RegExp(`^${globSource(pattern, false)}$`).test(name);
}
