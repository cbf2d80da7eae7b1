/**
 * The metadata files of a distribution package: `PKG-INFO` (core metadata
 * 2.1, RFC 822 headers) and `requires.txt`, which upip reads for
 * dependencies: one distribution name per line, each fetched as
 * `INDEX/NAME/json`, so it must hold bare names only.
 */
import { requirementName } from '../index/names.js';
import type { ProjectMetadata } from './pyproject.js';

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function folded(text: string): string {
  // Continuation lines of a multi-line header value start with white space.
  return text.trim().replace(/\r\n|\r|\n/g, '\n        ');
}

/** Renders PKG-INFO for `meta`; fields without a value are left out. */
export function renderPkgInfo(meta: ProjectMetadata): string {
  const lines = ['Metadata-Version: 2.1', `Name: ${meta.name}`, `Version: ${meta.version}`];
  if (meta.description) lines.push(`Summary: ${oneLine(meta.description)}`);
  const home = Object.entries(meta.urls).find(([k]) => /^home-?page$/i.test(k.replace(/\s+/g, '')))?.[1];
  if (home) lines.push(`Home-page: ${home}`);
  const named = meta.authors.filter((a) => a.name && !a.email).map((a) => a.name!);
  const mailed = meta.authors.filter((a) => a.email).map((a) => (a.name ? `${a.name} <${a.email}>` : a.email!));
  if (named.length) lines.push(`Author: ${oneLine(named.join(', '))}`);
  if (mailed.length) lines.push(`Author-email: ${oneLine(mailed.join(', '))}`);
  if (meta.license) lines.push(`License: ${folded(meta.license)}`);
  for (const [label, url] of Object.entries(meta.urls)) lines.push(`Project-URL: ${oneLine(label)}, ${url}`);
  if (meta.keywords.length) lines.push(`Keywords: ${meta.keywords.map(oneLine).join(',')}`);
  for (const c of meta.classifiers) lines.push(`Classifier: ${oneLine(c)}`);
  if (meta.requiresPython) lines.push(`Requires-Python: ${oneLine(meta.requiresPython)}`);
  for (const d of meta.dependencies) lines.push(`Requires-Dist: ${oneLine(d)}`);
  return `${lines.join('\n')}\n`;
}

/** What {@link renderRequiresTxt} gave. */
export interface RequiresTxt {
  /** The file text, or undefined when there are no dependencies (the file is then left out, as setuptools does). */
  readonly text: string | undefined;
  /** One message per requirement whose version, extras or marker upip cannot honour. */
  readonly warnings: string[];
}

/**
 * Renders `requires.txt` for upip: the bare name of each dependency, one per
 * line, no blank lines. The full requirement stays in PKG-INFO `Requires-Dist`.
 */
export function renderRequiresTxt(dependencies: readonly string[]): RequiresTxt {
  const warnings: string[] = [];
  const names: string[] = [];
  for (const dep of dependencies) {
    const name = requirementName(dep) ?? dep.trim();
    if (oneLine(dep) !== name) {
      warnings.push(
        `dependency ${JSON.stringify(dep)} is written as ${JSON.stringify(name)} in requires.txt: upip installs the latest version and knows no extras or markers`,
      );
    }
    if (!names.includes(name)) names.push(name);
  }
  return { text: names.length ? `${names.join('\n')}\n` : undefined, warnings };
}
