/**
 * Making untrusted text safe to print on a terminal. Names, versions,
 * URLs and messages that come from an index, an archive, a client request
 * or a project file could otherwise carry escape sequences, carriage
 * returns or newlines that redraw, hide or fake the lines around them.
 * Every human-readable message of the `mpy` subcommands goes through
 * {@link forTerminal}; `--json` output keeps the raw values (JSON escapes
 * control characters itself).
 *
 * @module
 */

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

// C0 controls, DEL, C1 controls, and the Unicode controls that reorder or
// hide text (bidi embeddings/overrides/isolates, line/paragraph separators).
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with every control character shown as an escape: `\n`, `\r`,
 * `\t`, `\xHH` for other C0/C1 controls and DEL, `\uHHHH` for the Unicode
 * bidi and line-separator controls. Other characters are unchanged.
 */
export function forTerminal(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const named = NAMED[c];
    if (named !== undefined) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
