/**
 * A small glob matcher for finding test files (Node 20 has no `fs.glob`):
 * `*`, `?`, `**`, `[abc]`, `[!abc]`, `{a,b}`, and `!pattern` to exclude.
 * Walking skips `node_modules` and dot-directories unless the pattern names
 * them literally.
 *
 * @module
 */
import { type Dirent, readdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

const MAGIC = /[*?[{]/;

function escapeRegExpChar(ch: string): string {
  return /[\\^$.+()|{}[\]*?/]/.test(ch) ? `\\${ch}` : ch;
}

/** Compiles a glob (with `/` separators) to an anchored RegExp over `/`-separated paths. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const atEnd = i + 2 === glob.length || glob[i + 2] === '/';
        if (atStart && atEnd) {
          if (glob[i + 2] === '/') {
            out += '(?:[^/]+/)*';
            i += 2;
          } else {
            out += '.*';
            i += 1;
          }
          continue;
        }
      }
      out += '[^/]*';
    } else if (ch === '?') {
      out += '[^/]';
    } else if (ch === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, close);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      out += `[${body.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else if (ch === '{') {
      braces++;
      out += '(?:';
    } else if (ch === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (ch === ',' && braces > 0) {
      out += '|';
    } else {
      out += escapeRegExpChar(ch);
    }
  }
  return new RegExp(`^${out}$`);
}

/** The leading directories of a glob that contain no wildcard. */
function staticBase(glob: string): string {
  const parts = glob.split('/');
  const base: string[] = [];
  for (const part of parts.slice(0, -1)) {
    if (MAGIC.test(part)) break;
    base.push(part);
  }
  return base.join('/');
}

function walk(dir: string, names: string[], allowHidden: boolean): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      if (!allowHidden && (e.name === 'node_modules' || e.name.startsWith('.'))) continue;
      walk(full, names, allowHidden);
    } else if (e.isFile() || e.isSymbolicLink()) {
      names.push(full);
    }
  }
}

/**
 * Files matching the patterns, as absolute paths, sorted.
 * @param patterns globs relative to `root` (or absolute); a leading `!` excludes
 * @param root the directory relative globs start from
 */
export function findFiles(patterns: string | readonly string[], root: string): string[] {
  const list = typeof patterns === 'string' ? [patterns] : [...patterns];
  const include = list.filter((p) => !p.startsWith('!'));
  const exclude = list.filter((p) => p.startsWith('!')).map((p) => globToRegExp(toPosix(p.slice(1))));
  const found = new Set<string>();
  for (const pattern of include) {
    const glob = toPosix(pattern).replace(/^\.\//, '');
    const base = resolve(root, staticBase(glob));
    const matcher = globToRegExp(isAbsolute(pattern) ? toPosix(relative(root, pattern)) : glob);
    const files: string[] = [];
    const allowHidden = /(^|\/)(\.|node_modules\/)/.test(glob);
    walk(base, files, allowHidden);
    for (const file of files) {
      const rel = toPosix(relative(root, file));
      if (matcher.test(rel) && !exclude.some((x) => x.test(rel))) found.add(file);
    }
  }
  return [...found].sort();
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}
