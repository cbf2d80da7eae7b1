/**
 * `mpy sdist` as a library call: a distribution package in the format upip
 * installs, built from `pyproject.toml` (or a static legacy `setup.py`,
 * see project-source.ts) without setuptools. The archive is
 * `OUTDIR/NAME-VERSION.tar.gz`: gzip with a 4 KiB window over a
 * deterministic ustar, members under `NAME-VERSION/`: the modules and
 * package files, `PKG/R.py` for packages with resources, `PKG-INFO`, and
 * `NAME.egg-info/` (`-` written `_`, as setuptools does) with `PKG-INFO` and,
 * when there are dependencies, `requires.txt`.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-write.js';
import { join, resolve } from 'node:path';
import { normalizeVersion, parseVersion } from '../index/version.js';
import { discoverLayout, type ModuleLayout } from './discovery.js';
import { PackagingError } from './errors.js';
import { gzipSmallWindow } from './gzip-writer.js';
import { applyManifest, parseManifestIn } from './manifest-in.js';
import { renderPkgInfo, renderRequiresTxt } from './pkg-info.js';
import { listProjectFiles } from './project-files.js';
import type { ProjectMetadata } from './pyproject.js';
import { packageDataFiles } from './package-data.js';
import { readProjectSource } from './project-source.js';
import { renderResourceModule } from './resource-module.js';
import { planSdist } from './sdist-plan.js';
import { type TarInput, writeTar } from './tar-writer.js';

/** Options of {@link buildSdist}. */
export interface SdistOptions {
  /** The project directory (holding pyproject.toml). Default: `process.cwd()`. */
  readonly dir?: string;
  /** Where the archive is written. Default: `DIR/dist`. */
  readonly outDir?: string;
  /** mtime of every archive member, seconds since the epoch. Default: 0. */
  readonly mtime?: number;
  /** For a setup.py-only project: write the equivalent pyproject.toml first, then build from it. Default: false. */
  readonly writePyproject?: boolean;
}

/** What {@link buildSdist} wrote. */
export interface SdistResult {
  /** Absolute path of the archive. */
  readonly archive: string;
  /** Distribution name and version, from pyproject.toml. */
  readonly name: string;
  /** The version, in PEP 440 normal form. */
  readonly version: string;
  /** How modules were found. */
  readonly layout: ModuleLayout;
  /** Every member path of the archive, in archive order (directories end in `/`). */
  readonly members: readonly string[];
  /** Packages given an R.py, with the number of resources in each. */
  readonly resourceModules: ReadonlyMap<string, number>;
  /** Things the user should know (MANIFEST.in lines that matched nothing, files not shipped, dependencies simplified). */
  readonly warnings: readonly string[];
  /** Size of the archive in bytes. */
  readonly bytes: number;
  /** Where the metadata came from. */
  readonly from: 'pyproject.toml' | 'setup.py';
  /** The pyproject.toml written (`writePyproject`). */
  readonly wrotePyproject?: string;
}

/** upip reads a member name from the 100-byte ustar name field only. */
const UPIP_NAME_LIMIT = 100;

const encoder = new TextEncoder();

/** The metadata with its version in PEP 440 normal form. @throws PackagingError for a version that is not PEP 440 */
function normalizedMetadata(meta: ProjectMetadata): ProjectMetadata {
  if (!parseVersion(meta.version).valid) {
    throw new PackagingError(
      'bad-pyproject',
      `version ${JSON.stringify(meta.version)} of ${meta.name} is not a PEP 440 version (such as 1.0, 1.0.post1, 2.0rc1); indexes and installers could not order it`,
    );
  }
  return { ...meta, version: normalizeVersion(meta.version) };
}

function eggInfoName(name: string): string {
  return `${name.replace(/-/g, '_')}.egg-info`;
}

async function selectFiles(dir: string, files: readonly string[], initial: readonly string[], warnings: string[]): Promise<string[]> {
  let manifest: string;
  try {
    manifest = await readFile(join(dir, 'MANIFEST.in'), 'utf8');
  } catch {
    return [...initial].sort();
  }
  const result = applyManifest(parseManifestIn(manifest), files, initial);
  warnings.push(...result.warnings);
  return result.files;
}

function defaultFiles(files: readonly string[], layout: ModuleLayout): string[] {
  const at = (p: string): string => (layout.root ? `${layout.root}/${p}` : p);
  const dirs = new Set(layout.packages.map((p) => at(p.replace(/\./g, '/'))));
  const modules = new Set(layout.modules.map((m) => at(`${m}.py`)));
  return files.filter((f) => {
    if (modules.has(f)) return true;
    const slash = f.lastIndexOf('/');
    return f.endsWith('.py') && slash > 0 && dirs.has(f.slice(0, slash));
  });
}

function metadataEntries(base: string, meta: ProjectMetadata, warnings: string[]): TarInput[] {
  const pkgInfo = encoder.encode(renderPkgInfo(meta));
  const egg = `${base}/${eggInfoName(meta.name)}`;
  const requires = renderRequiresTxt(meta.dependencies);
  warnings.push(...requires.warnings);
  const entries: TarInput[] = [
    { path: `${base}/PKG-INFO`, data: pkgInfo },
    { path: egg, directory: true },
    { path: `${egg}/PKG-INFO`, data: pkgInfo },
  ];
  if (requires.text !== undefined) entries.push({ path: `${egg}/requires.txt`, data: encoder.encode(requires.text) });
  return entries;
}

function withDirectories(entries: TarInput[]): TarInput[] {
  const have = new Set(entries.filter((e) => e.directory).map((e) => e.path.replace(/\/$/, '')));
  const extra: TarInput[] = [];
  for (const e of entries) {
    const parts = e.path.replace(/\/$/, '').split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!have.has(d)) {
        have.add(d);
        extra.push({ path: d, directory: true });
      }
    }
  }
  return [...entries, ...extra];
}

function checkUpipNames(entries: readonly TarInput[]): void {
  for (const e of entries) {
    const name = e.directory ? `${e.path.replace(/\/$/, '')}/` : e.path;
    const length = encoder.encode(name).length;
    if (length > UPIP_NAME_LIMIT) {
      throw new PackagingError(
        'path',
        `archive path is ${length} bytes, but upip reads at most ${UPIP_NAME_LIMIT}: ${name} (shorten the file or package names)`,
      );
    }
  }
}

/**
 * Builds `NAME-VERSION.tar.gz` for the project in `options.dir`.
 * @throws PackagingError: `no-pyproject`, `bad-pyproject`, `missing-metadata` (pyproject.toml),
 *   `discovery` (ambiguous layout), `manifest` (`MANIFEST.in:LINE: ...`), `nothing-to-ship`,
 *   `conflict` (an existing R.py), `path` (a member name too long for upip), `io`
 */
export async function buildSdist(options: SdistOptions = {}): Promise<SdistResult> {
  const dir = resolve(options.dir ?? process.cwd());
  const outDir = resolve(options.outDir ?? join(dir, 'dist'));
  const project = await readProjectSource(dir, options.writePyproject);
  const { metadata: declared, layout: config } = project;
  const metadata = normalizedMetadata(declared);
  const files = await listProjectFiles(dir, { exclude: [outDir, join(dir, 'build')] });
  const layout = discoverLayout(files, config);
  const warnings: string[] = [...project.warnings];
  if (metadata.version !== declared.version)
    warnings.push(`version ${declared.version} is written ${metadata.version}, its PEP 440 normal form (as setuptools writes it)`);
  const initial = [...new Set([...defaultFiles(files, layout), ...packageDataFiles(config.packageData, layout, files)])].sort();
  const selected = await selectFiles(dir, files, initial, warnings);
  const plan = planSdist(layout, selected);
  warnings.push(...plan.skipped);
  if (!plan.files.some((f) => /\.m?py$/.test(f.member))) {
    throw new PackagingError(
      'nothing-to-ship',
      `nothing to ship: no Python modules or packages found in ${dir} (${layout.kind} layout). ` +
        'Add a package directory or a module, or list them in pyproject.toml under [tool.mpy] packages / py-modules',
    );
  }
  const base = `${metadata.name}-${metadata.version}`;
  const read = async (source: string): Promise<Uint8Array> => {
    try {
      return new Uint8Array(await readFile(join(dir, source)));
    } catch (err) {
      throw new PackagingError('io', `cannot read ${source}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  };
  const entries: TarInput[] = [{ path: base, directory: true }];
  const contents = new Map<string, Uint8Array>();
  for (const f of plan.files) {
    const data = await read(f.source);
    contents.set(f.source, data);
    entries.push({ path: `${base}/${f.member}`, data });
  }
  const resourceModules = new Map<string, number>();
  for (const [pkg, list] of plan.resources) {
    const text = renderResourceModule(list.map((r) => ({ key: r.key, data: contents.get(r.source)! })));
    entries.push({ path: `${base}/${pkg}/R.py`, data: encoder.encode(text) });
    resourceModules.set(pkg, list.length);
  }
  entries.push(...metadataEntries(base, metadata, warnings));
  const all = withDirectories(entries);
  checkUpipNames(all);
  const tar = writeTar(all, { mtime: options.mtime ?? 0 });
  const gz = gzipSmallWindow(tar);
  const archive = join(outDir, `${base}.tar.gz`);
  try {
    await mkdir(outDir, { recursive: true });
    await writeFileAtomic(archive, gz);
  } catch (err) {
    throw new PackagingError('io', `cannot write ${archive}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const members = all
    .map((e) => (e.directory ? `${e.path.replace(/\/$/, '')}/` : e.path))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return {
    archive,
    name: metadata.name,
    version: metadata.version,
    layout,
    members,
    resourceModules,
    warnings,
    bytes: gz.length,
    from: project.from,
    wrotePyproject: project.wrotePyproject,
  };
}
