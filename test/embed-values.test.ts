// Values between JS and Python: the tagged encoding in both directions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist } from './helpers/dist.js';
import type * as Api from '../dist/index.js';
import type * as Codec from '../dist/host/embed/codec.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython } = (await import('../dist/index.js')) as typeof Api;
const { encodeValue, decodeValue } = (await import('../dist/host/embed/codec.js')) as typeof Codec;

let mp: Api.MicroPython;
beforeAll(async () => {
  mp = await MicroPython.create();
  await mp.exec('def echo(x): return x\ndef kind(x): return type(x).__name__');
});
afterAll(() => mp.dispose());

describe('Python to JS', () => {
  it.each([
    ['None', null],
    ['True', true],
    ['False', false],
    ['0', 0],
    ['-7', -7],
    ['2**53 - 1', Number.MAX_SAFE_INTEGER],
    ['-(2**53 - 1)', -Number.MAX_SAFE_INTEGER],
    ['1.5', 1.5],
    ['2.0', 2],
    ['1e300', 1e300],
    ['"héllo \\u2028 \\x00"', 'héllo \u2028 \u0000'],
    ['(1, "a")', [1, 'a']],
    ['[[], {}]', [[], {}]],
    ['{"a": {"b": [1]}}', { a: { b: [1] } }],
    ['{"__proto__": 1}', JSON.parse('{"__proto__": 1}')],
  ])('%s', async (expr, value) => {
    expect(await mp.eval(expr)).toEqual(value);
  });

  it('ints beyond 2**53 become bigint', async () => {
    expect(await mp.eval('2**53')).toBe(2n ** 53n);
    expect(await mp.eval('-(3**100)')).toBe(-(3n ** 100n));
  });

  it('nan and the infinities', async () => {
    expect(await mp.eval('float("nan")')).toBeNaN();
    expect(await mp.eval('float("inf")')).toBe(Infinity);
    expect(await mp.eval('-float("inf")')).toBe(-Infinity);
  });

  it('bytes-likes become Uint8Array', async () => {
    expect(await mp.eval('bytes(range(256))')).toEqual(new Uint8Array(Array.from({ length: 256 }, (_, i) => i)));
    expect(await mp.eval('bytearray(b"ab")')).toEqual(new Uint8Array([97, 98]));
    expect(await mp.eval('memoryview(b"xyz")[1:]')).toEqual(new Uint8Array([121, 122]));
    expect(await mp.eval('b""')).toEqual(new Uint8Array(0));
  });

  it('a dict with a non-str key becomes a Map, sets become Set', async () => {
    expect(await mp.eval('{1: "a", (2, 3): "b"}')).toEqual(
      new Map<unknown, unknown>([
        [1, 'a'],
        [[2, 3], 'b'],
      ]),
    );
    expect(await mp.eval('{1, 2}')).toEqual(new Set([1, 2]));
    expect(await mp.eval('frozenset()')).toEqual(new Set());
  });

  it('floats survive exactly', async () => {
    const values = [0.1, 1 / 3, Math.PI, 5e-324, 1.7976931348623157e308, -0.5, 123456789.12345679];
    for (let i = 0; i < 200; i++) values.push((Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 40 - 20));
    expect(await mp.call('echo', values)).toEqual(values);
  });

  it('an object with no JS counterpart is a Python TypeError', async () => {
    await expect(mp.eval('object()')).rejects.toMatchObject({ type: 'TypeError' });
    await expect(mp.eval('len')).rejects.toThrow(/cannot convert 'function'/);
  });

  it('a cycle is a Python error, not a hang', async () => {
    await expect(mp.eval('(lambda l: (l.append(l), l)[1])([])')).rejects.toMatchObject({ type: 'ValueError' });
  });
});

describe('JS to Python', () => {
  it.each([
    [null, 'NoneType'],
    [undefined, 'NoneType'],
    [true, 'bool'],
    [3, 'int'],
    [3.5, 'float'],
    [2 ** 53 - 1, 'int'],
    [2 ** 60, 'float'],
    [10n ** 30n, 'int'],
    [NaN, 'float'],
    ['s', 'str'],
    [new Uint8Array([1]), 'bytes'],
    [new Uint16Array([1]), 'bytes'],
    [new ArrayBuffer(2), 'bytes'],
    [[1], 'list'],
    [{ a: 1 }, 'dict'],
    [new Map([[1, 2]]), 'dict'],
    [new Set([1]), 'set'],
  ])('%o arrives as %s', async (value, type) => {
    expect(await mp.call('kind', value as Codec.PyInput)).toBe(type);
  });

  it('round-trips nested values', async () => {
    const value = { list: [1, 'two', null, [true]], big: 2n ** 70n, bytes: new Uint8Array([0, 255]), map: new Map([[1, 'x']]) };
    expect(await mp.call('echo', value)).toEqual(value);
  });

  it('an array used as a Map key or Set member becomes a tuple', async () => {
    expect(await mp.call('kind', new Map([[[1, 2], 'v']]))).toBe('dict');
    await mp.exec('def keys(d): return [type(k).__name__ for k in d]');
    expect(await mp.call('keys', new Map([[[1, 2], 'v']]))).toEqual(['tuple']);
  });

  it('refuses what has no Python counterpart, before sending', () => {
    expect(() => encodeValue([Symbol('s')])).toThrow(/symbol cannot be passed/);
    expect(() => encodeValue({ d: new Date() })).toThrow(/Date instance/);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(() => encodeValue(cyclic)).toThrow(/nests more than/);
  });

  it('the wire format is the documented one', () => {
    expect(encodeValue([1, 1.5, 'a', null, true])).toBe('[1,1.5,"a",null,true]');
    expect(JSON.parse(encodeValue({ a: new Uint8Array([1]) }))).toEqual({ t: 'o', v: { a: { t: 'b', v: '01' } } });
    expect(JSON.parse(encodeValue(2n ** 64n))).toEqual({ t: 'i', v: '18446744073709551616' });
    expect(JSON.parse(encodeValue(2 ** 64))).toEqual({ t: 'f', v: '1.8446744073709552e+19' });
    expect(decodeValue('{"t":"m","v":[[1,2]]}')).toEqual(new Map([[1, 2]]));
    expect(decodeValue('{"t":"f","v":"-inf"}')).toBe(-Infinity);
  });
});
