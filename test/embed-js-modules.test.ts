// registerJsModule: trusted JS functions called from Python on the main thread, promises awaited in runAsync.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist } from './helpers/dist.js';
import type * as Api from '../dist/index.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython, PythonError } = (await import('../dist/index.js')) as typeof Api;

let mp: Api.MicroPython;
const logged: unknown[] = [];
const settle: { resolve?: (v: unknown) => void } = {};

beforeAll(async () => {
  mp = await MicroPython.create({ js: true });
  await mp.registerJsModule('host', {
    version: '1.2',
    limits: { max: 3, tags: ['a'] },
    add: (a: number, b: number) => a + b,
    log(this: { version: string }, ...args: unknown[]) {
      logged.push([this.version, ...args]);
    },
    bytes: () => new Uint8Array([1, 2]),
    later: (v: number, ms: number) => new Promise((resolve) => setTimeout(() => resolve(v * 2), ms)),
    held: () =>
      new Promise((resolve) => {
        settle.resolve = resolve;
      }),
    rejects: async () => {
      throw new RangeError('out of range');
    },
    throws: () => {
      throw new Error('bad input');
    },
    unsendable: () => new Date(0),
  });
});
afterAll(() => mp.dispose());

async function pythonError(p: Promise<unknown>): Promise<Api.PythonError> {
  const e = await p.catch((x: unknown) => x);
  expect(e).toBeInstanceOf(PythonError);
  return e as Api.PythonError;
}

describe('calling JS from Python', () => {
  it('import gives the functions and the values; arguments and results are copied', async () => {
    await mp.exec('import host\nfrom host import add');
    expect(await mp.eval('(host.add(2, 3), add("a", "b"), host.version, host.limits, host.bytes())')).toEqual([
      5,
      'ab',
      '1.2',
      { max: 3, tags: ['a'] },
      new Uint8Array([1, 2]),
    ]);
    expect(await mp.eval('host.log({"k": (1, None)}, 2**60)')).toBeNull();
    expect(logged).toEqual([['1.2', { k: [1, null] }, 2n ** 60n]]);
  });

  it('a JS exception is a JsError naming the function and the JS error', async () => {
    const e = await pythonError(mp.exec('host.throws()'));
    expect(e.type).toBe('JsError');
    expect(e.pythonMessage).toBe('host.throws: Error: bad input');
    expect((await pythonError(mp.exec('host.unsendable()'))).pythonMessage).toMatch(
      /^host.unsendable: TypeError: the result: a Date instance cannot be passed/,
    );
    await mp.exec('from _mpy_jsmodule import JsError\ntry:\n    host.throws()\nexcept JsError as e:\n    caught = str(e)');
    expect(await mp.get('caught')).toBe('host.throws: Error: bad input');
  });

  it('registering again replaces the module', async () => {
    await mp.registerJsModule('other', { f: () => 1 });
    await mp.registerJsModule('other', { f: () => 2 });
    expect(await mp.eval('__import__("other").f()')).toBe(2);
  });
});

describe('promises', () => {
  it('runAsync awaits a promise a JS function returns', async () => {
    expect(await mp.runAsync('await host.later(21, 20)')).toBe(42);
  });

  it('promises run concurrently with each other and with asyncio tasks', async () => {
    const code = 'import asyncio\nr = await asyncio.gather(host.later(1, 60), host.later(2, 5), asyncio.sleep_ms(30))\nr';
    expect(await mp.runAsync(code)).toEqual([2, 4, null]);
  });

  it('Python waits until the promise settles, however late', async () => {
    const run = mp.runAsync('await host.held()');
    await expect.poll(() => settle.resolve).toBeDefined();
    settle.resolve!('finally');
    expect(await run).toBe('finally');
  });

  it('a rejection raises JsError where it is awaited', async () => {
    const e = await pythonError(mp.runAsync('await host.rejects()'));
    expect(e.type).toBe('JsError');
    expect(e.pythonMessage).toBe('host.rejects: RangeError: out of range');
  });

  it('an interrupt ends a wait for a promise; the instance stays usable', async () => {
    const run = mp.runAsync('await host.held()');
    await expect.poll(() => mp.interrupt()).toBe(true);
    expect((await pythonError(run)).type).toBe('KeyboardInterrupt');
    expect(await mp.runAsync('await host.later(1, 1)')).toBe(2);
  });
});

describe('only for trusted instances', () => {
  it('without js: true it is a TypeError naming the option, and nothing is registered', async () => {
    const sandboxed = await MicroPython.create();
    try {
      await expect(sandboxed.registerJsModule('host', { f: () => 1 })).rejects.toThrow(/created without \{ js: true \}/);
      expect((await pythonError(sandboxed.exec('import host'))).type).toBe('ImportError');
      expect((await pythonError(sandboxed.exec('import _mpy_jscall'))).type).toBe('ImportError');
    } finally {
      await sandboxed.dispose();
    }
  });

  it('a bad name or member is a TypeError before anything is sent', async () => {
    await expect(mp.registerJsModule('a.b', {})).rejects.toThrow(/not a Python module name/);
    await expect(mp.registerJsModule('m', { when: new Date() })).rejects.toThrow(/m.when: a Date instance cannot be passed/);
  });
});
