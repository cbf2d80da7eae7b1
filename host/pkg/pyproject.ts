/**
 * Reading `pyproject.toml`: the `[project]` metadata (PEP 621) a
 * distribution package needs, and the module layout overrides under
 * `[tool.mpy]` (or, failing that, the list forms of `[tool.setuptools]`).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { PackagingError } from './errors.js';

/** One entry of `[project] authors`. */
interface ProjectAuthor {
  /** The author's name, if given. */
  readonly name: string | undefined;
  /** The author's e-mail address, if given. */
  readonly email: string | undefined;
}

/** The `[project]` fields a distribution package carries. */
export interface ProjectMetadata {
  /** Distribution name, as written. */
  readonly name: string;
  /** Version, as written. */
  readonly version: string;
  /** One-line summary (`description`); empty when absent. */
  readonly description: string;
  /** PEP 508 requirement strings (`dependencies`); empty when absent. */
  readonly dependencies: readonly string[];
  /** License text or SPDX expression; undefined when absent. */
  readonly license: string | undefined;
  /** Authors; empty when absent. */
  readonly authors: readonly ProjectAuthor[];
  /** `requires-python`, if given. */
  readonly requiresPython: string | undefined;
  /** Keywords; empty when absent. */
  readonly keywords: readonly string[];
  /** Trove classifiers; empty when absent. */
  readonly classifiers: readonly string[];
  /** `[project.urls]`; empty when absent. */
  readonly urls: Readonly<Record<string, string>>;
}

/** Explicit module layout; undefined fields mean "discover automatically". */
export interface LayoutConfig {
  /** Top-level module names (`py-modules`). */
  readonly pyModules: readonly string[] | undefined;
  /** Dotted package names (`packages`). */
  readonly packages: readonly string[] | undefined;
  /** Which table they came from, for messages. */
  readonly source: '[tool.mpy]' | '[tool.setuptools]' | 'setup.py' | undefined;
  /** The module root when given (setup.py's `package_dir={"": DIR}`): `''` or `'src'`; undefined: `src` when it exists. */
  readonly root?: string;
  /** Non-Python files to ship per dotted package (`''`: every listed package): glob patterns relative to the package directory. */
  readonly packageData?: ReadonlyMap<string, readonly string[]>;
}

/** A read pyproject.toml. */
export interface Pyproject {
  /** Absolute path of the file. */
  readonly path: string;
  /** The `[project]` metadata. */
  readonly metadata: ProjectMetadata;
  /** Module layout overrides. */
  readonly layout: LayoutConfig;
}

type Table = Record<string, unknown>;

const NAME_RE = /^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$/;

function isTable(v: unknown): v is Table {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function stringList(value: unknown, what: string, file: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new PackagingError('bad-pyproject', `${file}: ${what} must be a list of strings`);
  }
  return value as string[];
}

function optionalString(value: unknown, what: string, file: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new PackagingError('bad-pyproject', `${file}: ${what} must be a string`);
  return value;
}

async function readLicense(value: unknown, dir: string, file: string): Promise<string | undefined> {
  if (value === undefined || typeof value === 'string') return value;
  if (isTable(value) && typeof value.text === 'string') return value.text;
  if (isTable(value) && typeof value.file === 'string') {
    try {
      return await readFile(join(dir, value.file), 'utf8');
    } catch {
      throw new PackagingError('bad-pyproject', `${file}: [project] license file ${JSON.stringify(value.file)} cannot be read`);
    }
  }
  throw new PackagingError('bad-pyproject', `${file}: [project] license must be a string, {text = ...} or {file = ...}`);
}

function readAuthors(value: unknown, file: string): ProjectAuthor[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isTable)) {
    throw new PackagingError('bad-pyproject', `${file}: [project] authors must be a list of {name = ..., email = ...} tables`);
  }
  return value.map((a) => ({ name: optionalString(a.name, 'author name', file), email: optionalString(a.email, 'author email', file) }));
}

function readPackageData(value: unknown, what: string, file: string): Map<string, string[]> | undefined {
  if (value === undefined) return undefined;
  if (!isTable(value)) throw new PackagingError('bad-pyproject', `${file}: ${what} must be a table of package = [patterns]`);
  return new Map(Object.entries(value).map(([pkg, globs]) => [pkg === '*' ? '' : pkg, stringList(globs, `${what}.${pkg}`, file)!]));
}

function readLayout(tool: Table, file: string): LayoutConfig {
  for (const source of ['mpy', 'setuptools'] as const) {
    const t = tool[source];
    if (!isTable(t)) continue;
    const label = `[tool.${source}]` as const;
    const rawPackages = t.packages;
    if (source === 'setuptools' && rawPackages !== undefined && !Array.isArray(rawPackages)) {
      throw new PackagingError(
        'bad-pyproject',
        `${file}: [tool.setuptools] packages must be a list here (find directives are not supported); list them under [tool.mpy] packages`,
      );
    }
    const pyModules = stringList(t['py-modules'], `${label} py-modules`, file);
    const packages = stringList(rawPackages, `${label} packages`, file);
    const packageData = readPackageData(t['package-data'], `${label} package-data`, file);
    if (pyModules !== undefined || packages !== undefined || packageData) return { pyModules, packages, source: label, packageData };
  }
  return { pyModules: undefined, packages: undefined, source: undefined };
}

/**
 * Reads `DIR/pyproject.toml`.
 * @throws PackagingError: `no-pyproject` when the file is missing, `bad-pyproject` for bad TOML
 *   or a field of the wrong type, `missing-metadata` when `[project]`, `name` or `version` is missing
 */
export async function readPyproject(dir: string): Promise<Pyproject> {
  const path = join(dir, 'pyproject.toml');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new PackagingError(
      'no-pyproject',
      `no pyproject.toml in ${dir}: mpy sdist reads the package name, version and dependencies from it`,
    );
  }
  let doc: Table;
  try {
    doc = parse(text) as Table;
  } catch (err) {
    const why = err instanceof TomlError ? err.message.split('\n')[0] : String(err);
    throw new PackagingError('bad-pyproject', `${path}: not valid TOML: ${why}`);
  }
  const project = doc.project;
  if (!isTable(project))
    throw new PackagingError('missing-metadata', `${path}: no [project] table (it must give at least name and version)`);
  const dynamic = stringList(project.dynamic, '[project] dynamic', path) ?? [];
  const name = optionalString(project.name, '[project] name', path);
  if (!name) throw new PackagingError('missing-metadata', `${path}: [project] name is missing`);
  if (!NAME_RE.test(name))
    throw new PackagingError('bad-pyproject', `${path}: [project] name ${JSON.stringify(name)} is not a valid distribution name`);
  const version = optionalString(project.version, '[project] version', path);
  if (!version) {
    const why = dynamic.includes('version') ? ' (a dynamic version is not supported: write it in [project] version)' : '';
    throw new PackagingError('missing-metadata', `${path}: [project] version is missing${why}`);
  }
  if (/[\s/\\]/.test(version))
    throw new PackagingError('bad-pyproject', `${path}: [project] version ${JSON.stringify(version)} is not a valid version`);
  const urls = project.urls;
  if (urls !== undefined && (!isTable(urls) || Object.values(urls).some((u) => typeof u !== 'string'))) {
    throw new PackagingError('bad-pyproject', `${path}: [project.urls] must map labels to URL strings`);
  }
  const metadata: ProjectMetadata = {
    name,
    version,
    description: optionalString(project.description, '[project] description', path) ?? '',
    dependencies: stringList(project.dependencies, '[project] dependencies', path) ?? [],
    license: await readLicense(project.license, dir, path),
    authors: readAuthors(project.authors, path),
    requiresPython: optionalString(project['requires-python'], '[project] requires-python', path),
    keywords: stringList(project.keywords, '[project] keywords', path) ?? [],
    classifiers: stringList(project.classifiers, '[project] classifiers', path) ?? [],
    urls: (urls as Record<string, string> | undefined) ?? {},
  };
  const tool = isTable(doc.tool) ? doc.tool : {};
  return { path, metadata, layout: readLayout(tool, path) };
}
