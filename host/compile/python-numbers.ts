/**
 * Finds the float and imaginary literals of Python source, with their
 * positions: a small tokenizer that knows identifiers, comments, every kind
 * of string literal (prefixes, triple quotes, raw strings) and the
 * replacement fields of f-strings, where literals are compiled too.
 */

/** One float (`1.5`, `1e3`, `.5`) or imaginary (`2j`, `1.5j`) literal. */
export interface NumberLiteral {
  /** Offset of the first character in the source string. */
  readonly start: number;
  /** Offset after the last character. */
  readonly end: number;
  /** The literal as written. */
  readonly text: string;
  /** 1-based source line. */
  readonly line: number;
  /** Ends in `j`/`J`. */
  readonly imaginary: boolean;
}

const IDENT = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/uy;
const NUMBER =
  /0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?[jJ]?/y;
const STRING_PREFIX = /^(?:[rRuUbBfF]|[bB][rR]|[rR][bB]|[fF][rR]|[rR][fF])$/;

class Scanner {
  readonly #src: string;
  readonly #lineStarts: number[] = [0];
  readonly found: NumberLiteral[] = [];

  constructor(src: string) {
    this.#src = src;
    for (let i = 0; i < src.length; i++) {
      const c = src.charCodeAt(i);
      if (c === 10 || (c === 13 && src.charCodeAt(i + 1) !== 10)) this.#lineStarts.push(i + 1);
    }
  }

  #line(offset: number): number {
    let lo = 0;
    let hi = this.#lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** Scans code in [pos, end); stops early (returning the offset) at an unmatched closer in `stopAt` when given. */
  code(pos: number, end: number, stopAt?: string): number {
    const s = this.#src;
    let depth = 0;
    while (pos < end) {
      const ch = s[pos]!;
      if (ch === '#') {
        while (pos < end && s[pos] !== '\n' && s[pos] !== '\r') pos++;
        continue;
      }
      if (ch === '"' || ch === "'") {
        pos = this.#string(pos, '', end);
        continue;
      }
      if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(s[pos + 1] ?? ''))) {
        NUMBER.lastIndex = pos;
        const m = NUMBER.exec(s)!;
        this.#number(pos, m[0]);
        pos += m[0].length;
        continue;
      }
      IDENT.lastIndex = pos;
      const id = IDENT.exec(s);
      if (id) {
        pos += id[0].length;
        if ((s[pos] === '"' || s[pos] === "'") && STRING_PREFIX.test(id[0])) pos = this.#string(pos, id[0].toLowerCase(), end);
        continue;
      }
      if (stopAt !== undefined) {
        if ('([{'.includes(ch)) depth++;
        else if (')]}'.includes(ch)) {
          if (depth === 0 && stopAt.includes(ch)) return pos;
          depth--;
        } else if (depth === 0 && stopAt.includes(ch) && !(ch === '!' && s[pos + 1] === '=')) return pos;
      }
      pos++;
    }
    return pos;
  }

  #number(start: number, text: string): void {
    if (/^0[xXoObB]/.test(text)) return;
    const imaginary = /[jJ]$/.test(text);
    if (!imaginary && !/[.eE]/.test(text)) return;
    this.found.push({ start, end: start + text.length, text, line: this.#line(start), imaginary });
  }

  /** Scans a string literal whose opening quote is at `pos`; returns the offset after it. */
  #string(pos: number, prefix: string, end: number): number {
    const s = this.#src;
    const q = s[pos]!;
    const triple = s[pos + 1] === q && s[pos + 2] === q;
    const close = triple ? q.repeat(3) : q;
    const f = prefix.includes('f');
    pos += close.length;
    while (pos < end) {
      const ch = s[pos]!;
      if (ch === '\\') {
        pos += 2;
        continue;
      }
      if (s.startsWith(close, pos)) return pos + close.length;
      if (!triple && (ch === '\n' || ch === '\r')) return pos;
      if (f && ch === '{') {
        if (s[pos + 1] === '{') {
          pos += 2;
          continue;
        }
        pos = this.#field(pos + 1, end, close);
        continue;
      }
      pos++;
    }
    return pos;
  }

  /** Scans an f-string replacement field after its `{`; returns the offset after its `}`. */
  #field(pos: number, end: number, close: string): number {
    const s = this.#src;
    const limit = Math.min(end, this.#indexOrEnd(close, pos));
    pos = this.code(pos, limit, '}!:');
    if (s[pos] === '!') pos += 2;
    if (s[pos] === ':') {
      pos++;
      while (pos < limit && s[pos] !== '}') {
        if (s[pos] === '{') pos = this.#field(pos + 1, end, close);
        else pos++;
      }
    }
    return s[pos] === '}' ? pos + 1 : pos;
  }

  #indexOrEnd(needle: string, from: number): number {
    const i = this.#src.indexOf(needle, from);
    return i < 0 ? this.#src.length : i;
  }
}

/** Every float and imaginary literal in `source`, in source order. */
export function findNumberLiterals(source: string): NumberLiteral[] {
  const scanner = new Scanner(source);
  scanner.code(0, source.length);
  return scanner.found;
}
