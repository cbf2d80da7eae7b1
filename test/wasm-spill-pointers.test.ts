/**
 * The build's pointer spilling (wasm/build/spill-pointers.ts) on small
 * hand-written modules: which stores it keeps in front of calls that may
 * collect. The interpreter-level proof that the kept ones are enough is the
 * stress program of memory.test.ts; this shows each rule on its own.
 */
import binaryen from 'binaryen';
import { describe, expect, it } from 'vitest';
import { spillPointers } from '../wasm/build/spill-pointers.js';

/** A module whose `$gc_collect` may collect and whose `$pure` cannot (it calls nothing). */
const moduleText = (body: string): string => `(module
  (memory 1)
  (global $__stack_pointer (mut i32) (i32.const 65536))
  (func $gc_collect (call $gc_collect))
  (func $pure (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func $f (export "f") (param $p i32) (param $n i32) (result i32)
    ${body}
    (local.get $p)))`;

/** How many times `$f` stores its pointer `$p` into the spill frame. */
function spillStoresOfP(body: string): number {
  const m = binaryen.parseText(moduleText(body));
  try {
    spillPointers(binaryen, m, 'gc_collect');
    expect(m.validate()).toBeTruthy();
    const text = binaryen.emitText(binaryen.getFunctionInfo(m.getFunction('f')).body);
    // Flattened, the parameter is copied into a local first; count the stores of whatever holds it.
    return [...text.matchAll(/\(i32\.store[^\n]*\n\s*\(local\.get \$\d+\)\n\s*\(local\.get \$(\d+)\)/g)].length;
  } finally {
    m.dispose();
  }
}

describe('spilling pointers', () => {
  it('stores an unchanged pointer once for a run of calls that may collect', () => {
    expect(spillStoresOfP('(call $gc_collect) (call $gc_collect) (call $gc_collect)')).toBe(1);
  });

  it('stores it again after it changes', () => {
    expect(spillStoresOfP('(call $gc_collect) (local.set $p (i32.add (local.get $p) (i32.const 8))) (call $gc_collect)')).toBe(2);
  });

  it('does not count a store in one arm of an if for the code after it', () => {
    expect(spillStoresOfP('(if (local.get $n) (then (call $gc_collect))) (call $gc_collect)')).toBe(2);
  });

  it('keeps the store inside a loop that changes the pointer', () => {
    const loop = `(loop $l
      (call $gc_collect)
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
      (call $gc_collect)`;
    expect(spillStoresOfP(loop)).toBeGreaterThanOrEqual(2);
  });

  it('stores nothing in front of calls that cannot collect', () => {
    expect(spillStoresOfP('(drop (call $pure (local.get $n))) (call $gc_collect)')).toBe(1);
  });
});
