// mp.globals: the variables of __main__, read and written from JS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist } from './helpers/dist.js';
import type * as Api from '../dist/index.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython, PythonError } = (await import('../dist/index.js')) as typeof Api;

describe('mp.globals', () => {
  let mp: Api.MicroPython;
  beforeAll(async () => {
    mp = await MicroPython.create();
  });
  afterAll(() => mp.dispose());

  it('gets what exec defined and sets what Python then sees', async () => {
    await mp.exec('answer = 6 * 7\nnames = {"a": [1, 2.5, None], "b": b"\\x00"}');
    expect(await mp.globals.get('answer')).toBe(42);
    expect(await mp.globals.get('names')).toEqual({ a: [1, 2.5, null], b: new Uint8Array([0]) });
    await mp.globals.set('config', { depth: 3, tags: new Set(['x']), big: 2n ** 64n });
    expect(await mp.eval('(config["depth"] + 1, "x" in config["tags"], config["big"] - 2**64)')).toEqual([4, true, 0]);
    await mp.globals.set('answer', null);
    expect(await mp.eval('answer is None')).toBe(true);
  });

  it('has and delete follow __main__; get of a missing name is undefined', async () => {
    expect(await mp.globals.has('gone')).toBe(false);
    expect(await mp.globals.get('gone')).toBeUndefined();
    await mp.exec('gone = 1');
    expect(await mp.globals.has('gone')).toBe(true);
    await mp.globals.delete('gone');
    expect(await mp.globals.has('gone')).toBe(false);
    await expect(mp.eval('gone')).rejects.toMatchObject({ type: 'NameError' });
  });

  it('deleting a name that is not there is a NameError', async () => {
    const error = await mp.globals.delete('never_defined').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PythonError);
    expect(error).toMatchObject({ type: 'NameError', pythonMessage: "name 'never_defined' isn't defined" });
  });

  it('a value that cannot cross is an error in either direction, and nothing changes', async () => {
    await mp.exec('thing = object()');
    await expect(mp.globals.get('thing')).rejects.toMatchObject({
      type: 'TypeError',
      pythonMessage: "cannot convert 'object' to a JS value",
    });
    await expect(mp.globals.set('thing', (() => 1) as never)).rejects.toThrow(TypeError);
    expect(await mp.eval('type(thing).__name__')).toBe('object');
  });

  it('refuses a name that is not a Python variable name', async () => {
    await expect(mp.globals.get('a.b')).rejects.toThrow(`globals.get: "a.b" is not a Python variable name like 'counter'`);
    await expect(mp.globals.set('1x', 1)).rejects.toThrow(TypeError);
  });
});
