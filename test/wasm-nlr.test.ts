/**
 * MicroPython's non-local returns (nlr: setjmp/longjmp) through the real
 * interpreter, on both builds of the wasm: the optimised one, where longjmp is
 * a wasm exception caught inside the module, and the original one, where it
 * goes through the host's JS trampolines. Every case prints what it observed
 * and is compared with what MicroPython does.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureOptimisedWasm } from './helpers/wasm-build.js';
import { createInterpreter, runPython } from './helpers/python-run.js';
import type { InterpreterWasmKind } from '../wasm/compiled-module.js';
import { PythonError } from '../runtime/errors.js';

beforeAll(() => ensureOptimisedWasm(), 120_000);

const py = (lines: string[]): string => `${lines.join('\n')}\n`;

describe.each<InterpreterWasmKind>(['optimised', 'original'])('nlr on the %s wasm', (kind) => {
  const run = async (lines: string[]): Promise<string> => (await runPython(kind, py(lines))).output;

  it('unwinds nested try/except/finally in order, re-raising from a handler', async () => {
    const out = await run([
      'log = []',
      'def f():',
      '    try:',
      '        try:',
      '            log.append("a")',
      '            raise ValueError("v")',
      '        except ValueError as e:',
      '            log.append("b:" + str(e))',
      '            raise TypeError("t")',
      '        finally:',
      '            log.append("c")',
      '    except TypeError as e:',
      '        log.append("d:" + str(e))',
      '    finally:',
      '        log.append("e")',
      '    return "r"',
      'print(f(), log)',
    ]);
    expect(out).toBe("r ['a', 'b:v', 'c', 'd:t', 'e']\n");
  });

  it('lets return in finally swallow the exception, and raise ... from still raises', async () => {
    const out = await run([
      'def g():',
      '    try:',
      '        raise KeyError(1)',
      '    finally:',
      '        return "swallowed"',
      'print(g())',
      'try:',
      '    try:',
      '        1 // 0',
      '    except ZeroDivisionError as e:',
      '        raise RuntimeError("wrapped") from e',
      'except RuntimeError as e:',
      '    print("from", e)',
    ]);
    // The build does not chain exceptions, and says so when `raise ... from` runs.
    expect(out).toBe('swallowed\nWarning: exception chaining not supported\nfrom wrapped\n');
  });

  it('carries exceptions into, out of and through generators', async () => {
    const out = await run([
      'def gen():',
      '    try:',
      '        yield 1',
      '        yield 2',
      '    except GeneratorExit:',
      '        print("closed")',
      '        raise',
      '    finally:',
      '        print("gen finally")',
      'g = gen()',
      'print(next(g))',
      'g.close()',
      'def gen2():',
      '    try:',
      '        yield 1',
      '    except ValueError as e:',
      '        print("gen2 got", e)',
      '        yield "recovered"',
      'g = gen2()',
      'next(g)',
      'print(g.throw(ValueError("boom")))',
      'def gen3():',
      '    yield 1',
      '    raise IndexError("from gen3")',
      'try:',
      '    for x in gen3():',
      '        print("x", x)',
      'except IndexError as e:',
      '    print("caught", e)',
      'def inner():',
      '    yield "i1"',
      '    return "done"',
      'def outer():',
      '    r = yield from inner()',
      '    yield r',
      'print(list(outer()))',
      'try:',
      '    next(iter([]))',
      'except StopIteration as e:',
      '    print("stop", repr(e))',
    ]);
    expect(out).toBe(
      [
        '1',
        'closed',
        'gen finally',
        'gen2 got boom',
        'recovered',
        'x 1',
        'caught from gen3',
        "['i1', 'done']",
        'stop StopIteration()',
        '',
      ].join('\n'),
    );
  });

  it('raises from closures and lambdas called by C code (comprehensions, sorted, map)', async () => {
    const out = await run([
      'def make(n):',
      '    def check(x):',
      '        if x > n:',
      '            raise OverflowError("%d > %d" % (x, n))',
      '        return x',
      '    return check',
      'c = make(3)',
      'try:',
      '    print([c(i) for i in range(10)])',
      'except OverflowError as e:',
      '    print("closure", e)',
      'try:',
      '    sorted([3, 1, 2], key=lambda v: 1 // (v - 2))',
      'except ZeroDivisionError as e:',
      '    print("key", e)',
      'try:',
      "    list(map(lambda s: s[5], ['ab']))",
      'except IndexError as e:',
      '    print("map", e)',
    ]);
    expect(out).toBe('closure 4 > 3\nkey divide by zero\nmap string index out of range\n');
  });

  it('raises from special methods that C calls (__eq__, __hash__, properties)', async () => {
    const out = await run([
      'class E:',
      '    def __eq__(self, o):',
      '        raise ValueError("eq")',
      'try:',
      '    [E()].index(5)',
      'except ValueError as e:',
      '    print("eq", e)',
      'class H:',
      '    def __hash__(self):',
      '        raise LookupError("hash")',
      'try:',
      '    {H(): 1}',
      'except LookupError as e:',
      '    print("hash", e)',
      'class P:',
      '    @property',
      '    def v(self):',
      '        raise AttributeError("prop")',
      'try:',
      '    P().v',
      'except AttributeError as e:',
      '    print("prop", e)',
      'try:',
      '    int("x")',
      'except ValueError as e:',
      '    print("int", type(e).__name__)',
    ]);
    expect(out).toBe('eq eq\nhash hash\nprop prop\nint ValueError\n');
  });

  it('restores the C stack on every longjmp (100,000 caught exceptions)', async () => {
    const out = await run([
      'def f(i):',
      '    return {}[i]',
      'n = 0',
      'for i in range(100000):',
      '    try:',
      '        f(i)',
      '    except KeyError:',
      '        n += 1',
      'print(n)',
    ]);
    expect(out).toBe('100000\n');
  });

  it('turns deep recursion of every kind into RuntimeError and keeps the VM usable', async () => {
    const { interpreter, output } = await createInterpreter(kind);
    const cases = {
      plain: 'def r(n):\n    return r(n + 1)\nr(0)',
      repr: 'class A:\n    def __repr__(self):\n        return repr(A())\nrepr(A())',
      generator: 'def g(n):\n    yield from g(n + 1)\nlist(g(0))',
      init: 'class B:\n    def __init__(self):\n        self.b = B()\nB()',
      key: 'def h():\n    return sorted([1, 2], key=lambda x: h())\nh()',
      finally: 'def k():\n    try:\n        return k()\n    finally:\n        pass\nk()',
    };
    for (const [name, body] of Object.entries(cases)) {
      const indented = body.replace(/^/gm, '    ');
      interpreter.exec(`try:\n${indented}\nexcept RuntimeError as e:\n    print(${JSON.stringify(name)}, e)\n`);
    }
    interpreter.exec(
      py([
        'def depth(n):',
        '    try:',
        '        return depth(n + 1)',
        '    except RuntimeError:',
        '        return n',
        'print("deep enough", depth(0) > 400)',
      ]),
    );
    const expected = Object.keys(cases).map((name) => `${name} maximum recursion depth exceeded\n`);
    expect(output()).toBe(`${expected.join('')}deep enough True\n`);
  });

  it('reports an uncaught exception as PythonError and runs the next program', async () => {
    const { interpreter, output } = await createInterpreter(kind);
    let error: unknown;
    try {
      interpreter.exec('def f():\n    raise OSError(2)\nf()\n');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PythonError);
    expect((error as PythonError).type).toBe('OSError');
    interpreter.exec('print("still here")\n');
    expect(output()).toBe('still here\n');
  });

  it('delivers a scheduled KeyboardInterrupt through the VM loop', async () => {
    const { interpreter, output } = await createInterpreter(kind);
    interpreter.interrupt();
    interpreter.exec(
      py([
        'i = -1',
        'try:',
        '    for i in range(10 ** 7):',
        '        pass',
        'except KeyboardInterrupt:',
        '    print("interrupted", i < 10 ** 7 - 1)',
      ]),
    );
    interpreter.exec('print("then", sum(range(10)))\n');
    expect(output()).toBe('interrupted True\nthen 45\n');
  });
});
