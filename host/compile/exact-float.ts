/**
 * A Python expression that evaluates to exactly a given double, written with
 * integer literals only, so that no float constant of it passes through
 * mpy-cross's 16-digit float text: x = m * 2**e is written `(N / 1)` for
 * e >= 0 (N = m * 2**e) and `(m / 2**k)` for e = -k < 0 (split in two
 * divisions below 2**-1023). Integer constants are stored exactly in .mpy,
 * MicroPython converts an integer with at most 53 significant bits to float
 * exactly, and dividing by a power of two is exact, so the result is x, bit
 * for bit.
 */

const view = new DataView(new ArrayBuffer(8));

/**
 * The exact expression for `x`.
 * @throws RangeError for NaN, infinities and negative numbers (Python literals are never negative)
 */
export function exactFloatExpression(x: number): string {
  if (!Number.isFinite(x) || x < 0 || Object.is(x, -0)) throw new RangeError(`no exact integer expression for ${x}`);
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  let m = bits & ((1n << 52n) - 1n);
  let e: number;
  if (biased === 0) e = -1074;
  else {
    m += 1n << 52n;
    e = biased - 1075;
  }
  if (m === 0n) return '(0 / 1)';
  while ((m & 1n) === 0n) {
    m >>= 1n;
    e++;
  }
  if (e >= 0) return `(${m << BigInt(e)} / 1)`;
  const k = -e;
  if (k <= 1023) return `(${m} / ${1n << BigInt(k)})`;
  return `(${m} / ${1n << 1023n} / ${1n << BigInt(k - 1023)})`;
}
