/** PEP 503 project-name normalisation. */

/** `Foo_Bar.baz` → `foo-bar-baz`: runs of `-`, `_`, `.` become one `-`, lower case. */
export function normalizeName(name: string): string {
  return name
    .trim()
    .replace(/[-_.]+/g, '-')
    .toLowerCase();
}

/** The project name a requirement line starts with (`foo>=1` → `foo`), or undefined when it starts with none. */
export function requirementName(line: string): string | undefined {
  return /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line)?.[1];
}
