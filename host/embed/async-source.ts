/**
 * Turns a block of Python with top-level `await` into the body of an
 * `async def`, for `runAsync`: MicroPython compiles `await` only inside
 * one. The body declares `global` every name it mentions, so that top-level
 * assignments, `def`s and imports land in `__main__` as they would in a
 * module (a `global` for a name that is only read changes nothing). When the
 * last top-level statement is an expression, a second version returns its
 * value; Python compiles that one first and falls back to the plain one on
 * a SyntaxError (the last statement was not an expression after all).
 *
 * The scan knows strings (all prefixes and quotes, triple-quoted across
 * lines), comments, brackets and backslash continuations; that is all it
 * needs: names are collected, not parsed.
 *
 * @module
 */

/** The name of the `async def` the code becomes; tracebacks show it as `<module>`. */
export const ASYNC_MAIN = '__mpy_async_main__';
/** The file name the wrapped code is compiled under (tracebacks show `<string>`). */
export const ASYNC_FILENAME = '<mpy-async>';
/** Lines the wrapper adds before the user's first line. */
export const ASYNC_HEADER_LINES = 2;

/** What Python compiles: `withReturn` first, then `plain`. */
export interface AsyncSource {
  readonly withReturn: string | null;
  readonly plain: string;
}

const KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except finally for from global if ' +
    'import in is lambda nonlocal not or pass raise return try while with yield'
  ).split(' '),
);
const NAME = /[\p{L}_][\p{L}\p{N}_]*/uy;
const STRING_START = /(?:[rRbBuUfF]{0,2})('''|"""|'|")/y;

interface Scan {
  readonly names: Set<string>;
  /** Per line: whether it begins inside a string (so it must not be re-indented). */
  readonly inString: boolean[];
  /** The line where the last top-level logical line starts, or -1. */
  readonly lastTopLevel: number;
}

function scan(code: string): Scan {
  const names = new Set<string>();
  const inString: boolean[] = [false];
  let line = 0;
  let depth = 0;
  let lineStart = true;
  let continued = false;
  let lastTopLevel = -1;
  let i = 0;
  while (i < code.length) {
    const c = code[i]!;
    if (c === '\n') {
      if (depth === 0 && !continued) lineStart = true;
      continued = false;
      line++;
      inString[line] = false;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < code.length && code[i] !== '\n') i++;
      continue;
    }
    if (c === '\\' && code[i + 1] === '\n') {
      continued = true;
      i++;
      continue;
    }
    if (lineStart) {
      lineStart = false;
      const column = code.lastIndexOf('\n', i - 1) + 1;
      if (i === column) lastTopLevel = line;
    }
    STRING_START.lastIndex = i;
    const str = STRING_START.exec(code);
    if (str) {
      const quote = str[1]!;
      i += str[0].length;
      while (i < code.length && !code.startsWith(quote, i)) {
        if (code[i] === '\\') i++;
        if (code[i] === '\n') {
          line++;
          inString[line] = true;
        }
        i++;
      }
      i += quote.length;
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(code);
    if (name) {
      if (!KEYWORDS.has(name[0]) && code[i - 1] !== '.') names.add(name[0]);
      i += name[0].length;
      continue;
    }
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth = Math.max(0, depth - 1);
    i++;
  }
  return { names, inString, lastTopLevel };
}

function indent(lines: readonly string[], inString: readonly boolean[], from: number): string[] {
  return lines.map((text, k) => (inString[from + k] ? text : ` ${text}`));
}

/** Wraps `code` (see the module comment). */
export function asyncSource(code: string): AsyncSource {
  const { names, inString, lastTopLevel } = scan(code);
  const header = [`async def ${ASYNC_MAIN}():`, names.size > 0 ? ` global ${[...names].join(', ')}` : ' pass'];
  const lines = code.split('\n');
  const plain = [...header, ...indent(lines, inString, 0)].join('\n');
  if (lastTopLevel < 0) return { withReturn: null, plain };
  const head = indent(lines.slice(0, lastTopLevel), inString, 0);
  const tail = indent(lines.slice(lastTopLevel + 1), inString, lastTopLevel + 1);
  // The closing parenthesis on a line of its own, so that a trailing comment cannot swallow it.
  const withReturn = [...header, ...head, ` return (${lines[lastTopLevel]}`, ...tail, ' )'].join('\n');
  return { withReturn, plain };
}

/**
 * Maps a traceback of wrapped code back to the user's lines, leaving out the
 * asyncio frames that lead from `asyncio.run` to the code.
 */
export function asyncTraceback(traceback: string): string {
  const lines = traceback.split('\n');
  const first = lines.findIndex((l) => l.includes(`File "${ASYNC_FILENAME}"`));
  const kept =
    first < 0 ? lines : [...lines.slice(0, first).filter((l) => !/File ".*\/asyncio\/[a-z]+\.py"/.test(l)), ...lines.slice(first)];
  return kept
    .join('\n')
    .replaceAll(
      new RegExp(`File "${ASYNC_FILENAME}", line (\\d+)`, 'g'),
      (_, n: string) => `File "<string>", line ${Number(n) - ASYNC_HEADER_LINES}`,
    )
    .replaceAll(`in ${ASYNC_MAIN}`, 'in <module>');
}
