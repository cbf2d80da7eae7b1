const WORD_BYTES = 4;

/**
 * Parses a Unix-port heap size: `N[w][K|M]` where N is decimal, 0x hex or 0
 * octal, `w` scales by the word size relative to 32 bits (wasm32: 1x) and K/M
 * multiply by 1024 / 1024². The caller checks the range.
 * @returns the size in bytes, or `undefined` when the text is not a size
 */
export function parseHeapSize(text: string): number | undefined {
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([wW]?)([kKmM]?)$/.exec(text);
  if (!m) return undefined;
  const digits = m[1]!;
  let bytes = /^0[xX]/.test(digits)
    ? parseInt(digits.slice(2), 16)
    : digits.length > 1 && digits.startsWith('0')
      ? parseInt(digits, 8)
      : Number(digits);
  const unit = m[3]!.toLowerCase();
  if (unit === 'k') bytes *= 1024;
  else if (unit === 'm') bytes *= 1024 * 1024;
  if (m[2]) bytes = (bytes * WORD_BYTES) / 4;
  return bytes;
}
