/**
 * Where a project's metadata comes from: `pyproject.toml` (`[project]`),
 * else a legacy `setup.py` read statically (setup-py.ts). With both, the
 * pyproject wins and a warning says that setup.py is ignored; with
 * `writePyproject`, a setup.py-only project gets its pyproject.toml written
 * (atomically) and is then read from it.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { PackagingError } from './errors.js';
import { type LayoutConfig, type ProjectMetadata, readPyproject } from './pyproject.js';
import { renderPyproject } from './pyproject-writer.js';
import { readSetupPy } from './setup-py.js';

/** A project's metadata and layout, and where they came from. */
export interface ProjectSource {
  readonly metadata: ProjectMetadata;
  readonly layout: LayoutConfig;
  /** `pyproject.toml` or `setup.py`. */
  readonly from: 'pyproject.toml' | 'setup.py';
  /** Messages for the user (arguments ignored, a file ignored, a file written). */
  readonly warnings: readonly string[];
  /** The pyproject.toml written, when `writePyproject` wrote one. */
  readonly wrotePyproject?: string;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Reads the project in `dir`.
 * @throws PackagingError `no-pyproject` when there is neither file; the readers' errors otherwise;
 *   `bad-pyproject` when `writePyproject` is asked and pyproject.toml exists
 */
export async function readProjectSource(dir: string, writePyproject = false): Promise<ProjectSource> {
  const hasPyproject = await exists(join(dir, 'pyproject.toml'));
  const hasSetup = await exists(join(dir, 'setup.py'));
  if (writePyproject) {
    if (hasPyproject)
      throw new PackagingError(
        'bad-pyproject',
        `${join(dir, 'pyproject.toml')} already exists; --write-pyproject only converts a setup.py-only project (remove it first to convert again)`,
      );
    if (!hasSetup)
      throw new PackagingError(
        'no-pyproject',
        `no setup.py in ${dir} to convert (--write-pyproject writes pyproject.toml from a setup.py)`,
      );
  }
  if (hasPyproject) {
    try {
      const p = await readPyproject(dir);
      const warnings = hasSetup
        ? [
            'setup.py is ignored: pyproject.toml has a [project] table, which describes the project (setup.py arguments such as install_requires are not read)',
          ]
        : [];
      return { metadata: p.metadata, layout: p.layout, from: 'pyproject.toml', warnings };
    } catch (err) {
      if (!(hasSetup && err instanceof PackagingError && err.code === 'missing-metadata' && /no \[project\] table/.test(err.message)))
        throw err;
    }
  }
  if (!hasSetup) {
    throw new PackagingError(
      'no-pyproject',
      `no pyproject.toml or setup.py in ${dir}: mpy sdist reads the package name, version and dependencies from one of them`,
    );
  }
  const setup = await readSetupPy(dir);
  const warnings = setup.ignored.map((m) => `setup.py: ignored ${m}`);
  if (hasPyproject) warnings.unshift('pyproject.toml has no [project] table: the project is read from setup.py');
  if (!writePyproject) return { metadata: setup.metadata, layout: setup.layout, from: 'setup.py', warnings };
  const out = join(dir, 'pyproject.toml');
  try {
    await writeFileAtomic(out, renderPyproject(setup.metadata, setup.layout));
  } catch (err) {
    throw new PackagingError('io', `cannot write ${out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const p = await readPyproject(dir);
  return { metadata: p.metadata, layout: { ...p.layout, root: setup.layout.root }, from: 'pyproject.toml', warnings, wrotePyproject: out };
}
