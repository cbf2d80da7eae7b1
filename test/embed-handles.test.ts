// PyHandle: Python objects the codec cannot copy, kept alive in the worker and used by reference.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist } from './helpers/dist.js';
import type * as Api from '../dist/index.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython, PyHandle, PythonError, MicroPythonDisposedError } = (await import('../dist/index.js')) as typeof Api;

const POINT = `
import gc
class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y
        self.payload = bytes(range(256)) * 1024
    def moved(self, dx, dy=0):
        return Point(self.x + dx, self.y + dy)
    def norm1(self):
        return abs(self.x) + abs(self.y)
    def __repr__(self):
        return "Point(%d, %d)" % (self.x, self.y)
def churn():
    # Garbage of the payload's size classes, then a full collection.
    for i in range(64):
        bytearray(256 * 1024)
        [i] * 100
    gc.collect()
`;

let mp: Api.MicroPython;
beforeAll(async () => {
  mp = await MicroPython.create();
  await mp.exec(POINT);
});
afterAll(() => mp.dispose());

function asHandle(value: unknown): Api.PyHandle {
  expect(value).toBeInstanceOf(PyHandle);
  return value as Api.PyHandle;
}

describe('getting a handle', () => {
  it('eval with { handle: true } gives a handle for an object, plain values stay plain', async () => {
    const p = asHandle(await mp.eval('Point(1, 2)', { handle: true }));
    expect(p.type).toBe('Point');
    expect(await p.repr()).toBe('Point(1, 2)');
    expect(await mp.eval('[1, "a"]', { handle: true })).toEqual([1, 'a']);
    expect(await mp.eval('None', { handle: true })).toBeNull();
    await p.release();
  });

  it('without it, an object is still a TypeError', async () => {
    const err = await mp.eval('Point(1, 2)').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PythonError);
    expect((err as Api.PythonError).type).toBe('TypeError');
  });

  it('call and get take { handle: true } too; a list holding an object is one handle', async () => {
    const made = asHandle(await mp.callKw('Point', [3], { y: 4 }, { handle: true }));
    expect(await made.repr()).toBe('Point(3, 4)');
    const cls = asHandle(await mp.get('Point', { handle: true }));
    expect(cls.type).toBe('type');
    const list = asHandle(await mp.eval('[Point(0, 0)]', { handle: true }));
    expect(list.type).toBe('list');
    expect(await list.repr()).toBe('[Point(0, 0)]');
    for (const h of [made, cls, list]) await h.release();
  });
});

describe('using a handle', () => {
  it('get gives plain attributes as values and others as handles; methods are called through handles', async () => {
    const p = asHandle(await mp.eval('Point(1, 2)', { handle: true }));
    expect(await p.get('x')).toBe(1);
    const moved = asHandle(await asHandle(await p.get('moved')).callKw([10], { dy: 5 }));
    expect(await moved.repr()).toBe('Point(11, 7)');
    expect(await asHandle(await moved.get('norm1')).call()).toBe(18);
    await Promise.all([p.release(), moved.release()]);
  });

  it('a handle passed as an argument is its Python object, also inside containers', async () => {
    const p = asHandle(await mp.eval('Point(2, 3)', { handle: true }));
    expect(await mp.call('repr', p)).toBe('Point(2, 3)');
    expect(await mp.call('len', [p, p])).toBe(2);
    await mp.globals.set('kept', { p });
    expect(await mp.eval('kept["p"].y')).toBe(3);
    expect(await mp.eval('(lambda ps: ps["a"].x + ps["b"].y)', { handle: true }).then((f) => asHandle(f).call({ a: p, b: p }))).toBe(5);
    await p.release();
  });

  it('a Python exception in a handle call rejects with PythonError and the handle stays usable', async () => {
    const p = asHandle(await mp.eval('Point(1, 1)', { handle: true }));
    const err = await p.get('nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PythonError);
    expect((err as Api.PythonError).type).toBe('AttributeError');
    await expect(p.get('not an attr')).rejects.toThrow(TypeError);
    expect(await p.get('y')).toBe(1);
    await p.release();
  });

  it('the object survives garbage collection while held, and is collected once released', async () => {
    const before = await mp.eval<number>('churn() or gc.mem_alloc()');
    const p = asHandle(await mp.eval('Point(7, 8)', { handle: true }));
    await mp.call('churn');
    const held = await mp.eval<number>('gc.mem_alloc()');
    expect(held - before).toBeGreaterThan(256 * 1024);
    // Its memory was not reused by the churn: the payload is intact.
    const check = asHandle(await mp.eval('lambda p: p.payload == bytes(range(256)) * 1024 and p.x == 7', { handle: true }));
    expect(await check.call(p)).toBe(true);
    await check.release();
    await p.release();
    await mp.call('churn');
    expect(await mp.eval<number>('gc.mem_alloc()')).toBeLessThan(held - 128 * 1024);
  });
});

describe('release and dispose', () => {
  it('a released handle rejects with a ReferenceError naming it; release is idempotent', async () => {
    const p = asHandle(await mp.eval('Point(0, 1)', { handle: true }));
    await p.release();
    await p.release();
    expect(p.released).toBe(true);
    await expect(p.repr()).rejects.toThrow(ReferenceError);
    await expect(p.call()).rejects.toThrow(/PyHandle\(Point\)\.call: this handle was released/);
    await expect(mp.call('repr', p)).rejects.toThrow(/PyHandle\(Point\) was released and cannot be passed/);
  });

  it('Symbol.asyncDispose releases it', async () => {
    const p = asHandle(await mp.eval('Point(0, 2)', { handle: true }));
    await p[Symbol.asyncDispose]();
    expect(p.released).toBe(true);
  });

  it('a handle of a disposed instance rejects with MicroPythonDisposedError; release still resolves', async () => {
    const other = await MicroPython.create();
    await other.exec('class Q: pass');
    const q = asHandle(await other.eval('Q()', { handle: true }));
    await expect(mp.call('repr', q)).rejects.toThrow(/belongs to another MicroPython instance/);
    await other.dispose();
    const err = await q.get('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MicroPythonDisposedError);
    expect((err as Error).message).toMatch(/^PyHandle\(Q\)\.get: .*disposed.*objects are gone/);
    await q.release();
    expect(q.released).toBe(true);
  });
});
