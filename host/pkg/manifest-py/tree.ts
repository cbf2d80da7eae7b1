/**
 * A tree of packages described by `manifest.py` files, as in a
 * micropython-lib checkout: every directory holding a `manifest.py` (found
 * recursively; hidden directories and `node_modules` are skipped) is a
 * package named after the directory. The first manifest of a name in path
 * order wins; a later one is reported and skipped.
 *
 * Resolving a package follows the manifest API of MicroPython's
 * `tools/manifestfile.py`: `metadata(version=, description=, license=,
 * author=)`, `module(file, base_path=, opt=)`, `package(name, files=,
 * base_path=, opt=)` (every `.py` below it, or the files listed, which may
 * also be data files), `include(path, **options)` (a manifest file or a
 * directory holding one; each included once), `options` (with
 * `options.defaults(...)`), `add_library(name, path)`, and `require(name)`:
 * a package found in the tree (or a library) has its files included, as
 * micropython-lib's index builder does; any other name is recorded as a
 * dependency to install from the index. `$(MPY_LIB_DIR)` is the tree root.
 * Every path must stay inside the tree.
 *
 * @module
 */
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { type ManifestCall, ManifestError, type ManifestEvaluator, type ManifestMetadata } from './evaluate.js';

/** One file a package installs. */
interface ManifestFile {
  /** Absolute path of the source file. */
  readonly source: string;
  /** Path below the install target, `/`-separated. */
  readonly target: string;
  /** mpy-cross optimisation level, when the manifest gave one. */
  readonly opt: number | undefined;
}

/** A resolved package. */
export interface ManifestPackage {
  /** The package name: its directory's name. */
  readonly name: string;
  /** Its manifest.py (absolute). */
  readonly manifest: string;
  /** Its directory relative to the tree root, `/`-separated. */
  readonly path: string;
  readonly metadata: ManifestMetadata;
  /** Its files and those of every package it requires from the tree, by target path. */
  readonly files: readonly ManifestFile[];
  /** Required names not found in the tree, in order. */
  readonly deps: readonly string[];
}

/** The packages of a tree. */
export interface ManifestTree {
  /** Absolute tree root. */
  readonly root: string;
  /** Packages by name, in path order. */
  readonly packages: ReadonlyMap<string, ManifestPackage>;
  /** Manifests skipped, and why. */
  readonly problems: readonly string[];
}

const SKIP_DIRS = new Set(['node_modules', '__pycache__']);

/** Every `manifest.py` below `root`, sorted by relative path. */
async function findManifests(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      if (e.isFile() && e.name === 'manifest.py') out.push(join(dir, e.name));
      else if (e.isDirectory() && !e.name.startsWith('.') && !SKIP_DIRS.has(e.name)) await walk(join(dir, e.name));
    }
  };
  await walk(root);
  return out.sort((a, b) => (relative(root, a) < relative(root, b) ? -1 : 1));
}

/** Whether a directory holds any `manifest.py` (stops at the first). */
export async function hasManifests(root: string): Promise<boolean> {
  return (await findManifests(root)).length > 0;
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}

interface Resolution {
  readonly visited: Set<string>;
  readonly files: Map<string, ManifestFile>;
  readonly deps: string[];
  metadata: ManifestMetadata;
  readonly libraries: Map<string, string>;
}

const NO_METADATA: ManifestMetadata = { version: null, description: null, license: null, author: null };

/** Reads the packages of a tree. */
export class ManifestTreeReader {
  readonly #root: string;
  readonly #evaluator: ManifestEvaluator;
  readonly #byName = new Map<string, string>();
  readonly #calls = new Map<string, ManifestCall[]>();

  private constructor(root: string, evaluator: ManifestEvaluator) {
    this.#root = root;
    this.#evaluator = evaluator;
  }

  /**
   * Finds and resolves every package of the tree at `root`.
   * @throws ManifestError when a manifest fails, names a missing file or leaves the tree
   */
  static async read(root: string, evaluator: ManifestEvaluator): Promise<ManifestTree> {
    const real = await realpath(resolve(root));
    const reader = new ManifestTreeReader(real, evaluator);
    const problems: string[] = [];
    for (const manifest of await findManifests(real)) {
      const name = basename(dirname(manifest));
      const first = reader.#byName.get(name);
      if (first) problems.push(`${relative(real, manifest)}: package ${name} is already defined by ${relative(real, first)}; skipped`);
      else reader.#byName.set(name, manifest);
    }
    const packages = new Map<string, ManifestPackage>();
    for (const [name, manifest] of reader.#byName) packages.set(name, await reader.#resolve(name, manifest));
    return { root: real, packages, problems };
  }

  async #resolve(name: string, manifest: string): Promise<ManifestPackage> {
    const r: Resolution = { visited: new Set(), files: new Map(), deps: [], metadata: NO_METADATA, libraries: new Map() };
    await this.#include(manifest, {}, r, true);
    return {
      name,
      manifest,
      path: toPosix(relative(this.#root, dirname(manifest))),
      metadata: r.metadata,
      files: [...r.files.values()],
      deps: r.deps,
    };
  }

  #inside(path: string, from: string): string {
    const abs = resolve(path);
    if (abs !== this.#root && !abs.startsWith(this.#root + sep)) {
      throw new ManifestError(`${from}: ${path} is outside the package tree ${this.#root}`);
    }
    return abs;
  }

  #path(from: string, p: string): string {
    const expanded = p.replace(/\$\(MPY_LIB_DIR\)/g, this.#root);
    const unknown = /\$\(([^)]*)\)/.exec(expanded);
    if (unknown)
      throw new ManifestError(`${from}: unknown path variable $(${unknown[1]}) in ${JSON.stringify(p)}; only $(MPY_LIB_DIR) is defined`);
    return this.#inside(isAbsolute(expanded) ? expanded : join(dirname(from), expanded), from);
  }

  async #callsOf(manifest: string, options: Record<string, unknown>): Promise<ManifestCall[]> {
    const key = `${manifest}\0${JSON.stringify(options)}`;
    let calls = this.#calls.get(key);
    if (!calls) {
      let source: string;
      try {
        source = await readFile(manifest, 'utf8');
      } catch (err) {
        throw new ManifestError(`cannot read ${manifest}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      calls = await this.#evaluator.evaluate(relative(this.#root, manifest) || manifest, source, options);
      this.#calls.set(key, calls);
    }
    return calls;
  }

  async #include(manifest: string, options: Record<string, unknown>, r: Resolution, ownMetadata: boolean): Promise<void> {
    const real = this.#inside(await realpath(manifest).catch(() => manifest), manifest);
    if (r.visited.has(real)) return;
    r.visited.add(real);
    for (const call of await this.#callsOf(real, options)) {
      switch (call[0]) {
        case 'metadata':
          if (ownMetadata) r.metadata = { ...r.metadata, ...Object.fromEntries(Object.entries(call[1]).filter(([, v]) => v !== null)) };
          break;
        case 'include':
          for (const p of call[1]) {
            let target = this.#path(real, p);
            if ((await stat(target).catch(() => undefined))?.isDirectory()) target = join(target, 'manifest.py');
            await this.#include(target, call[2], r, ownMetadata);
          }
          break;
        case 'require': {
          const found = await this.#find(call[1], call[2], r, real);
          if (found) await this.#include(found, call[3], r, false);
          else if (!r.deps.includes(call[1])) r.deps.push(call[1]);
          break;
        }
        case 'add_library':
          r.libraries.set(call[1], this.#path(real, call[2]));
          break;
        case 'module': {
          const [, path, base, opt] = call;
          if (!path.endsWith('.py')) throw new ManifestError(`${real}: module(${JSON.stringify(path)}) must name a .py file`);
          await this.#addFile(r, real, join(this.#path(real, base), path), path, opt);
          break;
        }
        case 'package': {
          const [, pkg, files, base, opt] = call;
          const baseDir = this.#path(real, base);
          if (files) {
            for (const f of files) await this.#addFile(r, real, join(baseDir, pkg, f), `${pkg}/${f}`, opt);
          } else {
            const top = join(baseDir, pkg);
            if (!(await stat(top).catch(() => undefined))?.isDirectory())
              throw new ManifestError(`${real}: package(${JSON.stringify(pkg)}): no directory ${top}`);
            for (const f of await pyFilesBelow(top)) await this.#addFile(r, real, join(top, f), `${pkg}/${f}`, opt);
          }
          break;
        }
      }
    }
  }

  async #find(name: string, library: string | null, r: Resolution, from: string): Promise<string | undefined> {
    if (library !== null) {
      const dir = r.libraries.get(library);
      if (dir === undefined)
        throw new ManifestError(
          `${from}: require(${JSON.stringify(name)}, library=${JSON.stringify(library)}): no add_library(${JSON.stringify(library)}) before it`,
        );
      return (await findManifests(dir)).find((m) => basename(dirname(m)) === name);
    }
    const inTree = this.#byName.get(name);
    if (inTree) return inTree;
    for (const dir of r.libraries.values()) {
      const m = (await findManifests(dir)).find((f) => basename(dirname(f)) === name);
      if (m) return m;
    }
    return undefined;
  }

  async #addFile(r: Resolution, from: string, source: string, target: string, opt: number | null): Promise<void> {
    const t = toPosix(target).replace(/^(\.\/)+/, '');
    if (t === '' || t.startsWith('/') || t.split('/').some((s) => s === '..' || s === '.' || s === '')) {
      throw new ManifestError(`${from}: ${JSON.stringify(target)} is not a relative install path`);
    }
    const abs = this.#inside(source, from);
    const s = await stat(abs).catch(() => undefined);
    if (!s?.isFile()) throw new ManifestError(`${from}: ${relative(this.#root, abs)} does not exist (named as ${t})`);
    const real = this.#inside(await realpath(abs), from);
    const prev = r.files.get(t);
    if (prev && prev.source !== real)
      throw new ManifestError(`${from}: ${t} is named twice, from ${relative(this.#root, prev.source)} and ${relative(this.#root, real)}`);
    if (opt !== null && (!Number.isInteger(opt) || opt < 0 || opt > 3)) throw new ManifestError(`${from}: opt=${opt} for ${t}: use 0 to 3`);
    r.files.set(t, { source: real, target: t, opt: opt ?? undefined });
  }
}

async function pyFilesBelow(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(join(dir, rel), { withFileTypes: true });
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory() && !e.name.startsWith('.') && e.name !== '__pycache__') out.push(...(await pyFilesBelow(dir, r)));
    else if (e.isFile() && e.name.endsWith('.py')) out.push(r);
  }
  return out;
}
