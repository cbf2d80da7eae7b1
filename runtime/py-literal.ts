/** A Python string literal for `value` (JSON's escapes are all valid in Python). */
export function pyString(value: string): string {
  return JSON.stringify(value);
}

/** A Python list-of-str literal. */
export function pyStringList(values: readonly string[]): string {
  return `[${values.map(pyString).join(', ')}]`;
}
