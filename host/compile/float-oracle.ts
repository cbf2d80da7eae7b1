/**
 * Which float literals survive mpy-cross exactly. mpy-cross 1.19 parses a
 * float literal with its own (inexact) routine and stores it in the .mpy as
 * text with 16 significant digits, which MicroPython 1.27 parses back: a
 * literal as plain as `834.25103` comes back one ulp off, and
 * `0.9999999999999999` comes back as `1.0`. No rule on the digits predicts
 * it, so the oracle asks the compiler itself: it compiles a probe module
 * `_ = LITERAL` per literal and reads the stored text back from the .mpy.
 * Answers are cached per literal text for the life of the thread.
 */
import { readMpyConstants } from './mpy-constants.js';
import type { MpyCross } from './mpy-cross.js';

/** A float or imaginary literal's value, as Python (and MicroPython 1.27) reads it. */
export function literalValue(text: string): number {
  return Number(text.replace(/_/g, '').replace(/[jJ]$/, ''));
}

function storedValue(text: string): number {
  const t = text.trim().toLowerCase();
  if (/^[+-]?inf(inity)?$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  return Number(t);
}

/** True when the stored constant text means exactly the literal's value (a complex one: `0 + value j`). */
function storedMatches(literal: string, stored: string, kind: 'float' | 'complex'): boolean {
  const value = literalValue(literal);
  const imaginary = /[jJ]$/.test(literal);
  if (!imaginary) return kind === 'float' && Object.is(storedValue(stored), value);
  if (kind !== 'complex') return false;
  const m = /^\(?\s*(?:([^()]*?)\s*\+\s*)?([^()+]*?)j\s*\)?$/.exec(stored.trim());
  if (!m) return false;
  const real = m[1] === undefined ? 0 : storedValue(m[1]);
  return Object.is(real, 0) && Object.is(storedValue(m[2]!), value);
}

const PROBE_NAME = '<float-probe>.py';
const CACHE_LIMIT = 100_000;

/** Verdicts per literal text: the stored text when the literal survives, null when it does not. */
export class FloatOracle {
  readonly #cross: MpyCross;
  readonly #cache = new Map<string, string | null>();

  /**
   * @param cross the compiler whose storing is judged
   */
  constructor(cross: MpyCross) {
    this.#cross = cross;
  }

  #probe(texts: readonly string[]): (string | null)[] | undefined {
    const source = new TextEncoder().encode(texts.map((t) => `_ = ${t}\n`).join(''));
    const r = this.#cross.run(PROBE_NAME, source);
    if (r.status !== 0 || !r.output) return undefined;
    const consts = readMpyConstants(r.output).filter((c) => c.kind === 'float' || c.kind === 'complex');
    // Equal values share one constant: only a one-to-one table can be read by position.
    if (consts.length !== texts.length) return undefined;
    return texts.map((t, i) => (storedMatches(t, consts[i]!.text!, consts[i]!.kind as 'float' | 'complex') ? consts[i]!.text! : null));
  }

  /**
   * Splits texts into probe batches whose members cannot share a constant: mpy-cross merges equal
   * values, and its parse is off by an ulp or two at most, so literals closer than that go to
   * different batches (float and complex constants never merge with each other).
   */
  #batches(texts: readonly string[]): string[][] {
    const batches: { members: string[]; values: number[] }[] = [];
    const near = (a: number, b: number): boolean => a === b || Math.abs(a - b) <= Math.max(Math.abs(a), Math.abs(b)) * 2 ** -46;
    for (const t of texts) {
      // Imaginary literals live on their own axis: shift them out of the real ones' way.
      const v = literalValue(t);
      const key = /[jJ]$/.test(t) ? -1 - Math.abs(v) : v;
      let batch = batches.find((b) => !b.values.some((w) => near(w, key)));
      if (!batch) {
        batch = { members: [], values: [] };
        batches.push(batch);
      }
      batch.members.push(t);
      batch.values.push(key);
    }
    return batches.map((b) => b.members);
  }

  /**
   * Judges each literal text: the stored constant text if it survives, null if not, undefined
   * when mpy-cross does not compile it at all (the real compile reports that).
   */
  judge(texts: readonly string[]): Map<string, string | null | undefined> {
    const unknown = [...new Set(texts)].filter((t) => !this.#cache.has(t));
    if (unknown.length) {
      if (this.#cache.size + unknown.length > CACHE_LIMIT) this.#cache.clear();
      for (const group of this.#batches(unknown)) {
        const batch = this.#probe(group);
        for (let i = 0; i < group.length; i++) {
          const verdict = batch ? batch[i] : this.#probe([group[i]!])?.[0];
          if (verdict !== undefined) this.#cache.set(group[i]!, verdict);
        }
      }
    }
    return new Map(texts.map((t) => [t, this.#cache.get(t)]));
  }
}
