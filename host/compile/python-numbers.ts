/**
 * Finds the float and imaginary literals of Python source, with their
 * positions: a small tokenizer that knows identifiers, comments, every kind
 * of string literal (prefixes, triple quotes, raw strings) and the
 * replacement fields of f-strings, where literals are compiled too.
 *
 * It runs once per compiled file, mostly before V8 has optimised it, so the
 * top level leaves the per-character work to regular expressions: it jumps
 * from one comment, quote or number start to the next, and skips comments
 * and plain strings with one match each. f-string fields take the
 * character-by-character path.
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
const NAME_START = '\\p{L}\\p{Nl}_';
const NAME_PART = '\\p{L}\\p{Nl}\\p{Mn}\\p{Mc}\\p{Nd}\\p{Pc}';
const NAME = `[${NAME_START}][${NAME_PART}]*`;
/**
 * One step of the top level: skips whole names (unless a quote follows), `.`s
 * and other characters that start nothing, then captures what comes next: a
 * name before a quote (a string prefix or not), a comment or quote, or the
 * start of a number. Names are skipped whole, so digits inside them never
 * start a number.
 */
const TOP_STEP = new RegExp(
  `(?:${NAME}(?![${NAME_PART}'"])|[^#'"0-9.${NAME_START}]+|\\.(?![0-9]))*(?:(${NAME})(?=['"])|([#'"])|([0-9]|\\.[0-9]))?`,
  'uy',
);
const LINE_REST = /[^\r\n]*/y;
const LINE_BREAK = /\r\n?|\n/g;
/** The body of a plain (not f-) string up to its closing quote, by opening quote. */
const STRING_BODY: Readonly<Record<string, RegExp>> = {
  "'": /(?:[^'\\\r\n]|\\[\s\S])*/y,
  '"': /(?:[^"\\\r\n]|\\[\s\S])*/y,
  "'''": /(?:[^'\\]|\\[\s\S]|'(?!''))*/y,
  '"""': /(?:[^"\\]|\\[\s\S]|"(?!""))*/y,
};

class Scanner {
  readonly #src: string;
  readonly found: NumberLiteral[] = [];
  /** Line breaks are counted up to here (literals are found in source order). */
  #counted = 0;
  #line0 = 0;

  constructor(src: string) {
    this.#src = src;
  }

  #line(offset: number): number {
    LINE_BREAK.lastIndex = this.#counted;
    for (let m = LINE_BREAK.exec(this.#src); m && m.index < offset; m = LINE_BREAK.exec(this.#src)) {
      this.#line0++;
      this.#counted = LINE_BREAK.lastIndex;
    }
    return this.#line0 + 1;
  }

  /** Scans the whole source as code. */
  top(): void {
    const s = this.#src;
    let pos = 0;
    for (;;) {
      TOP_STEP.lastIndex = pos;
      const m = TOP_STEP.exec(s)!;
      pos = TOP_STEP.lastIndex;
      const [, name, mark, number] = m;
      if (name !== undefined) {
        pos = this.#string(pos, STRING_PREFIX.test(name) ? name.toLowerCase() : '', s.length);
      } else if (mark === '#') {
        LINE_REST.lastIndex = pos;
        LINE_REST.exec(s);
        pos = LINE_REST.lastIndex;
      } else if (mark !== undefined) {
        pos = this.#string(pos - 1, '', s.length);
      } else if (number !== undefined) {
        pos -= number.length;
        NUMBER.lastIndex = pos;
        const n = NUMBER.exec(s)![0];
        this.#number(pos, n);
        pos += n.length;
      } else return;
    }
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
    if (!f && end === s.length) {
      const body = STRING_BODY[close]!;
      body.lastIndex = pos;
      body.exec(s);
      pos = body.lastIndex;
      return s.startsWith(close, pos) ? pos + close.length : pos;
    }
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
  scanner.top();
  return scanner.found;
}
