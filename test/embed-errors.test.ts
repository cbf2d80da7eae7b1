// Bad input and lifecycle: typed errors, no leaked workers, no hung runs.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureDist, ROOT } from './helpers/dist.js';
import type * as Api from '../dist/index.js';
import type * as Channel from '../dist/host/embed/channel.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython, PythonError, ExitError, MicroPythonTimeoutError, MicroPythonDisposedError } = (await import(
  '../dist/index.js'
)) as typeof Api;
const { liveWorkerCount } = (await import('../dist/host/embed/channel.js')) as typeof Channel;

const settle = async (): Promise<void> => {
  for (let i = 0; i < 50 && liveWorkerCount() > baseline; i++) await new Promise((r) => setTimeout(r, 20));
};
let baseline = 0;
beforeAll(() => {
  baseline = liveWorkerCount();
});
afterAll(async () => {
  await settle();
  expect(liveWorkerCount()).toBe(baseline);
});

describe('Python errors', () => {
  let mp: Api.MicroPython;
  beforeAll(async () => {
    mp = await MicroPython.create({ heapSize: '8M' });
  });
  afterAll(() => mp.dispose());

  it('PythonError has the type, the message and a traceback with file and line', async () => {
    await mp.fs.writeFile('/m.py', 'def f(d):\n    return d["k"]\n');
    const e = (await mp.exec('import m\n\nm.f({})').catch((x: unknown) => x)) as Api.PythonError;
    expect(e).toBeInstanceOf(PythonError);
    expect(e.name).toBe('PythonError');
    expect(e.type).toBe('KeyError');
    expect(e.pythonMessage).toBe('k');
    expect(e.traceback).toBe(
      'Traceback (most recent call last):\n  File "<string>", line 3, in <module>\n  File "m.py", line 2, in f\nKeyError: k\n',
    );
    expect(e.message).toContain('KeyError: k');
  });

  it('a user-defined exception keeps its class name', async () => {
    await expect(mp.exec('class Oops(Exception): pass\nraise Oops("x")')).rejects.toMatchObject({ type: 'Oops', pythonMessage: 'x' });
  });

  it('SyntaxError names the source and a line', async () => {
    const e = (await mp.exec('x = 1\ny = 1 +\nz = 2').catch((x: unknown) => x)) as Api.PythonError;
    expect(e.type).toBe('SyntaxError');
    expect(e.traceback).toMatch(/File "<string>", line 2/);
  });

  it.each([
    ['None', 0],
    ['', 0],
    ['0', 0],
    ['3', 3],
    ['256', 0],
    ['257', 1],
    ['-1', 255],
    ['"text"', 1],
    ['1.5', 1],
    ['True', 1],
    ['[1]', 1],
  ])('sys.exit(%s) is ExitError %d, from exec and as runFile status', async (arg, code) => {
    const e = (await mp.exec(`import sys\nsys.exit(${arg})`).catch((x: unknown) => x)) as Api.ExitError;
    expect(e).toBeInstanceOf(ExitError);
    expect(e.exitCode).toBe(code);
    await mp.fs.writeFile('/exit.py', `import sys\nsys.exit(${arg})\n`);
    expect((await mp.runFile('/exit.py')).exitCode).toBe(code);
  });

  it('allocating without end is a MemoryError, and the instance keeps working', async () => {
    await expect(mp.exec('keep = []\nwhile True:\n    keep.append(bytearray(100000))')).rejects.toMatchObject({ type: 'MemoryError' });
    await mp.exec('keep = None');
    expect(await mp.eval('len(bytearray(1000000))')).toBe(1000000);
    expect(await mp.eval('len([str(i) for i in range(10000)])')).toBe(10000);
    await expect(mp.exec('keep = []\nwhile True:\n    keep.append(bytearray(100000))')).rejects.toMatchObject({ type: 'MemoryError' });
    await mp.exec('keep = None');
    expect(await mp.eval('len(bytearray(1000000))')).toBe(1000000);
    expect(mp.usable).toBe(true);
  });

  it.each(['worker', 'current'] as const)(
    'a MemoryError that leaves no heap for its traceback is still a MemoryError (%s; it hung until timeoutMs)',
    async (thread) => {
      await using small = await MicroPython.create({ heapSize: '1M', timeoutMs: 20_000, thread });
      const e = await small.exec('x = []\nwhile True:\n    x.append(str(len(x)))').catch((x: unknown) => x);
      expect(e).toBeInstanceOf(PythonError);
      expect(e).toMatchObject({ type: 'MemoryError' });
    },
  );

  it('deep recursion is a RuntimeError, and the instance keeps working', async () => {
    await expect(mp.exec('def r(n):\n    return r(n + 1) + 1\nr(0)')).rejects.toMatchObject({ type: 'RuntimeError' });
    await mp.exec('def d(n):\n    return 0 if n == 0 else 1 + d(n - 1)');
    expect(await mp.eval('d(500)')).toBe(500);
  });

  it('KeyboardInterrupt and other BaseExceptions are PythonErrors too', async () => {
    await expect(mp.exec('raise KeyboardInterrupt')).rejects.toMatchObject({ type: 'KeyboardInterrupt' });
    await expect(mp.exec('raise GeneratorExit')).rejects.toMatchObject({ type: 'GeneratorExit' });
  });
});

describe('timeouts', () => {
  it('a call past timeoutMs is interrupted: MicroPythonTimeoutError, finally blocks run, the instance stays usable', async () => {
    const mp = await MicroPython.create({ timeoutMs: 300 });
    expect(await mp.eval('1 + 1')).toBe(2);
    const queued = mp.eval('2');
    const e = (await mp
      .exec('try:\n    while True:\n        pass\nfinally:\n    print("cleanup ran")')
      .catch((x: unknown) => x)) as Api.MicroPythonTimeoutError;
    expect(e).toBeInstanceOf(MicroPythonTimeoutError);
    expect(e.name).toBe('TimeoutError');
    expect(e.timeoutMs).toBe(300);
    expect(e.terminated).toBe(false);
    expect(e.message).toMatch(
      /did not finish within timeoutMs \(300 ms\); it was interrupted with KeyboardInterrupt and the instance is still usable/,
    );
    expect(mp.stdout).toBe('cleanup ran\n');
    expect(await queued).toBe(2);
    expect(mp.usable).toBe(true);
    expect(await mp.eval('3 * 3')).toBe(9);
    await mp.dispose();
  });

  it('a call that swallows the interrupt is terminated after interruptGraceMs; the instance is then unusable', async () => {
    const mp = await MicroPython.create({ timeoutMs: 200, interruptGraceMs: 300 });
    const swallow = 'while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        print("ignored")';
    const e = (await mp.exec(swallow).catch((x: unknown) => x)) as Api.MicroPythonTimeoutError;
    expect(e).toBeInstanceOf(MicroPythonTimeoutError);
    expect(e.terminated).toBe(true);
    expect(e.message).toMatch(/its worker was terminated and this instance can no longer be used/);
    expect(mp.usable).toBe(false);
    await expect(mp.eval('1')).rejects.toBeInstanceOf(MicroPythonDisposedError);
    await expect(mp.eval('1')).rejects.toThrow(/did not give control back within interruptGraceMs \(300 ms\)/);
    await mp.dispose();
  });

  it('the limit is per call, not per instance', async () => {
    // Three calls of 600 ms: together past the 1500 ms limit, each far inside it.
    await using mp = await MicroPython.create({ timeoutMs: 1500 });
    for (let i = 0; i < 3; i++) {
      await mp.exec('import time\ntime.sleep_ms(600)');
    }
    expect(mp.usable).toBe(true);
  });

  it('a call queued behind one the instance had to terminate is rejected as not started', async () => {
    const mp = await MicroPython.create({ timeoutMs: 200, interruptGraceMs: 100 });
    const first = mp
      .exec('while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass')
      .catch((x: unknown) => x);
    const second = mp.eval('1').catch((x: unknown) => x);
    expect(await first).toBeInstanceOf(MicroPythonTimeoutError);
    const e = (await second) as Error;
    expect(e).toBeInstanceOf(MicroPythonDisposedError);
    expect(e.message).toMatch(/^eval did not start/);
    await mp.dispose();
  });

  it('interruptGraceMs is checked', async () => {
    await expect(MicroPython.create({ interruptGraceMs: -1 })).rejects.toThrow(/interruptGraceMs must be a number of milliseconds/);
  });
});

describe('dispose', () => {
  it('disposing a running instance resolves; the pending call rejects clearly', async () => {
    const mp = await MicroPython.create();
    const running = mp.exec('while True:\n    pass').catch((x: unknown) => x);
    const queued = mp.eval('1').catch((x: unknown) => x);
    await new Promise((r) => setTimeout(r, 100));
    await mp.dispose();
    const e = (await running) as Error;
    expect(e).toBeInstanceOf(MicroPythonDisposedError);
    expect(e.message).toBe('exec did not finish: this MicroPython instance was disposed');
    expect(((await queued) as Error).message).toBe('eval did not start: this MicroPython instance was disposed');
    await expect(mp.eval('1')).rejects.toThrow('this MicroPython instance was disposed');
    await mp.dispose();
    expect(mp.usable).toBe(false);
  });

  it('many instances created and disposed in parallel', async () => {
    const before = liveWorkerCount();
    const all = await Promise.all(Array.from({ length: 8 }, (_, i) => MicroPython.create({ env: { N: String(i) } })));
    expect(liveWorkerCount()).toBe(before + 8);
    const seen = await Promise.all(all.map((mp) => mp.eval('int(__import__("os").getenv("N")) * 2')));
    expect(seen).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
    await Promise.all(all.map((mp) => mp.dispose()));
    expect(liveWorkerCount()).toBe(before);
  });

  it('an idle instance that was never disposed does not keep the process alive', () => {
    const script = `import { MicroPython } from ${JSON.stringify(join(ROOT, 'dist/index.js'))};
const mp = await MicroPython.create();
console.log(await mp.eval('6 * 7'));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(out.trim()).toBe('42');
  });
});

describe('output bytes', () => {
  const BAD = 'import sys\nsys.stdout.buffer.write(b"ok \\xff\\xfe \\xe2\\x82 end\\n")';

  it('capture replaces invalid UTF-8 with U+FFFD instead of throwing', async () => {
    await using mp = await MicroPython.create();
    await mp.exec(BAD);
    expect(mp.stdout).toBe('ok \uFFFD\uFFFD \uFFFD end\n');
    await mp.fs.writeFile('/bad.py', BAD);
    expect((await mp.runFile('/bad.py')).stdout).toBe('ok \uFFFD\uFFFD \uFFFD end\n');
  });

  it('a callback gets replaced text; inherit passes the bytes through unchanged', async () => {
    let text = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await using cb = await MicroPython.create({ stdout: (c) => (text += c) });
      await cb.exec(BAD);
      await using inherit = await MicroPython.create({ stdout: 'inherit' });
      await inherit.exec(BAD);
      const bytes = Buffer.concat(write.mock.calls.map((c) => Buffer.from(c[0] as Uint8Array)));
      expect(bytes).toEqual(Buffer.from([...Buffer.from('ok '), 0xff, 0xfe, 0x20, 0xe2, 0x82, ...Buffer.from(' end\n')]));
    } finally {
      write.mockRestore();
    }
    expect(text).toBe('ok \uFFFD\uFFFD \uFFFD end\n');
  });

  it('a throwing output callback is reported as a warning, not a crash', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      await using mp = await MicroPython.create({
        stdout: () => {
          throw new Error('callback broke');
        },
      });
      await mp.exec('print("x")');
      expect(await mp.eval('1')).toBe(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain('callback broke');
    } finally {
      warn.mockRestore();
    }
  });
});
