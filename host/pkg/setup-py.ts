/**
 * Reading a legacy `setup.py` without running it: the one `setup(...)` call
 * is found in the token stream and its keyword arguments are evaluated as
 * literals (py-eval.ts; module-level names bound to literals and `+` are
 * allowed, as in upip-era files: `NAME = "bisect"`, `name="micropython-" + NAME`).
 *
 * - `name` and `version` must be literal strings; `install_requires`,
 *   `packages`, `py_modules`, `package_dir` (only `{"": DIR}`) and
 *   `package_data` must be literals when present, since what ships depends
 *   on them: otherwise the error points to `mpy sdist --write-pyproject`.
 * - `description`, `author`, `author_email`, `license`, `url`,
 *   `classifiers`, `keywords`, `python_requires` are used when literal,
 *   else ignored with a warning.
 * - Every other argument is ignored, and the warnings say which and why
 *   (`cmdclass={"sdist": sdist_upip.sdist}`: mpy sdist writes that format itself).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PackagingError } from './errors.js';
import { evaluateLiteral, isDict, NotLiteral, type PyValue } from './py-eval.js';
import { PySyntaxError, type PyToken, tokenize } from './py-tokens.js';
import type { LayoutConfig, ProjectMetadata } from './pyproject.js';

/** What a static `setup.py` says. */
export interface SetupPy {
  /** Absolute path of the file. */
  readonly path: string;
  readonly metadata: ProjectMetadata;
  /** packages, py_modules, package_dir (as `root`) and package_data. */
  readonly layout: LayoutConfig;
  /** Arguments not used, each with the reason. */
  readonly ignored: readonly string[];
}

const REQUIRED = ['name', 'version'];
const CONTENT = ['install_requires', 'packages', 'py_modules', 'package_dir', 'package_data'];
const METADATA = ['description', 'author', 'author_email', 'license', 'url', 'classifiers', 'keywords', 'python_requires'];
const WHY: Record<string, string> = {
  long_description: 'PKG-INFO carries the one-line description; upip never reads the long one',
  long_description_content_type: 'PKG-INFO carries the one-line description; upip never reads the long one',
  maintainer: 'mpy sdist writes the author only',
  maintainer_email: 'mpy sdist writes the author only',
  cmdclass: 'mpy sdist writes the upip format itself (what sdist_upip did)',
  zip_safe: 'MicroPython packages are never zipped eggs',
  include_package_data: 'mpy sdist ships what package_data and MANIFEST.in select',
};

type Arg = { name: string; tokens: PyToken[]; line: number };

function statements(tokens: readonly PyToken[]): PyToken[][] {
  const out: PyToken[][] = [];
  let cur: PyToken[] = [];
  for (const t of tokens) {
    if (t.kind === 'newline') {
      if (cur.length) out.push(cur);
      cur = [];
    } else cur.push(t);
  }
  if (cur.length) out.push(cur);
  return out;
}

const isOp = (t: PyToken | undefined, op: string): boolean => t?.kind === 'op' && t.text === op;
const isName = (t: PyToken | undefined, name: string): boolean => t?.kind === 'name' && t.text === name;

/** Where `setup(` starts in a statement (`setup(`, `setuptools.setup(`, `distutils.core.setup(`), or -1. */
function setupCallAt(st: readonly PyToken[]): number {
  for (let i = 0; i + 1 < st.length; i++) {
    if (isName(st[i], 'setup') && isOp(st[i + 1], '(') && (i === 0 || isOp(st[i - 1], '.') || isOp(st[i - 1], ':'))) return i;
  }
  return -1;
}

function splitArguments(st: readonly PyToken[], open: number, rel: string): Arg[] {
  const args: Arg[] = [];
  let depth = 0;
  let cur: PyToken[] = [];
  let i = open + 1;
  for (; i < st.length; i++) {
    const t = st[i]!;
    if (t.kind === 'op' && '([{'.includes(t.text)) depth++;
    if (t.kind === 'op' && ')]}'.includes(t.text)) {
      if (depth === 0) break;
      depth--;
    }
    if (depth === 0 && isOp(t, ',')) {
      if (cur.length) args.push(toArg(cur, rel));
      cur = [];
    } else cur.push(t);
  }
  if (cur.length) args.push(toArg(cur, rel));
  if (i < st.length - 1)
    throw new PackagingError(
      'bad-setup-py',
      `${rel}:${st[i]!.line}: the setup(...) call is part of a larger expression; mpy sdist reads a plain setup(...) call only`,
    );
  return args;
}

function toArg(tokens: PyToken[], rel: string): Arg {
  const [a, b] = tokens;
  if (a?.kind === 'name' && isOp(b, '=')) return { name: a.text, tokens: tokens.slice(2), line: a.line };
  const what = isOp(a, '**') || isOp(a, '*') ? 'an unpacked argument (*/**)' : 'a positional argument';
  throw new PackagingError(
    'bad-setup-py',
    `${rel}:${a!.line}: setup() gets ${what}, which cannot be read without running setup.py. ${REWRITE}`,
  );
}

const REWRITE =
  'Write the arguments out as literals (strings, lists, dicts) and run "mpy sdist --write-pyproject" to convert the project to pyproject.toml, or write pyproject.toml yourself';

function str(v: PyValue, what: string, rel: string): string {
  if (typeof v !== 'string') throw new PackagingError('bad-setup-py', `${rel}: ${what} must be a string`);
  return v;
}

function strList(v: PyValue, what: string, rel: string): string[] {
  if (typeof v === 'string')
    return v
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter((s) => s && !s.startsWith('#'));
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw new PackagingError('bad-setup-py', `${rel}: ${what} must be a list of strings`);
  return v as string[];
}

function stringDict(v: PyValue, what: string, rel: string): Array<[string, PyValue]> {
  if (!isDict(v) || v.entries.some(([k]) => typeof k !== 'string'))
    throw new PackagingError('bad-setup-py', `${rel}: ${what} must be a dict with string keys`);
  return v.entries as Array<[string, PyValue]>;
}

/**
 * Reads `DIR/setup.py` statically.
 * @throws PackagingError `bad-setup-py` for a file it cannot read, naming the line and what to do
 */
export async function readSetupPy(dir: string): Promise<SetupPy> {
  const path = join(dir, 'setup.py');
  const rel = 'setup.py';
  const source = await readFile(path, 'utf8');
  let tokens: PyToken[];
  try {
    tokens = tokenize(source);
  } catch (err) {
    if (err instanceof PySyntaxError)
      throw new PackagingError(
        'bad-setup-py',
        `${rel}: ${err.message}; mpy sdist reads setup.py without running it and could not tokenize it`,
      );
    throw err;
  }
  const names = new Map<string, PyValue>();
  let call: { st: PyToken[]; at: number } | undefined;
  for (const st of statements(tokens)) {
    const at = setupCallAt(st);
    if (at >= 0) {
      if (call)
        throw new PackagingError(
          'bad-setup-py',
          `${rel}:${st[at]!.line}: a second setup(...) call (the first is on line ${call.st[call.at]!.line}); which one runs depends on running the file. ${REWRITE}`,
        );
      call = { st, at };
      continue;
    }
    // Module-level `NAME = literal` bindings, in order; a rebinding to anything else forgets the name.
    if (st[0]!.col === 0 && st[0]!.kind === 'name' && isOp(st[1], '=')) {
      try {
        names.set(st[0]!.text, evaluateLiteral(st.slice(2), source, names));
      } catch {
        names.delete(st[0]!.text);
      }
    }
  }
  if (!call) throw new PackagingError('bad-setup-py', `${rel}: no setup(...) call found. ${REWRITE}`);
  const values = new Map<string, PyValue>();
  const ignored: string[] = [];
  for (const arg of splitArguments(call.st, call.at + 1, rel)) {
    const used = REQUIRED.includes(arg.name) || CONTENT.includes(arg.name) || METADATA.includes(arg.name);
    let value: PyValue;
    try {
      value = evaluateLiteral(arg.tokens, source, names);
    } catch (err) {
      if (!(err instanceof NotLiteral)) throw err;
      if (REQUIRED.includes(arg.name) || CONTENT.includes(arg.name)) {
        throw new PackagingError(
          'bad-setup-py',
          `${rel}:${arg.line}: ${arg.name}=${err.source} cannot be read without running setup.py (mpy sdist never runs it). ${REWRITE}`,
        );
      }
      ignored.push(
        `${arg.name}=${err.source.length > 40 ? `${err.source.slice(0, 40)}…` : err.source} (line ${arg.line}): not a literal${used ? '' : `, and ${WHY[arg.name] ?? 'not used for MicroPython distribution packages'}`}`,
      );
      continue;
    }
    if (!used) {
      ignored.push(`${arg.name} (line ${arg.line}): ${WHY[arg.name] ?? 'not used for MicroPython distribution packages'}`);
      continue;
    }
    values.set(arg.name, value);
  }
  for (const r of REQUIRED) if (!values.has(r)) throw new PackagingError('missing-metadata', `${rel}: setup() has no ${r}=`);
  const get = <T>(key: string, conv: (v: PyValue, what: string, rel: string) => T): T | undefined =>
    values.has(key) ? conv(values.get(key)!, key, rel) : undefined;
  let root = '';
  for (const [pkg, d] of get('package_dir', stringDict) ?? []) {
    if (pkg !== '' || typeof d !== 'string') {
      throw new PackagingError(
        'bad-setup-py',
        `${rel}: package_dir maps ${JSON.stringify(pkg)} to ${JSON.stringify(d)}; mpy sdist supports only {"": "src"} (or {"": ""}). Move the package, or write pyproject.toml`,
      );
    }
    root = d.replace(/^\.\/?/, '').replace(/\/+$/, '');
    if (root !== '' && root !== 'src') {
      throw new PackagingError(
        'bad-setup-py',
        `${rel}: package_dir={"": ${JSON.stringify(d)}}: mpy sdist supports only {"": "src"} (or {"": ""}). Move the modules into src/`,
      );
    }
  }
  const packageData = new Map<string, string[]>();
  for (const [pkg, globs] of get('package_data', stringDict) ?? [])
    packageData.set(pkg, strList(globs, `package_data[${JSON.stringify(pkg)}]`, rel));
  const author = get('author', str);
  const email = get('author_email', str);
  const url = get('url', str);
  const keywords = values.get('keywords');
  const metadata: ProjectMetadata = {
    name: str(values.get('name')!, 'name', rel),
    version: str(values.get('version')!, 'version', rel),
    description: get('description', str) ?? '',
    dependencies: get('install_requires', strList) ?? [],
    license: get('license', str),
    authors: author || email ? [{ name: author, email }] : [],
    requiresPython: get('python_requires', str),
    keywords: typeof keywords === 'string' ? keywords.split(/[\s,]+/).filter(Boolean) : (get('keywords', strList) ?? []),
    classifiers: get('classifiers', strList) ?? [],
    urls: url ? { Homepage: url } : {},
  };
  const layout: LayoutConfig = {
    pyModules: get('py_modules', strList),
    packages: get('packages', strList),
    source: 'setup.py',
    root,
    packageData,
  };
  return { path, metadata, layout, ignored };
}
