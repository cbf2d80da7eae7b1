// How calls cross to an instance's worker: through the shared call buffer
// when they fit, on the port when they are large or carry bytes, with the
// output a call wrote delivered before it resolves, in the order made.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist } from './helpers/dist.js';
import type * as Api from '../dist/index.js';
import type * as Channel from '../dist/host/embed/channel.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython, PythonError } = (await import('../dist/index.js')) as typeof Api;
const { liveWorkerCount } = (await import('../dist/host/embed/channel.js')) as typeof Channel;

/** Larger than the call buffer's 64 KiB area, with characters of 1 to 4 UTF-8 bytes. */
const LARGE = 'aé€😀'.repeat(30_000);

describe('calls through the call buffer and the port', () => {
  let mp: Api.MicroPython;
  beforeAll(async () => {
    mp = await MicroPython.create();
  });
  afterAll(() => mp.dispose());

  it('carries requests and results larger than the call buffer', async () => {
    await mp.exec(`big = ${JSON.stringify(LARGE)}\n# ${'x'.repeat(70_000)}`);
    expect(await mp.eval('big')).toBe(LARGE);
    expect(await mp.call('len', LARGE)).toBe(4 * 30_000);
    expect(await mp.eval('[big, {"k": big}]')).toEqual([LARGE, { k: LARGE }]);
    expect(await mp.eval('1 + 1')).toBe(2);
  });

  it('keeps strings exactly, NULs included', async () => {
    expect(await mp.eval('"a\\x00b" + "é" * 3')).toBe('a\u0000bééé');
    expect(await mp.call('str', 'x\u0000y')).toBe('x\u0000y');
    expect(await mp.eval('"s" * 3')).toBe('sss');
    expect(await mp.eval('""')).toBe('');
  });

  it('passes plain call arguments as Python values, and any others through the encoding', async () => {
    await mp.exec('def kinds(*a):\n    return [type(x).__name__ for x in a]');
    expect(await mp.call('kinds', null, true, 7, -2147483648, 2147483647, 1.5, 's')).toEqual([
      'NoneType',
      'bool',
      'int',
      'int',
      'int',
      'float',
      'str',
    ]);
    expect(await mp.call('kinds', 2147483648, 2 ** 40, 1e300, Number.NaN, [1], { a: 1 })).toEqual([
      'int',
      'int',
      'float',
      'float',
      'list',
      'dict',
    ]);
    expect(await mp.call('max', 2 ** 40, 3)).toBe(2 ** 40);
    expect(await mp.eval('-2**31')).toBe(-(2 ** 31));
    expect(await mp.eval('2**31')).toBe(2 ** 31);
  });

  it('runs calls made together one at a time in the order made, whichever way each crosses', async () => {
    await mp.exec('order = []');
    const bytes = new Uint8Array([0, 1, 2, 255]);
    const calls = [
      mp.exec('order.append(1)'),
      mp.fs.writeFile('/b.bin', bytes),
      mp.exec(`order.append(2)\n# ${'y'.repeat(70_000)}`),
      mp.eval('open("/b.bin", "rb").read()'),
      mp.setStdin('line\n'),
      mp.exec('order.append(input())'),
      mp.fs.readFile('/b.bin'),
      mp.call('order.append', LARGE.slice(0, 10)),
      mp.eval('order'),
    ];
    const results = await Promise.all(calls);
    expect(results[3]).toEqual(bytes);
    expect(results[6]).toEqual(bytes);
    expect(results[8]).toEqual([1, 2, 'line', LARGE.slice(0, 10)]);
    const many = await Promise.all(Array.from({ length: 200 }, (_, i) => mp.eval(`${i} * 2`)));
    expect(many).toEqual(Array.from({ length: 200 }, (_, i) => i * 2));
  });

  it('reports a Python error and goes on', async () => {
    await expect(mp.eval('1/0')).rejects.toThrow(PythonError);
    await expect(mp.eval(`(${JSON.stringify(LARGE)}, 1/0)`)).rejects.toThrow(/ZeroDivisionError/);
    expect(await mp.eval('3')).toBe(3);
  });

  it('answers after the instance idled long enough to wait with its event loop running', async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await mp.eval('40 + 2')).toBe(42);
    expect(await mp.eval('43')).toBe(43);
  });
});

describe('output and replies', () => {
  it('delivers all the output a call wrote before the call resolves', async () => {
    const seen: string[] = [];
    await using mp = await MicroPython.create({ stdout: (chunk) => seen.push(chunk) });
    for (const lines of [1, 5_000]) {
      seen.length = 0;
      await mp.exec(`for i in range(${lines}):\n    print(i)`);
      expect(seen.join('')).toBe(Array.from({ length: lines }, (_, i) => `${i}\n`).join(''));
    }
    seen.length = 0;
    expect(await mp.eval('print("before") or 7')).toBe(7);
    expect(seen.join('')).toBe('before\n');
  });
});

describe('calls made while Python waits for a registered JS function', () => {
  it('run after the call that is waiting, in order', async () => {
    await using mp = await MicroPython.create({ js: true });
    const queued: Promise<unknown>[] = [];
    await mp.registerJsModule('host', {
      poke(n: number) {
        // A registered function must not wait for a call on its own instance; it may make one.
        queued.push(mp.eval(`log + [${n}]`));
        return n * 10;
      },
    });
    await mp.exec('import host\nlog = []');
    await mp.exec('for i in range(3):\n    log.append(host.poke(i))');
    expect(await Promise.all(queued)).toEqual([
      [0, 10, 20, 0],
      [0, 10, 20, 1],
      [0, 10, 20, 2],
    ]);
  });
});

describe('dispose', () => {
  it('ends an instance waiting blocked for its next call, one waiting with its event loop running, and one busy', async () => {
    const before = liveWorkerCount();
    const justCalled = await MicroPython.create();
    const idled = await MicroPython.create();
    const busy = await MicroPython.create({ interruptGraceMs: 100 });
    await justCalled.eval('1');
    await idled.eval('1');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const running = busy.exec('while True:\n    pass').catch((e: unknown) => e);
    await Promise.all([justCalled.dispose(), idled.dispose(), busy.dispose()]);
    expect(String(await running)).toMatch(/disposed/);
    await expect(idled.eval('1')).rejects.toThrow(/disposed/);
    expect(liveWorkerCount()).toBe(before);
  });
});
