/**
 * The optimised mpy-cross's self-test: a few sources that take every path the
 * longjmp rewrite touches (a module that compiles, syntax errors raised deep
 * in the parser and the compiler, a heap too small to compile in) are run
 * through the original and the candidate wasm, and every result (status, .mpy
 * bytes, stdout, stderr) must be identical. A build that differs is not shipped.
 */
import { MpyCrossInstance, type MainResult } from '../../host/compile/mpy-cross-instance.js';

/** The sources compiled, with the GC heap each gets. */
const MPY_CROSS_SELF_TEST: readonly { readonly name: string; readonly source: string; readonly heap: number }[] = [
  {
    name: 'ok.py',
    heap: 256 * 1024,
    source: [
      'import math',
      'class Shape:',
      '    SCALE = 1.5',
      '    def __init__(self, w, h):',
      '        self.w, self.h = w, h',
      '    def area(self):',
      '        return self.w * self.h * self.SCALE',
      'def gen(xs):',
      '    try:',
      '        for x in xs:',
      '            yield {str(x): [y * 2 for y in range(x) if y % 3]}',
      '    finally:',
      '        print("done")',
      'async def main():',
      '    async with lock:',
      '        await thing(*args, **kwargs)',
      'TABLE = (1, 2.5, "three", b"four", None, True, 10 ** 30)',
      '',
    ].join('\n'),
  },
  { name: 'parse-error.py', heap: 64 * 1024, source: 'def f(:\n    pass\n' },
  { name: 'compile-error.py', heap: 64 * 1024, source: 'def f():\n    return 1\nreturn 2\n' },
  { name: 'nonlocal-error.py', heap: 64 * 1024, source: 'def f():\n    nonlocal q\n' },
  { name: 'no-memory.py', heap: 2048, source: `X = [${Array.from({ length: 400 }, (_, i) => `'s${i}'`).join(', ')}]\n` },
];

function sameResult(a: MainResult, b: MainResult): boolean {
  if (a.status !== b.status || a.stdout !== b.stdout || a.stderr !== b.stderr) return false;
  if (!a.output || !b.output) return a.output === b.output;
  return a.output.length === b.output.length && a.output.every((byte, i) => byte === b.output![i]);
}

/**
 * Runs {@link MPY_CROSS_SELF_TEST} on both modules (one fresh instance per source).
 * @returns how many sources were compared
 * @throws Error naming the first source whose results differ
 */
export function selfTestMpyCross(original: WebAssembly.Module, candidate: WebAssembly.Module): number {
  for (const t of MPY_CROSS_SELF_TEST) {
    const data = new TextEncoder().encode(t.source);
    const args = ['-X', `heapsize=${t.heap}`];
    const want = MpyCrossInstance.create(original).main(args, t.name, data, t.heap);
    const got = MpyCrossInstance.create(candidate).main(args, t.name, data, t.heap);
    if (!sameResult(want, got)) {
      throw new Error(
        `the optimised mpy-cross compiles ${t.name} differently (status ${got.status}, want ${want.status}; stderr ${JSON.stringify(got.stderr)})`,
      );
    }
  }
  return MPY_CROSS_SELF_TEST.length;
}
