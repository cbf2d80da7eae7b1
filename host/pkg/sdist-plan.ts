/**
 * What goes where in a distribution package, decided from the selected files
 * alone: modules and package files keep their path below the module root;
 * every non-Python file inside a top-level package is also a resource of
 * that package's `R.py`, keyed by its path relative to the package (as
 * micropython-lib's sdist_upip did); files outside the packages are not
 * shipped, since upip would install them beside the modules.
 */
import { PackagingError } from './errors.js';
import type { ModuleLayout } from './discovery.js';

/** One file to ship. */
interface PlannedFile {
  /** Path relative to the project directory. */
  readonly source: string;
  /** Path inside `NAME-VERSION/`. */
  readonly member: string;
}

/** One resource of a package's R.py. */
interface PlannedResource {
  /** The key in `R`: the path relative to the top-level package. */
  readonly key: string;
  /** Path relative to the project directory. */
  readonly source: string;
}

/** The layout of the archive. */
export interface SdistPlan {
  /** Files to ship, sorted by member path. */
  readonly files: readonly PlannedFile[];
  /** Resources per top-level package (sorted by package, then key); R.py is written for each. */
  readonly resources: ReadonlyMap<string, readonly PlannedResource[]>;
  /** Selected files that are not shipped, with the reason. */
  readonly skipped: readonly string[];
}

/** True for the files MicroPython imports as code. */
function isCode(path: string): boolean {
  return path.endsWith('.py') || path.endsWith('.mpy');
}

/**
 * Places the selected files.
 * @param layout the discovered modules and packages
 * @param selected project-relative paths chosen by discovery and MANIFEST.in
 * @throws PackagingError (`conflict`) when a package with resources already has an R.py
 */
export function planSdist(layout: ModuleLayout, selected: readonly string[]): SdistPlan {
  const tops = new Set(layout.packages.map((p) => p.split('.')[0]!));
  const files: PlannedFile[] = [];
  const resources = new Map<string, PlannedResource[]>();
  const skipped: string[] = [];
  for (const source of selected) {
    const member = layout.root === '' ? source : source.startsWith(`${layout.root}/`) ? source.slice(layout.root.length + 1) : undefined;
    if (member === undefined) {
      skipped.push(`${source}: outside ${layout.root}/, not shipped`);
      continue;
    }
    const slash = member.indexOf('/');
    if (slash < 0) {
      if (member === 'setup.py' || !isCode(member)) skipped.push(`${source}: not inside a package, not shipped`);
      else files.push({ source, member });
      continue;
    }
    const top = member.slice(0, slash);
    if (!tops.has(top)) {
      skipped.push(`${source}: not inside a package, not shipped`);
      continue;
    }
    files.push({ source, member });
    if (!isCode(member)) {
      const list = resources.get(top) ?? [];
      list.push({ key: member.slice(slash + 1), source });
      resources.set(top, list);
    }
  }
  for (const top of resources.keys()) {
    if (files.some((f) => f.member === `${top}/R.py` || f.member === `${top}/R.mpy`)) {
      throw new PackagingError(
        'conflict',
        `${layout.root ? `${layout.root}/` : ''}${top}/R.py exists, but mpy sdist writes the resource module there: rename it`,
      );
    }
  }
  const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
  files.sort((a, b) => byBytes(a.member, b.member));
  const sorted = new Map(
    [...resources.entries()].sort(([a], [b]) => byBytes(a, b)).map(([k, v]) => [k, v.sort((x, y) => byBytes(x.key, y.key))]),
  );
  return { files, resources: sorted, skipped };
}
