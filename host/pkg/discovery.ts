/**
 * Which modules and packages a project ships, found as setuptools' automatic
 * discovery finds them (over the project's file list, so it is a pure
 * function):
 *
 * - src-layout (a `src/` directory): every directory below `src/` is a
 *   package (PEP 420), every `src/*.py` with an identifier name a module.
 * - flat-layout: directories of the project root whose dotted names are
 *   identifiers and not reserved (`tests`, `docs`, `build`, `dist`, hidden,
 *   ..., and `node_modules`, which setuptools does not know) and that hold
 *   a `.py` file somewhere below (setuptools counts any directory) are packages;
 *   only if there are none, root `*.py` files that are not reserved
 *   (`setup`, `conftest`, ...) are modules. More than one top-level package,
 *   or module, is refused as setuptools refuses it.
 * - explicit: `packages` / `py-modules` from `[tool.mpy]`, looked up under
 *   `src/` when that exists, else the root.
 */
import { PackagingError } from './errors.js';
import { fnmatchCase } from './glob.js';
import type { LayoutConfig } from './pyproject.js';

/** Where the modules are and which ones ship. */
export interface ModuleLayout {
  /** How they were found. */
  readonly kind: 'src' | 'flat' | 'explicit';
  /** Directory holding the top-level modules and packages, relative to the project: `''` or `'src'`. */
  readonly root: string;
  /** Dotted package names, sorted. */
  readonly packages: readonly string[];
  /** Top-level module names, sorted. */
  readonly modules: readonly string[];
}

const FLAT_PACKAGE_RESERVED = [
  'ci',
  'bin',
  'debian',
  'doc',
  'docs',
  'documentation',
  'manpages',
  'news',
  'newsfragments',
  'changelog',
  'test',
  'tests',
  'unit_test',
  'unit_tests',
  'example',
  'examples',
  'scripts',
  'tools',
  'util',
  'utils',
  'python',
  'build',
  'dist',
  'venv',
  'env',
  'requirements',
  'tasks',
  'fabfile',
  'site_scons',
  'benchmark',
  'benchmarks',
  'exercise',
  'exercises',
  'htmlcov',
  '[._]*',
  'ez_setup',
  '*__pycache__',
  'node_modules',
];

const FLAT_MODULE_RESERVED = [
  'setup',
  'conftest',
  'test',
  'tests',
  'example',
  'examples',
  'build',
  'toxfile',
  'noxfile',
  'pavement',
  'dodo',
  'tasks',
  'fabfile',
  '[Ss][Cc]onstruct',
  'conanfile',
  'manage',
  'benchmark',
  'benchmarks',
  'exercise',
  'exercises',
  '[._]*',
];

const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_]*$/u;

function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** Every directory holding a file, relative to the project, without the root itself. */
function directoriesOf(files: readonly string[]): Set<string> {
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return dirs;
}

function under(root: string, path: string): string | undefined {
  if (root === '') return path;
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : undefined;
}

/** Dotted names of the directories below `root` that PEP 420 discovery accepts. */
function packageDirs(
  files: readonly string[],
  root: string,
  accept: (dotted: string) => boolean,
  prune: (dotted: string) => boolean,
): string[] {
  const found: string[] = [];
  const rejected = new Set<string>();
  for (const dir of [...directoriesOf(files)].sort()) {
    const rel = under(root, dir);
    if (rel === undefined) continue;
    const parts = rel.split('/');
    const parent = parts.slice(0, -1).join('.');
    if (parts.length > 1 && rejected.has(parent)) {
      rejected.add(parts.join('.'));
      continue;
    }
    const dotted = parts.join('.');
    if (!parts.every(isIdentifier) || prune(dotted)) {
      rejected.add(dotted);
      continue;
    }
    if (accept(dotted)) found.push(dotted);
  }
  return found;
}

function topLevelModules(files: readonly string[], root: string, reserved: readonly string[]): string[] {
  return files
    .map((f) => under(root, f))
    .filter((f): f is string => f !== undefined && !f.includes('/') && f.endsWith('.py'))
    .map((f) => f.slice(0, -3))
    .filter((m) => isIdentifier(m) && !reserved.some((p) => fnmatchCase(m, p)))
    .sort();
}

function refuseMany(kind: string, found: readonly string[]): void {
  if (found.length > 1) {
    throw new PackagingError(
      'discovery',
      `multiple top-level ${kind} found in a flat layout: ${found.join(', ')}. List what ships in pyproject.toml under [tool.mpy] ` +
        `(py-modules = [...], packages = [...]) or move the code into src/`,
    );
  }
}

function explicitLayout(files: readonly string[], config: LayoutConfig, root: string): ModuleLayout {
  const dirs = directoriesOf(files);
  const at = (p: string): string => (root ? `${root}/${p}` : p);
  for (const pkg of config.packages ?? []) {
    if (!pkg.split('.').every(isIdentifier))
      throw new PackagingError('discovery', `${config.source} packages: ${JSON.stringify(pkg)} is not a dotted package name`);
    if (!dirs.has(at(pkg.replace(/\./g, '/')))) {
      throw new PackagingError('discovery', `${config.source} packages: no directory ${at(pkg.replace(/\./g, '/'))} for package ${pkg}`);
    }
  }
  for (const mod of config.pyModules ?? []) {
    if (!isIdentifier(mod))
      throw new PackagingError('discovery', `${config.source} py-modules: ${JSON.stringify(mod)} is not a module name`);
    if (!files.includes(at(`${mod}.py`)))
      throw new PackagingError('discovery', `${config.source} py-modules: no file ${at(`${mod}.py`)} for module ${mod}`);
  }
  return { kind: 'explicit', root, packages: [...(config.packages ?? [])].sort(), modules: [...(config.pyModules ?? [])].sort() };
}

/**
 * Finds the modules and packages of a project.
 * @param files every file of the project (relative POSIX paths)
 * @param config explicit lists from pyproject.toml, if any
 * @throws PackagingError (`discovery`) for an ambiguous flat layout or an explicit name with no file
 */
export function discoverLayout(files: readonly string[], config: LayoutConfig): ModuleLayout {
  const hasSrc = config.root === undefined ? files.some((f) => f.startsWith('src/')) : config.root === 'src';
  const root = hasSrc ? 'src' : '';
  if (config.packages !== undefined || config.pyModules !== undefined) return explicitLayout(files, config, root);
  if (hasSrc) {
    const packages = packageDirs(
      files,
      'src',
      (d) => !fnmatchCase(d, '*__pycache__'),
      () => false,
    );
    return { kind: 'src', root, packages, modules: topLevelModules(files, 'src', []) };
  }
  const reserved = FLAT_PACKAGE_RESERVED.flatMap((p) => [p, `${p}.*`]);
  const packages = packageDirs(
    files,
    '',
    (d) => !reserved.some((p) => fnmatchCase(d, p)),
    (d) => FLAT_PACKAGE_RESERVED.includes(d.split('.')[0]!) && !d.includes('.'),
  );
  // Unlike setuptools, a top-level directory with no Python file at all (an
  // output directory, assets) is not a package.
  const hasPython = (pkg: string): boolean => files.some((f) => f.startsWith(`${pkg}/`) && f.endsWith('.py'));
  const top = packages.filter((p) => !p.includes('.') && hasPython(p));
  refuseMany('packages', top);
  if (top.length === 1) return { kind: 'flat', root, packages: packages.filter((p) => p.split('.')[0] === top[0]), modules: [] };
  const modules = topLevelModules(files, '', FLAT_MODULE_RESERVED);
  refuseMany('modules', modules);
  return { kind: 'flat', root, packages: [], modules };
}
