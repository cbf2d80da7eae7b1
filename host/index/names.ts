/** PEP 503 project-name normalisation. */

/** `Foo_Bar.baz` → `foo-bar-baz`: runs of `-`, `_`, `.` become one `-`, lower case. */
export function normalizeName(name: string): string {
  return name.trim().replace(/[-_.]+/g, '-').toLowerCase();
}

/** Whether `name` is a valid project name (PEP 508: letters, digits, `-_.`, alphanumeric at both ends). */
export function isValidName(name: string): boolean {
  return /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i.test(name);
}
