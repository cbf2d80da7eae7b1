// runAsync: top-level await with asyncio, in __main__; and the source wrapping behind it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist } from './helpers/dist.js';
import type * as Api from '../dist/index.js';
import type * as AsyncSource from '../dist/host/embed/async-source.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython, PyHandle, PythonError } = (await import('../dist/index.js')) as typeof Api;
const { asyncSource } = (await import('../dist/host/embed/async-source.js')) as typeof AsyncSource;

let mp: Api.MicroPython;
beforeAll(async () => {
  mp = await MicroPython.create();
  await mp.exec('import asyncio\nasync def double(x, ms=5):\n    await asyncio.sleep_ms(ms)\n    return 2 * x');
});
afterAll(() => mp.dispose());

async function pythonError(p: Promise<unknown>): Promise<Api.PythonError> {
  const e = await p.catch((x: unknown) => x);
  expect(e).toBeInstanceOf(PythonError);
  return e as Api.PythonError;
}

describe('runAsync', () => {
  it('awaits at top level and resolves to the last expression', async () => {
    expect(await mp.runAsync('y = await double(21)\ny  # the answer')).toBe(42);
    expect(await mp.runAsync('await asyncio.gather(double(1, 20), double(2))')).toEqual([2, 4]);
  });

  it('top-level names land in __main__: assignments, defs, imports, loop variables', async () => {
    await mp.runAsync(
      'import json as j\nasync def later():\n    return await double(4)\nfor k in range(3):\n    pass\nresult = await later()\nif True:\n    nested = [k for k in "ab"]',
    );
    expect(await mp.eval('(j.dumps(1), result, k, nested)')).toEqual(['1', 8, 2, ['a', 'b']]);
  });

  it('is null when the last statement is not an expression', async () => {
    expect(await mp.runAsync('z = await double(1)')).toBeNull();
    expect(await mp.runAsync('for i in range(2):\n    await double(i)')).toBeNull();
    expect(await mp.runAsync('')).toBeNull();
  });

  it('strings spanning lines keep their text', async () => {
    expect(await mp.runAsync('s = """a\n  b\n"""\nawait asyncio.sleep_ms(0)\ns')).toBe('a\n  b\n');
  });

  it('quotes inside strings and comments do not confuse the wrapping', async () => {
    const code = [
      "a = 'it\\'s'  # don't",
      't = """x "y" \'\'\' z',
      'still in t"""',
      'u = f"{a}!" + r"\\\\x"',
      'await asyncio.sleep_ms(0)',
      '(a, t, u)',
    ].join('\n');
    expect(await mp.runAsync(code)).toEqual(["it's", "x \"y\" ''' z\nstill in t", "it's!" + '\\\\x']);
  });

  it('a value the codec cannot copy is a TypeError, or a handle with { handle: true }', async () => {
    expect((await pythonError(mp.runAsync('await double(1)\nobject()'))).type).toBe('TypeError');
    const h = await mp.runAsync('await double(1)\nobject()', { handle: true });
    expect(h).toBeInstanceOf(PyHandle);
    await (h as Api.PyHandle).release();
  });

  it("exceptions report the user's lines, without the wrapper or asyncio's frames", async () => {
    const e = await pythonError(mp.runAsync('x = 1\nawait double(None)'));
    expect(e.type).toBe('TypeError');
    expect(e.traceback).toMatch(
      /^Traceback \(most recent call last\):\n {2}File "<string>", line 2, in <module>\n {2}File "<string>", line 4, in double\n/,
    );
    expect(e.traceback).not.toMatch(/asyncio|__mpy_async_main__|mpy-async/);
    const syntax = await pythonError(mp.runAsync('x = 1\nawait = = 2'));
    expect(syntax.type).toBe('SyntaxError');
  });

  it('an interrupt stops it and the instance stays usable', async () => {
    const run = mp.runAsync('while True:\n    await asyncio.sleep_ms(1)');
    const stopped = pythonError(run);
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        if (mp.interrupt()) resolve();
        else setImmediate(tick);
      };
      tick();
    });
    expect((await stopped).type).toBe('KeyboardInterrupt');
    expect(await mp.runAsync('await double(3)')).toBe(6);
  });
});

describe('asyncSource', () => {
  it('declares every mentioned name global, skipping keywords, attributes, strings and comments', () => {
    const { plain } = asyncSource('a = b.c + "d e" # f g\nfor i in x: await y(i)');
    const declared = plain.split('\n')[1]!.replace(' global ', '').split(', ').sort();
    expect(declared).toEqual(['a', 'b', 'i', 'x', 'y']);
  });

  it('offers a returning version only when there is a statement', () => {
    expect(asyncSource('# nothing\n').withReturn).toBeNull();
    expect(asyncSource('x = (1,\n 2)\nx').withReturn).toMatch(/ return \(x\n \)$/);
  });
});
