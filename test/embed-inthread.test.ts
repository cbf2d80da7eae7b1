// thread: 'current': the interpreter boots in the calling thread (this test
// file's) and answers the same API with no worker; what cannot work there is
// refused at create; one such instance per thread at a time.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

const ONE_PER_THREAD = "this thread already runs a MicroPython instance created with thread: 'current'";

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

describe('one in-thread instance per thread', () => {
  it('refuses a second while one lives, and takes a new one after dispose', async () => {
    const first = await MicroPython.create({ thread: 'current' });
    await expect(MicroPython.create({ thread: 'current' })).rejects.toThrow(ONE_PER_THREAD);
    // A worker instance beside it is fine.
    await using worker = await MicroPython.create();
    expect(await worker.eval('2')).toBe(2);
    expect(await first.eval('1')).toBe(1);
    await first.dispose();
    await using second = await MicroPython.create({ thread: 'current' });
    expect(await second.eval('"again"')).toBe('again');
  });

  it('refuses the second of two made at once', async () => {
    const outcomes = await Promise.allSettled([MicroPython.create({ thread: 'current' }), MicroPython.create({ thread: 'current' })]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    for (const o of outcomes) {
      if (o.status === 'fulfilled') await o.value.dispose();
      else expect(String(o.reason)).toContain(ONE_PER_THREAD);
    }
  });
});

describe('dispose', () => {
  it('rejects later calls, is idempotent, and frees the thread', async () => {
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
