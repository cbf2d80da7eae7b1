/**
 * Reads the constant table of a .mpy file (format version 6, bytecode as
 * mpy-cross writes it): header, qstr table, then the constant objects. Float
 * and complex constants are stored as text, which is what the float check
 * inspects.
 */

/** One constant object of a .mpy file (tuples are flattened into their items). */
export interface MpyConstant {
  /** The object's kind. */
  readonly kind: 'none' | 'false' | 'true' | 'ellipsis' | 'str' | 'bytes' | 'int' | 'float' | 'complex' | 'fun-table';
  /** Stored text for str, int, float and complex; undefined otherwise. */
  readonly text: string | undefined;
}

const KINDS = ['fun-table', 'none', 'false', 'true', 'ellipsis', 'str', 'bytes', 'int', 'float', 'complex'] as const;
const TUPLE = 10;
const decoder = new TextDecoder();

/**
 * The constant objects of `mpy`, in table order.
 * @throws Error when the data is not a version 6 .mpy or ends early
 */
export function readMpyConstants(mpy: Uint8Array): MpyConstant[] {
  if (mpy[0] !== 0x4d || mpy[1] !== 6) throw new Error('not a version 6 .mpy file');
  let pos = 4;
  const byte = (): number => {
    if (pos >= mpy.length) throw new Error('.mpy file ends early');
    return mpy[pos++]!;
  };
  const uint = (): number => {
    let n = 0;
    for (;;) {
      const b = byte();
      n = n * 128 + (b & 0x7f);
      if (!(b & 0x80)) return n;
    }
  };
  const bytes = (n: number): Uint8Array => {
    if (pos + n > mpy.length) throw new Error('.mpy file ends early');
    pos += n;
    return mpy.subarray(pos - n, pos);
  };
  const nQstr = uint();
  const nObj = uint();
  for (let i = 0; i < nQstr; i++) {
    const v = uint();
    if (!(v & 1)) bytes((v >> 1) + 1); // dynamic qstr: bytes and a NUL
  }
  const out: MpyConstant[] = [];
  const obj = (): void => {
    const type = byte();
    if (type === TUPLE) {
      const n = uint();
      for (let i = 0; i < n; i++) obj();
      return;
    }
    const kind = KINDS[type];
    if (kind === undefined) throw new Error(`unknown .mpy constant type ${type}`);
    if (type <= 4) {
      out.push({ kind, text: undefined });
      return;
    }
    const data = bytes(uint());
    if (kind === 'str' || kind === 'bytes') byte(); // NUL terminator
    out.push({ kind, text: kind === 'bytes' ? undefined : decoder.decode(data) });
  };
  for (let i = 0; i < nObj; i++) obj();
  return out;
}
