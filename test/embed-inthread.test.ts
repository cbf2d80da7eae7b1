// thread: 'current': the interpreter boots in the calling thread (this test
// file's) and answers the same API with no worker; what cannot work there is
// refused at create; several live side by side in one thread.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadMicroPython } from '@micropython/micropython-webassembly-pyscript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist } from './helpers/dist.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';
import type * as Api from '../dist/index.js';
import type * as Channel from '../dist/host/embed/channel.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython, PythonError, ExitError, MicroPythonDisposedError, MicroPythonFsError, MicroPythonTimeoutError } = (await import(
  '../dist/index.js'
)) as typeof Api;
const { liveWorkerCount } = (await import('../dist/host/embed/channel.js')) as typeof Channel;

/** V8's full collection, which this fork was not started with the flag for. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('an in-thread instance', () => {
  let host: string;
  let mp: Api.MicroPython;
  let workersBefore: number;
  beforeAll(async () => {
    host = tempDir('mpy-inthread-');
    mkdirSync(join(host, 'lib'));
    writeFileSync(join(host, 'lib', 'shapes.py'), 'def area(w, h):\n    return w * h\n');
    workersBefore = liveWorkerCount();
    mp = await MicroPython.create({
      thread: 'current',
      mounts: { '/lib': join(host, 'lib'), '/work': join(host) },
      cwd: '/work',
      env: { GREETING: 'hi' },
      argv: ['prog', '-v'],
      stdin: 'line one\n',
      heapSize: '2M',
    });
  });
  afterAll(async () => {
    await mp.dispose();
    removeDir(host);
  });

  it('starts no worker thread', () => {
    expect(liveWorkerCount()).toBe(workersBefore);
  });

  it('answers exec, eval, call, get, import and globals as a worker instance does', async () => {
    await mp.exec('import shapes\nx = [1, 2.5, "s", None, {"k": (1, 2)}]');
    expect(await mp.eval('x')).toEqual([1, 2.5, 's', null, { k: [1, 2] }]);
    expect(await mp.call('shapes.area', 3, 4)).toBe(12);
    expect(await mp.callKw('shapes.area', [2], { h: 5 })).toBe(10);
    expect(await mp.get('shapes.area.__name__')).toBe('area');
    const json = await mp.import('json');
    expect(await json.call('dumps', { a: 1 })).toBe('{"a": 1}');
    await mp.globals.set('big', 2n ** 70n);
    expect(await mp.eval('big + 1')).toBe(2n ** 70n + 1n);
    expect(await mp.eval('b"\\x00\\xff"')).toEqual(new Uint8Array([0, 255]));
  });

  it('gives Python the options: mounts, cwd, env, argv, path, stdin', async () => {
    expect(await mp.eval('__import__("os").getcwd()')).toBe('/work');
    expect(await mp.eval('__import__("os").getenv("GREETING")')).toBe('hi');
    expect(await mp.eval('__import__("sys").argv')).toEqual(['prog', '-v']);
    expect(await mp.eval('"/lib" in __import__("sys").path')).toBe(true);
    expect(await mp.eval('input()')).toBe('line one');
    await mp.setStdin('again\n');
    expect(await mp.eval('input()')).toBe('again');
  });

  it('rejects with PythonError and ExitError, and stays usable', async () => {
    const e = await mp.exec('def f():\n    raise KeyError("k")\nf()').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PythonError);
    expect((e as Api.PythonError).type).toBe('KeyError');
    expect((e as Api.PythonError).traceback).toContain('line 2, in f');
    const exit = await mp.exec('raise SystemExit(3)').catch((x: unknown) => x);
    expect(exit).toBeInstanceOf(ExitError);
    expect((exit as Api.ExitError).exitCode).toBe(3);
    expect(await mp.eval('1 + 1')).toBe(2);
  });

  it('bounds the heap (MemoryError) and recursion (RuntimeError) and stays usable', async () => {
    await expect(mp.exec('x = bytearray(8 * 1024 * 1024)')).rejects.toMatchObject({ type: 'MemoryError' });
    await expect(mp.exec('def r(n):\n    return r(n + 1)\nr(0)')).rejects.toMatchObject({ type: 'RuntimeError' });
    expect(await mp.eval('sum(range(10))')).toBe(45);
  });

  it('keeps the fs helpers, mount and runFile', async () => {
    await mp.fs.writeFile('/tmp.txt', 'memory');
    expect(await mp.fs.readFile('/tmp.txt', 'utf8')).toBe('memory');
    const err = await mp.fs.readFile('/missing').catch((x: unknown) => x);
    expect(err).toBeInstanceOf(MicroPythonFsError);
    expect((err as Api.MicroPythonFsError).code).toBe('ENOENT');
    await mp.mount('/ro', join(host, 'lib'), { readOnly: true });
    expect(await mp.fs.readdir('/ro')).toContain('shapes.py');
    await mp.fs.writeFile('/work/main.py', 'import sys\nprint("run", sys.argv)\nraise SystemExit(4)');
    expect(await mp.runFile('/work/main.py', { argv: ['main.py'] })).toEqual({ exitCode: 4, stdout: "run ['main.py']\n", stderr: '' });
  });

  it('gives handles to objects the codec cannot copy', async () => {
    const counter = (await mp.eval('type("C", (), {"n": 7})()', { handle: true })) as Api.PyHandle;
    expect(counter.type).toBe('C');
    expect(await counter.get('n')).toBe(7);
    await counter.release();
  });

  it('runs each call when it is made, in the order made', async () => {
    mp.clearOutput();
    const first = mp.exec('print("one")');
    // The call already ran: no thread hop, nothing to wait for.
    expect(mp.stdout).toBe('one\n');
    const second = mp.exec('print("two")');
    await Promise.all([first, second]);
    expect(mp.stdout).toBe('one\ntwo\n');
  });
});

describe('output and callbacks', () => {
  it('hands output to callbacks, line by line, and runs a call made from one after the running call', async () => {
    const lines: string[] = [];
    let nested: Promise<unknown> | undefined;
    await using mp = await MicroPython.create({
      thread: 'current',
      lineBuffered: true,
      stdout: (chunk) => {
        lines.push(chunk);
        nested ??= mp.eval('n');
      },
    });
    await mp.exec('n = 1\nprint("a")\nn = 2\nprint("b", end="")');
    expect(lines).toEqual(['a\n', 'b']);
    // Made while the exec ran, it ran after the exec, so it saw the last n.
    expect(await nested).toBe(2);
  });

  it('lets an output callback interrupt the running call (the one way to reach it)', async () => {
    let mp: Api.MicroPython | undefined;
    let interrupted: boolean | undefined;
    mp = await MicroPython.create({
      thread: 'current',
      stdout: () => {
        interrupted ??= mp!.interrupt();
      },
    });
    try {
      const e = await mp.exec('print("go")\nwhile True:\n    pass').catch((x: unknown) => x);
      expect(interrupted).toBe(true);
      expect((e as Api.PythonError).type).toBe('KeyboardInterrupt');
      expect(mp.interrupt()).toBe(false);
      expect(await mp.eval('1')).toBe(1);
    } finally {
      await mp.dispose();
    }
  });

  it('calls registered JS functions directly; one returning a promise raises JsError', async () => {
    await using mp = await MicroPython.create({ thread: 'current', js: true });
    await mp.registerJsModule('host', { add: (a: number, b: number) => a + b, later: async () => 1, scale: 3 });
    expect(await mp.eval('__import__("host").add(2, 3) * __import__("host").scale')).toBe(15);
    const e = await mp.exec('import host\nhost.later()').catch((x: unknown) => x);
    expect((e as Api.PythonError).traceback).toContain(
      'host.later returned a promise, which cannot settle while Python runs in the calling thread',
    );
  });
});

describe('timeoutMs (a watchdog thread) and what the calling thread cannot do', () => {
  it('interrupts a call that runs past timeoutMs, in a loop or a sleep, and stays usable', async () => {
    await using mp = await MicroPython.create({ thread: 'current', timeoutMs: 300 });
    const spin = await mp.exec('while True:\n    pass').catch((x: unknown) => x);
    expect(spin).toBeInstanceOf(MicroPythonTimeoutError);
    expect(spin).toMatchObject({ operation: 'exec', timeoutMs: 300, terminated: false });
    await expect(mp.exec('import time\ntime.sleep(30)')).rejects.toBeInstanceOf(MicroPythonTimeoutError);
    expect(await mp.eval('"still here"')).toBe('still here');
    // A call within the limit is not touched, however many run.
    for (let i = 0; i < 200; i++) expect(await mp.eval(`${i} + 1`)).toBe(i + 1);
  });

  it('refuses interruptGraceMs and a wrong thread at create, saying what to change', async () => {
    await expect(MicroPython.create({ thread: 'current', interruptGraceMs: 10 })).rejects.toThrow(
      "MicroPython.create: interruptGraceMs cannot be used with thread: 'current': the calling thread cannot be terminated",
    );
    await expect(MicroPython.create({ thread: 'main' as 'current' })).rejects.toThrow(
      `MicroPython.create: thread must be 'worker' or 'current', not "main"`,
    );
    await expect(MicroPython.create({ Thread: 'current' } as Api.MicroPythonOptions)).rejects.toThrow("did you mean 'thread'?");
  });
});

describe('several in one thread', () => {
  it('live side by side, each with its own state, JS modules and limits; one disposed leaves the other as it was', async () => {
    const first = await MicroPython.create({ thread: 'current', js: true });
    await using second = await MicroPython.create({ thread: 'current', js: true, timeoutMs: 300 });
    await using worker = await MicroPython.create();
    await first.registerJsModule('host', { name: () => 'first' });
    await second.registerJsModule('host', { name: () => 'second' });
    await first.exec('import host, jsffi\nx = 1\nheld = [jsffi.to_js([i]) for i in range(100)]');
    await second.exec('import host\nx = 2\nheld = [bytearray(64) for i in range(1000)]');
    expect(await first.eval('(x, host.name(), len(held), held[7][0])')).toEqual([1, 'first', 100, 7]);
    expect(await second.eval('(x, host.name(), len(held))')).toEqual([2, 'second', 1000]);
    await expect(second.exec('while True:\n    pass')).rejects.toBeInstanceOf(MicroPythonTimeoutError);
    expect(await first.eval('__import__("js").process.pid')).toBe(process.pid);
    expect(await worker.eval('2')).toBe(2);
    await first.dispose();
    expect(await second.eval('(x, host.name(), sum(len(b) for b in held))')).toEqual([2, 'second', 64_000]);
  });

  it('may be made at once', async () => {
    const made = await Promise.all([MicroPython.create({ thread: 'current' }), MicroPython.create({ thread: 'current' })]);
    expect(await Promise.all(made.map((mp, i) => mp.eval(`${i} * 10`)))).toEqual([0, 10]);
    await Promise.all(made.map((mp) => mp.dispose()));
  });

  it("live beside the stock package's interpreter, whose proxy finalizers reach only their own", async () => {
    // The published glue keeps its Module and proxy table on globalThis, and
    // the stock interpreter's finalizers call whatever Module is there: they
    // freed this instance's objects by number (a wasm trap later) until mpy
    // bound the glue's state per instance.
    const stock = await loadMicroPython({ heapsize: 4 * 1024 * 1024, stdout: () => {} });
    const stockProxies = (globalThis as unknown as { proxy_js_map: Map<number, unknown> }).proxy_js_map;
    stock.runPython('def make(i):\n    return [i, object()]');
    const make = stock.globals.get('make') as (i: number) => unknown;
    let proxies: unknown[] | undefined = Array.from({ length: 2000 }, (_, i) => make(i));
    await using mp = await MicroPython.create({ thread: 'current' });
    const registered = stockProxies.size;
    expect(registered).toBeGreaterThanOrEqual(2000);
    proxies = undefined;
    // Collect, then give the stock registry's callbacks a turn, until it has freed most of them.
    for (let round = 0; round < 200 && stockProxies.size > registered - 1000; round++) {
      collectGarbage();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(proxies).toBeUndefined();
    expect(stockProxies.size).toBeLessThanOrEqual(registered - 1000);
    await mp.exec('objs = [[i, object()] for i in range(20000)]');
    expect(await mp.eval('sum(pair[0] for pair in objs)')).toBe((20000 * 19999) / 2);
    stock.runPython('total = sum(range(5))');
    expect(stock.globals.get('total')).toBe(10);
  });
});

describe('dispose', () => {
  it('rejects later calls and is idempotent', async () => {
    const mp = await MicroPython.create({ thread: 'current' });
    await Promise.all([mp.dispose(), mp.dispose()]);
    expect(mp.usable).toBe(false);
    await expect(mp.eval('1')).rejects.toBeInstanceOf(MicroPythonDisposedError);
    await expect(mp.fs.readdir('/')).rejects.toBeInstanceOf(MicroPythonDisposedError);
    await using next = await MicroPython.create({ thread: 'current' });
    expect(await next.eval('3')).toBe(3);
  });

  it('from a callback inside a call: the call finishes, the calls queued behind it reject', async () => {
    let queued: Promise<unknown> | undefined;
    let mp: Api.MicroPython | undefined;
    mp = await MicroPython.create({
      thread: 'current',
      stdout: () => {
        if (queued) return;
        queued = mp!.eval('1');
        void mp!.dispose();
      },
    });
    await expect(mp.exec('print("x")\ny = 5')).resolves.toBeUndefined();
    await expect(queued).rejects.toThrow('eval did not start: this MicroPython instance was disposed');
    expect(mp.usable).toBe(false);
    await using next = await MicroPython.create({ thread: 'current' });
    expect(await next.eval('4')).toBe(4);
  });
});
