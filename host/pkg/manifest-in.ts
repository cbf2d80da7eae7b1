/**
 * MANIFEST.in, read and applied as setuptools does: `include`, `exclude`,
 * `recursive-include`, `recursive-exclude`, `global-include`,
 * `global-exclude`, `graft` and `prune`, in order, over the project's files.
 * `#` starts a comment (`\#` is a literal `#`), a line ending in `\`
 * continues on the next, and arguments are separated by white space.
 */
import { PackagingError } from './errors.js';
import { pathPattern } from './path-pattern.js';

/** A MANIFEST.in command name. */
type ManifestAction =
  | 'include'
  | 'exclude'
  | 'global-include'
  | 'global-exclude'
  | 'recursive-include'
  | 'recursive-exclude'
  | 'graft'
  | 'prune';

/** One parsed MANIFEST.in line. */
export interface ManifestCommand {
  /** The command. */
  readonly action: ManifestAction;
  /** The directory pattern of `recursive-*`, `graft` and `prune`; else undefined. */
  readonly dir: string | undefined;
  /** The file patterns (empty for `graft` and `prune`). */
  readonly patterns: readonly string[];
  /** 1-based line the command starts on. */
  readonly line: number;
}

const ARITY: Record<ManifestAction, 'patterns' | 'dir-patterns' | 'dir'> = {
  include: 'patterns',
  exclude: 'patterns',
  'global-include': 'patterns',
  'global-exclude': 'patterns',
  'recursive-include': 'dir-patterns',
  'recursive-exclude': 'dir-patterns',
  graft: 'dir',
  prune: 'dir',
};

const USAGE = {
  patterns: '<pattern1> <pattern2> ...',
  'dir-patterns': '<dir> <pattern1> <pattern2> ...',
  dir: 'a single <dir>',
};

function logicalLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    // Strip a comment: an unescaped '#' to the end of the line.
    let line = raw.replace(/(^|[^\\])#.*$/, '$1').replace(/\\#/g, '#');
    const continued = /\\\s*$/.test(line);
    if (continued) line = line.replace(/\\\s*$/, '');
    if (pending) pending.text += ` ${line.trim()}`;
    else pending = { text: line.trim(), line: index + 1 };
    if (!continued) {
      if (pending.text.trim() !== '') out.push({ text: pending.text.trim(), line: pending.line });
      pending = undefined;
    }
  });
  if (pending && pending.text.trim() !== '') out.push({ text: pending.text.trim(), line: pending.line });
  return out;
}

/**
 * Parses MANIFEST.in text into commands.
 * @param fileName used in error messages. Default: `MANIFEST.in`.
 * @throws PackagingError (`manifest`) `FILE:LINE: ...` for an unknown command or wrong arguments
 */
export function parseManifestIn(text: string, fileName = 'MANIFEST.in'): ManifestCommand[] {
  return logicalLines(text).map(({ text: body, line }) => {
    const [word, ...args] = body.split(/\s+/);
    const action = word as ManifestAction;
    const fail = (why: string): never => {
      throw new PackagingError('manifest', `${fileName}:${line}: ${why}: ${body}`);
    };
    if (!Object.hasOwn(ARITY, action)) fail(`unknown command ${JSON.stringify(word)}`);
    const arity = ARITY[action];
    const clean = args.map((a) => (a.length > 1 ? a.replace(/\/+$/, '') : a));
    if (arity === 'patterns') {
      if (clean.length < 1) fail(`'${action}' expects ${USAGE[arity]}`);
      return { action, dir: undefined, patterns: clean, line };
    }
    if (arity === 'dir-patterns') {
      if (clean.length < 2) fail(`'${action}' expects ${USAGE[arity]}`);
      return { action, dir: clean[0]!, patterns: clean.slice(1), line };
    }
    if (clean.length !== 1) fail(`'${action}' expects ${USAGE[arity]}`);
    return { action, dir: clean[0]!, patterns: [], line };
  });
}

/** What applying a manifest gave. */
export interface ManifestResult {
  /** The selected files, relative POSIX paths, sorted. */
  readonly files: string[];
  /** setuptools-style warnings for commands that matched nothing (`FILE:LINE: ...`). */
  readonly warnings: string[];
}

function join(dir: string, rest: string): string {
  return dir === '.' || dir === '' ? rest : `${dir}/${rest}`;
}

/**
 * Applies `commands` in order.
 * @param allFiles every file of the project (relative POSIX paths), what include-type commands choose from
 * @param initial the files selected before the manifest is read (modules and packages)
 * @param fileName used in warnings. Default: `MANIFEST.in`.
 */
export function applyManifest(
  commands: readonly ManifestCommand[],
  allFiles: readonly string[],
  initial: readonly string[],
  fileName = 'MANIFEST.in',
): ManifestResult {
  const selected = new Set(initial);
  const warnings: string[] = [];
  const include = (test: (p: string) => boolean): boolean => {
    let found = false;
    for (const f of allFiles) {
      if (!test(f)) continue;
      selected.add(f);
      found = true;
    }
    return found;
  };
  const exclude = (test: (p: string) => boolean): boolean => {
    let found = false;
    for (const f of [...selected]) {
      if (!test(f)) continue;
      selected.delete(f);
      found = true;
    }
    return found;
  };
  for (const c of commands) {
    const warn = (msg: string): void => void warnings.push(`${fileName}:${c.line}: warning: ${msg}`);
    const dir = c.dir ?? '';
    switch (c.action) {
      case 'include':
        for (const p of c.patterns) if (!include(pathPattern(p, { skipHidden: true }))) warn(`no files found matching '${p}'`);
        break;
      case 'exclude':
        for (const p of c.patterns) if (!exclude(pathPattern(p))) warn(`no previously-included files found matching '${p}'`);
        break;
      case 'recursive-include':
        for (const p of c.patterns) {
          if (!include(pathPattern(join(dir, `**/${p}`), { skipHidden: true })))
            warn(`no files found matching '${p}' under directory '${dir}'`);
        }
        break;
      case 'recursive-exclude':
        for (const p of c.patterns) {
          if (!exclude(pathPattern(join(dir, `**/${p}`))))
            warn(`no previously-included files matching '${p}' found under directory '${dir}'`);
        }
        break;
      case 'global-include':
        for (const p of c.patterns) if (!include(pathPattern(`**/${p}`))) warn(`no files found matching '${p}' anywhere in distribution`);
        break;
      case 'global-exclude':
        for (const p of c.patterns) {
          if (!exclude(pathPattern(`**/${p}`))) warn(`no previously-included files matching '${p}' found anywhere in distribution`);
        }
        break;
      case 'graft': {
        const inDir = pathPattern(`${dir}/**`);
        const dirOk = pathPattern(dir, { skipHidden: true });
        const depth = dir.includes('**') ? 0 : dir.split('/').length;
        const under = (f: string): boolean => inDir(f) && (depth === 0 || dirOk(f.split('/').slice(0, depth).join('/')));
        if (!include(dir === '.' ? () => true : under)) warn(`no directories found matching '${dir}'`);
        break;
      }
      case 'prune':
        if (!exclude(dir === '.' ? () => true : pathPattern(`${dir}/**`)))
          warn(`no previously-included directories found matching '${dir}'`);
        break;
    }
  }
  return { files: [...selected].sort(), warnings };
}
