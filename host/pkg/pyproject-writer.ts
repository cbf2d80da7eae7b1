/**
 * Writing `pyproject.toml` for a project described by a static `setup.py`
 * (`mpy sdist --write-pyproject`): the `[project]` table, `[project.urls]`,
 * and `[tool.mpy]` for packages, py-modules and package-data, so that
 * `mpy sdist` builds the same archive from either file.
 */
import type { LayoutConfig, ProjectMetadata } from './pyproject.js';

// A TOML basic string: JSON's escapes (\", \\, \n, \uXXXX) are TOML's too.
const q = (s: string): string => JSON.stringify(s);
const list = (xs: readonly string[]): string => `[${xs.map(q).join(', ')}]`;

/** The pyproject.toml text for the metadata and layout. */
export function renderPyproject(meta: ProjectMetadata, layout: LayoutConfig): string {
  const lines = [
    '# Written by "mpy sdist --write-pyproject" from setup.py; setup.py is no longer read.',
    '[project]',
    `name = ${q(meta.name)}`,
    `version = ${q(meta.version)}`,
  ];
  if (meta.description) lines.push(`description = ${q(meta.description)}`);
  if (meta.license !== undefined) lines.push(`license = { text = ${q(meta.license)} }`);
  if (meta.authors.length) {
    const one = (a: ProjectMetadata['authors'][number]): string =>
      `{ ${[a.name !== undefined ? `name = ${q(a.name)}` : '', a.email !== undefined ? `email = ${q(a.email)}` : ''].filter(Boolean).join(', ')} }`;
    lines.push(`authors = [${meta.authors.map(one).join(', ')}]`);
  }
  if (meta.requiresPython) lines.push(`requires-python = ${q(meta.requiresPython)}`);
  if (meta.keywords.length) lines.push(`keywords = ${list(meta.keywords)}`);
  if (meta.classifiers.length) lines.push(`classifiers = ${list(meta.classifiers)}`);
  lines.push(`dependencies = ${list(meta.dependencies)}`);
  if (Object.keys(meta.urls).length) {
    lines.push('', '[project.urls]');
    for (const [k, v] of Object.entries(meta.urls)) lines.push(`${q(k)} = ${q(v)}`);
  }
  const tool: string[] = [];
  if (layout.packages !== undefined) tool.push(`packages = ${list(layout.packages)}`);
  if (layout.pyModules !== undefined) tool.push(`py-modules = ${list(layout.pyModules)}`);
  if (tool.length) lines.push('', '[tool.mpy]', ...tool);
  if (layout.packageData?.size) {
    lines.push('', '[tool.mpy.package-data]');
    for (const [pkg, globs] of layout.packageData) lines.push(`${q(pkg === '' ? '*' : pkg)} = ${list(globs)}`);
  }
  return `${lines.join('\n')}\n`;
}
