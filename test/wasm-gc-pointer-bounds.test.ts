/**
 * The build's widening of the collector's heap-pointer test
 * (wasm/build/gc-pointer-bounds.ts) on a hand-written copy of its shape:
 * every word gets the same answer as before, and words below the static
 * state or past the end of memory no longer walk the areas. The interpreter
 * built with it passes memory.test.ts's stress program.
 */
import binaryen from 'binaryen';
import { describe, expect, it } from 'vitest';
import { boundHeapPointerTests } from '../wasm/build/gc-pointer-bounds.js';

const CTX = 1024;
const FIRST_AREA = CTX + 384;
const SECOND_AREA = 2048;
const PAGES = 4;

/** `gc_get_ptr_area` as the official build inlines it, counting the areas it visits. */
const MODULE = `(module
  (memory (export "memory") ${PAGES})
  (global $visits (mut i32) (i32.const 0))
  (func (export "area") (param $p i32) (result i32)
    (local $a i32)
    (block $none
      (br_if $none (i32.and (local.get $p) (i32.const 15)))
      (local.set $a (i32.add (i32.const ${CTX}) (i32.const 384)))
      (loop $walk
        (global.set $visits (i32.add (global.get $visits) (i32.const 1)))
        (if (i32.ge_u (local.get $p) (i32.load offset=16 (local.get $a)))
          (then (if (i32.lt_u (local.get $p) (i32.load offset=20 (local.get $a)))
            (then (return (local.get $a))))))
        (br_if $walk (local.tee $a (i32.load (local.get $a))))))
    (i32.const 0))
  (func (export "visits") (result i32) (global.get $visits))
  (func (export "other") (param $p i32) (result i32)
    (block $b
      (br_if $b (i32.and (local.get $p) (i32.const 15)))
      (return (i32.const 1)))
    (i32.const 0)))`;

interface Probe {
  area(word: number): number;
  visits(): number;
  other(word: number): number;
}

/** Instantiates the module (widened or not) with two areas: pools [64 KiB, 96 KiB) and [128 KiB, 192 KiB). */
function instantiate(widen: boolean): { probe: Probe; widened: number } {
  const m = binaryen.parseText(MODULE);
  try {
    const widened = widen ? boundHeapPointerTests(binaryen, m, CTX) : 0;
    expect(m.validate()).toBeTruthy();
    const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(m.emitBinary())));
    const exports = instance.exports as unknown as Probe & { memory: WebAssembly.Memory };
    const words = new Uint32Array(exports.memory.buffer);
    const area = (at: number, next: number, start: number, end: number): void => {
      words[at / 4] = next;
      words[at / 4 + 4] = start;
      words[at / 4 + 5] = end;
    };
    area(FIRST_AREA, SECOND_AREA, 0x10000, 0x18000);
    area(SECOND_AREA, 0, 0x20000, 0x30000);
    return { probe: exports, widened };
  } finally {
    m.dispose();
  }
}

const WORDS = [
  0,
  3,
  16,
  0x400,
  CTX,
  0xfff0,
  0x10000,
  0x10010,
  0x17ff0,
  0x18000,
  0x1fff0,
  0x20000,
  0x2fff0,
  0x30000,
  0x40000,
  0x7fff0000,
  0xfffffff0,
];

describe('widening the heap-pointer test', () => {
  it('finds the one inlined test and leaves other alignment branches alone', () => {
    expect(instantiate(true).widened).toBe(1);
    const { probe } = instantiate(true);
    expect([0, 16, 0x7fff0000, 3].map((w) => probe.other(w))).toEqual([1, 1, 1, 0]);
  });

  it('gives every word the same area as before', () => {
    const before = instantiate(false).probe;
    const after = instantiate(true).probe;
    const answers = (probe: Probe): number[] => WORDS.map((w) => probe.area(w | 0));
    expect(answers(after)).toEqual(answers(before));
    expect(answers(before).filter((a) => a !== 0).length).toBe(5);
  });

  it('answers words below the static state or past memory without visiting an area', () => {
    const before = instantiate(false).probe;
    const after = instantiate(true).probe;
    for (const word of [0, 16, CTX - 16, 0x40000, 0x7fff0000]) {
      const [b0, a0] = [before.visits(), after.visits()];
      expect(before.area(word)).toBe(0);
      expect(after.area(word)).toBe(0);
      expect(before.visits() - b0).toBe(2);
      expect(after.visits() - a0).toBe(0);
    }
    // A word between the state and the first pool still walks (the bound is the state, not the heap's start).
    const a0 = after.visits();
    after.area(0xfff0);
    expect(after.visits() - a0).toBe(2);
  });

  it('refuses a module without the shape', () => {
    const m = binaryen.parseText('(module (func (export "f")))');
    try {
      expect(() => boundHeapPointerTests(binaryen, m, CTX)).toThrow(/found no inlined heap-pointer test/);
    } finally {
      m.dispose();
    }
  });
});
