/**
 * Keeps every float literal exact through mpy-cross: literals the
 * {@link FloatOracle} finds would change are rewritten, in the source handed
 * to the compiler only and on the same line, as an integer expression with
 * exactly their value (see `exact-float.ts`); imaginary ones as that
 * expression times `1j`. After compiling, every float and complex constant
 * in the .mpy must be one the oracle vouched for; anything else (a literal
 * the scanner missed) fails the file rather than ship a changed number.
 */
import { exactFloatExpression } from './exact-float.js';
import { type FloatOracle, literalValue } from './float-oracle.js';
import { readMpyConstants } from './mpy-constants.js';
import { findNumberLiterals } from './python-numbers.js';

const IMAGINARY_UNIT = '1j';

/** One literal replaced in the compiled source. */
export interface FloatRewrite {
  /** 1-based line. */
  readonly line: number;
  /** The literal as written. */
  readonly literal: string;
  /** What the compiler was given instead. */
  readonly expression: string;
}

/** The source to compile and what the .mpy may then contain. */
export interface GuardedSource {
  /** The source for mpy-cross (the original text when nothing was rewritten). */
  readonly source: string;
  /** The rewritten literals. */
  readonly rewrites: readonly FloatRewrite[];
  /** Stored texts of float/complex constants that are known to be exact. */
  readonly allowed: ReadonlySet<string>;
}

/** A literal that cannot be kept exact (an infinite value whose text does not survive). */
export interface GuardProblem {
  /** 1-based line. */
  readonly line: number;
  /** What is wrong. */
  readonly message: string;
}

/**
 * Finds the literals of `source` that would change and rewrites them.
 * @returns the source to compile, or the first literal that cannot be kept exact
 */
export function guardFloats(source: string, oracle: FloatOracle): GuardedSource | GuardProblem {
  const literals = findNumberLiterals(source);
  if (literals.length === 0) return { source, rewrites: [], allowed: new Set() };
  const verdicts = oracle.judge(literals.map((l) => l.text));
  const allowed = new Set<string>();
  const rewrites: FloatRewrite[] = [];
  let out = '';
  let last = 0;
  for (const lit of literals) {
    const verdict = verdicts.get(lit.text);
    if (verdict !== null) {
      if (verdict !== undefined) allowed.add(verdict);
      continue;
    }
    const value = literalValue(lit.text);
    if (!Number.isFinite(value)) {
      return {
        line: lit.line,
        message: `float literal ${lit.text} is infinite and cannot be stored exactly in a .mpy file; write float('inf')`,
      };
    }
    const exact = exactFloatExpression(value);
    const expression = lit.imaginary ? `(${exact} * ${IMAGINARY_UNIT})` : exact;
    rewrites.push({ line: lit.line, literal: lit.text, expression });
    out += source.slice(last, lit.start) + expression;
    last = lit.end;
  }
  if (rewrites.some((r) => r.expression.endsWith(' * 1j)'))) {
    const unit = oracle.judge([IMAGINARY_UNIT]).get(IMAGINARY_UNIT);
    if (!unit) return { line: rewrites.find((r) => r.expression.endsWith(' * 1j)'))!.line, message: 'mpy-cross does not store 1j exactly' };
    allowed.add(unit);
  }
  return { source: rewrites.length ? out + source.slice(last) : source, rewrites, allowed };
}

/**
 * Checks the float and complex constants of a compiled .mpy against `allowed`.
 * @returns a message for the first constant nobody vouched for, or undefined when all are exact
 */
export function checkFloatConstants(mpy: Uint8Array, allowed: ReadonlySet<string>): string | undefined {
  for (const c of readMpyConstants(mpy)) {
    if ((c.kind === 'float' || c.kind === 'complex') && !allowed.has(c.text!)) {
      return `cannot prove that the ${c.kind} constant ${c.text} is exact in the .mpy (a literal inside an unusual construct?); write it as a plain literal`;
    }
  }
  return undefined;
}
