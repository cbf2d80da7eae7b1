/**
 * Python source literals, the one place mpy writes Python values into Python
 * source (boot arguments, resource modules). They mean the same in
 * MicroPython and CPython: single-quoted, with `\\`, `\'`, `\n`, `\r`,
 * `\t` and `\xNN` escapes.
 *
 * @module
 */

const HEX = '0123456789abcdef';

function hexEscape(code: number): string {
  return `\\x${HEX[code >> 4]}${HEX[code & 15]}`;
}

function simpleEscape(code: number): string | undefined {
  switch (code) {
    case 0x5c:
      return '\\\\';
    case 0x27:
      return "\\'";
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    default:
      return undefined;
  }
}

/** A `b'...'` literal for `data`, byte-exact: printable ASCII as is, everything else escaped. */
export function pyBytes(data: Uint8Array): string {
  const parts: string[] = ["b'"];
  let run = '';
  for (const byte of data) {
    const esc = simpleEscape(byte);
    if (esc !== undefined) run += esc;
    else if (byte >= 0x20 && byte < 0x7f) run += String.fromCharCode(byte);
    else run += hexEscape(byte);
    if (run.length > 4096) {
      parts.push(run);
      run = '';
    }
  }
  parts.push(run, "'");
  return parts.join('');
}

/**
 * A `'...'` literal for `text`: control characters escaped, other characters
 * kept (the file is UTF-8).
 * @throws Error for a lone surrogate, which neither UTF-8 nor MicroPython can hold
 */
export function pyString(text: string): string {
  let out = "'";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const esc = simpleEscape(code);
    if (esc !== undefined) out += esc;
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += hexEscape(code);
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      out += text[i]! + text[i + 1]!;
      i++;
    } else if (code >= 0xd800 && code <= 0xdfff) throw new Error(`lone surrogate in ${JSON.stringify(text)}`);
    else out += text[i]!;
  }
  return `${out}'`;
}

/** A Python list-of-str literal. */
export function pyStringList(values: readonly string[]): string {
  return `[${values.map(pyString).join(', ')}]`;
}
