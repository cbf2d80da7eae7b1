/** PEP 503 project-name normalisation. */

/** `Foo_Bar.baz` → `foo-bar-baz`: runs of `-`, `_`, `.` become one `-`, lower case. */
export function normalizeName(name: string): string {
  return name
    .trim()
    .replace(/[-_.]+/g, '-')
    .toLowerCase();
}
