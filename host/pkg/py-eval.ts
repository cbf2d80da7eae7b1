/**
 * Evaluating Python literal expressions without running Python, as
 * `ast.literal_eval` does, plus two things upip-era `setup.py` files use:
 * names bound earlier in the module to a literal (`NAME = "bisect"`), and
 * `+` between strings, bytes, lists or numbers. Anything else (a call, an
 * attribute, `%` formatting, an f-string) is {@link NotLiteral}.
 */
import type { PyToken } from './py-tokens.js';

/** A Python dict, in source order. */
export interface PyDict {
  readonly kind: 'dict';
  readonly entries: ReadonlyArray<readonly [PyValue, PyValue]>;
}

/** A literal Python value: str, int/float, bool, None, bytes, list or tuple (both arrays), set (array) or dict. */
export type PyValue = string | number | boolean | null | Uint8Array | PyValue[] | PyDict;

/** An expression whose value depends on running code. */
export class NotLiteral extends Error {
  /** The expression's source text. */
  readonly source: string;
  constructor(source: string) {
    super(`not a literal: ${source}`);
    this.name = 'NotLiteral';
    this.source = source;
  }
}

/** Whether a value is a {@link PyDict}. */
export function isDict(v: PyValue): v is PyDict {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/**
 * Evaluates `tokens` (one expression, no NEWLINE) as a literal.
 * @param source the text the tokens come from, for {@link NotLiteral} messages
 * @param names module-level names bound to literals
 * @throws NotLiteral
 */
export function evaluateLiteral(tokens: readonly PyToken[], source: string, names: ReadonlyMap<string, PyValue>): PyValue {
  const text = tokens.length ? source.slice(tokens[0]!.start, tokens.at(-1)!.end) : '';
  const fail = (): never => {
    throw new NotLiteral(text.replace(/\s+/g, ' '));
  };
  let p = 0;
  const peek = (): PyToken | undefined => tokens[p];
  const isOp = (t: PyToken | undefined, op: string): boolean => t?.kind === 'op' && t.text === op;
  const expect = (op: string): void => {
    if (!isOp(peek(), op)) fail();
    p++;
  };

  function items(close: string): PyValue[] {
    const out: PyValue[] = [];
    while (!isOp(peek(), close)) {
      out.push(expr());
      if (isOp(peek(), ',')) p++;
      else if (!isOp(peek(), close)) fail();
    }
    p++;
    return out;
  }

  function atom(): PyValue {
    const t = peek();
    if (!t) return fail();
    p++;
    switch (t.kind) {
      case 'str': {
        let s = t.value;
        while (peek()?.kind === 'str') s += (tokens[p++] as { value: string }).value;
        if (peek()?.kind === 'bytes' || peek()?.kind === 'fstr') fail();
        return s;
      }
      case 'bytes': {
        const parts = [t.value];
        while (peek()?.kind === 'bytes') parts.push((tokens[p++] as { value: Uint8Array }).value);
        return Buffer.concat(parts);
      }
      case 'number':
        return t.value;
      case 'name':
        if (t.text === 'True') return true;
        if (t.text === 'False') return false;
        if (t.text === 'None') return null;
        if (names.has(t.text)) return names.get(t.text)!;
        return fail();
      case 'op':
        if (t.text === '[') return items(']');
        if (t.text === '(') {
          if (isOp(peek(), ')')) {
            p++;
            return [];
          }
          const first = expr();
          if (isOp(peek(), ')')) {
            p++;
            return first;
          }
          expect(',');
          return [first, ...items(')')];
        }
        if (t.text === '{') {
          if (isOp(peek(), '}')) {
            p++;
            return { kind: 'dict', entries: [] };
          }
          const first = expr();
          if (!isOp(peek(), ':')) {
            if (isOp(peek(), ',')) p++;
            return [first, ...items('}')];
          }
          const entries: Array<[PyValue, PyValue]> = [];
          let key: PyValue | undefined = first;
          for (;;) {
            expect(':');
            entries.push([key, expr()]);
            if (isOp(peek(), ',')) p++;
            if (isOp(peek(), '}')) {
              p++;
              return { kind: 'dict', entries };
            }
            key = expr();
          }
        }
        return fail();
      default:
        return fail();
    }
  }

  function unary(): PyValue {
    if (isOp(peek(), '-') || isOp(peek(), '+')) {
      const neg = (tokens[p++] as { text: string }).text === '-';
      const v = unary();
      if (typeof v !== 'number') fail();
      return neg ? -(v as number) : v;
    }
    const v = atom();
    const next = peek();
    if (isOp(next, '(') || isOp(next, '.') || isOp(next, '[')) fail();
    return v;
  }

  function expr(): PyValue {
    let v = unary();
    while (isOp(peek(), '+')) {
      p++;
      const w = unary();
      if (typeof v === 'string' && typeof w === 'string') v = v + w;
      else if (typeof v === 'number' && typeof w === 'number') v = v + w;
      else if (Array.isArray(v) && Array.isArray(w)) v = [...v, ...w];
      else if (v instanceof Uint8Array && w instanceof Uint8Array) v = Buffer.concat([v, w]);
      else fail();
    }
    return v;
  }

  const value = expr();
  if (p !== tokens.length) fail();
  return value;
}
