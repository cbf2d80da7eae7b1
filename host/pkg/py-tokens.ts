/**
 * A tokenizer for the part of Python source a static reader of `setup.py`
 * needs: names, numbers, string and bytes literals (all prefixes and
 * quotes, escapes decoded), operators and brackets, with line numbers.
 * Comments and line continuations are dropped; a NEWLINE token ends each
 * logical line (none inside brackets). Indentation is kept as the column of
 * a line's first token.
 */

/** One token. */
export type PyToken =
  | { kind: 'name'; text: string; line: number; col: number; start: number; end: number }
  | { kind: 'number'; text: string; value: number; line: number; col: number; start: number; end: number }
  | { kind: 'str'; value: string; line: number; col: number; start: number; end: number }
  | { kind: 'bytes'; value: Uint8Array; line: number; col: number; start: number; end: number }
  /** An f-string: its value depends on running code. */
  | { kind: 'fstr'; line: number; col: number; start: number; end: number }
  | { kind: 'op'; text: string; line: number; col: number; start: number; end: number }
  | { kind: 'newline'; line: number; col: number; start: number; end: number };

/** A source text this tokenizer cannot read. */
export class PySyntaxError extends Error {
  /** 1-based line. */
  readonly line: number;
  constructor(message: string, line: number) {
    super(`line ${line}: ${message}`);
    this.name = 'PySyntaxError';
    this.line = line;
  }
}

const OPS = [
  '**=',
  '//=',
  '>>=',
  '<<=',
  '...',
  '->',
  ':=',
  '**',
  '//',
  '<<',
  '>>',
  '<=',
  '>=',
  '==',
  '!=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '@=',
];
const SINGLE = '()[]{},:;.+-*/%=<>&|^~@!';
const ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

function decodeEscapes(body: string, bytes: boolean, line: number): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = body[++i];
    if (n === undefined) break;
    if (n === '\n') continue;
    if (n in ESCAPES) out += ESCAPES[n];
    else if (/[0-7]/.test(n)) {
      const m = /^[0-7]{1,3}/.exec(body.slice(i))![0];
      out += String.fromCharCode(parseInt(m, 8));
      i += m.length - 1;
    } else if (n === 'x' || (!bytes && (n === 'u' || n === 'U'))) {
      const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new PySyntaxError(`bad \\${n} escape`, line);
      out += String.fromCodePoint(parseInt(hex, 16));
      i += len;
    } else if (n === 'N' && !bytes) throw new PySyntaxError('\\N{...} escapes are not supported', line);
    else out += `\\${n}`;
  }
  return out;
}

/** Tokenizes `source`. @throws PySyntaxError for an unterminated string or an unknown character */
export function tokenize(source: string): PyToken[] {
  const tokens: PyToken[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let depth = 0;
  const at = (start: number): { line: number; col: number; start: number } => ({ line, col: start - lineStart, start });
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\n') {
      if (depth === 0 && tokens.length && tokens.at(-1)!.kind !== 'newline') tokens.push({ kind: 'newline', ...at(i), end: i + 1 });
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    if (c === '\\' && source[i + 1] === '\n') {
      i += 2;
      line++;
      lineStart = i;
      continue;
    }
    const str = /^([rRbBuUfF]{0,2})('''|"""|'|")/.exec(source.slice(i, i + 5));
    if (str && (str[1] === '' || /^(r|u|b|f|br|rb|fr|rf)$/i.test(str[1]!))) {
      const prefix = str[1]!.toLowerCase();
      const quote = str[2]!;
      const start = i;
      const startLine = line;
      let j = i + str[0].length;
      let body = '';
      for (;;) {
        if (j >= source.length) throw new PySyntaxError('unterminated string', startLine);
        if (source.startsWith(quote, j)) break;
        const ch = source[j]!;
        if (ch === '\n') {
          if (quote.length === 1) throw new PySyntaxError('unterminated string', startLine);
          line++;
          lineStart = j + 1;
        }
        if (ch === '\\' && j + 1 < source.length) {
          if (source[j + 1] === '\n') {
            line++;
            lineStart = j + 2;
          }
          body += source.slice(j, j + 2);
          j += 2;
          continue;
        }
        body += ch;
        j++;
      }
      i = j + quote.length;
      const pos = { line: startLine, col: start - lineStart, start, end: i };
      if (prefix.includes('f')) tokens.push({ kind: 'fstr', ...pos });
      else {
        const raw = prefix.includes('r');
        const text = raw ? body : decodeEscapes(body, prefix.includes('b'), startLine);
        if (prefix.includes('b')) {
          if (/[^\x00-\xff]/.test(text)) throw new PySyntaxError('bytes literal with non-ASCII characters', startLine);
          tokens.push({ kind: 'bytes', value: Uint8Array.from(text, (ch) => ch.charCodeAt(0)), ...pos });
        } else tokens.push({ kind: 'str', value: text, ...pos });
      }
      continue;
    }
    const num = /^(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d+)?)/.exec(source.slice(i));
    if (num && num[0] !== '' && /\d/.test(num[0])) {
      const text = num[0];
      const clean = text.replace(/_/g, '');
      const value = /^0[xob]/i.test(clean) ? Number(clean) : Number(clean);
      tokens.push({ kind: 'number', text, value, ...at(i), end: i + text.length });
      i += text.length;
      continue;
    }
    const name = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(source.slice(i));
    if (name) {
      tokens.push({ kind: 'name', text: name[0], ...at(i), end: i + name[0].length });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => source.startsWith(o, i)) ?? (SINGLE.includes(c) ? c : undefined);
    if (!op) throw new PySyntaxError(`unexpected character ${JSON.stringify(c)}`, line);
    if ('([{'.includes(op)) depth++;
    if (')]}'.includes(op)) depth = Math.max(0, depth - 1);
    tokens.push({ kind: 'op', text: op, ...at(i), end: i + op.length });
    i += op.length;
  }
  if (tokens.length && tokens.at(-1)!.kind !== 'newline') tokens.push({ kind: 'newline', line, col: i - lineStart, start: i, end: i });
  return tokens;
}
