import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, tcpServer } from './fixtures/net/servers.js';
import { ensureDist } from './helpers/dist.js';
import { ensureOptimisedWasm } from './helpers/wasm-build.js';
import type * as Api from '../dist/index.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython, MicroPythonTimeoutError, PythonError } = (await import('../dist/index.js')) as typeof Api;
type MicroPython = Api.MicroPython;
type PythonError = Api.PythonError;
type MicroPythonTimeoutError = Api.MicroPythonTimeoutError;

// The program prints "ready" and flushes (time.sleep flushes output first)
// where it wants the interrupt; the interrupt may land in that sleep already.
const READY = 'import sys, time\nprint("ready")\ntime.sleep(0)';

function indent(text: string, by: string): string {
  return text.replace(/^/gm, by);
}

/** READY and the body inside try/finally. */
function guarded(body: string): string {
  return `try:\n${indent(`${READY}\n${body}`, '    ')}\nfinally:\n    print("cleanup ran")\n`;
}

/** Everything instances made by {@link instance} printed, per instance. */
const printed = new WeakMap<MicroPython, string[]>();

/** An instance whose `onReady` runs each time the program prints "ready". */
async function instance(onReady: (mp: MicroPython) => void, options: Parameters<typeof MicroPython.create>[0] = {}): Promise<MicroPython> {
  let out = '';
  const all: string[] = [];
  const mp: MicroPython = await MicroPython.create({
    ...options,
    stdout: (chunk) => {
      all.push(chunk);
      out += chunk;
      for (; out.includes('ready\n'); out = out.replace('ready\n', '')) onReady(mp);
    },
  });
  printed.set(mp, all);
  return mp;
}

let silent: Running;

beforeAll(async () => {
  ensureOptimisedWasm();
  // Accepts connections and never writes.
  silent = await tcpServer((socket) => socket.on('error', () => {}));
}, 120_000);

afterAll(async () => {
  await silent.close();
});

async function expectInterrupted(run: Promise<unknown>): Promise<PythonError> {
  const e = (await run.catch((x: unknown) => x)) as PythonError;
  expect(e).toBeInstanceOf(PythonError);
  expect(e.type).toBe('KeyboardInterrupt');
  return e;
}

describe('mp.interrupt()', () => {
  it('stops a CPU loop: the call rejects with KeyboardInterrupt, finally runs, the instance stays usable', async () => {
    const answers: boolean[] = [];
    await using mp = await instance((m) => answers.push(m.interrupt()));
    await expectInterrupted(mp.exec(guarded('while True:\n    pass')));
    expect(answers).toEqual([true]);
    expect(printed.get(mp)!.join('')).toBe('ready\ncleanup ran\n');
    expect(mp.usable).toBe(true);
    expect(await mp.eval('6 * 7')).toBe(42);
  });

  it('stops time.sleep(10)', async () => {
    const events: string[] = [];
    await using mp = await instance((m) => {
      events.push('ready');
      m.interrupt();
    });
    await expectInterrupted(mp.exec(guarded('time.sleep(10)')));
    expect(events).toEqual(['ready']);
    expect(await mp.eval('1 + 1')).toBe(2);
  });

  it('stops a blocking recv on a silent loopback server; the socket still works after', async () => {
    await using mp = await instance((m) => m.interrupt(), { network: { allow: [`127.0.0.1:${silent.port}`] } });
    await mp.exec(`import socket\ns = socket.socket()\ns.connect(("127.0.0.1", ${silent.port}))`);
    await expectInterrupted(mp.exec(guarded('s.recv(10)')));
    expect(await mp.eval('s.send(b"still open")')).toBe(10);
    await mp.exec('s.close()');
  });

  it('a program that catches KeyboardInterrupt keeps going and returns normally', async () => {
    await using mp = await instance((m) => m.interrupt());
    const program = `caught = 0\nwhile caught < 3:\n    try:\n${indent(READY, '        ')}\n        while True:\n            pass\n    except KeyboardInterrupt:\n        caught += 1`;
    await mp.exec(program);
    expect(await mp.eval('caught')).toBe(3);
  });

  it('returns false when nothing runs, and a call after it is not interrupted', async () => {
    await using mp = await MicroPython.create();
    expect(mp.interrupt()).toBe(false);
    await mp.exec('for i in range(1000):\n    pass');
    expect(await mp.eval('i')).toBe(999);
  });

  it('the output of the interrupted run is kept; runFile reports status 130 like the command', async () => {
    await using mp = await instance((m) => m.interrupt());
    await mp.fs.writeFile('/loop.py', guarded('while True:\n    pass'));
    const r = await mp.runFile('/loop.py');
    expect(r.exitCode).toBe(130);
    expect(printed.get(mp)!.join('')).toBe('ready\ncleanup ran\n');
    // Raised in the sleep that flushed "ready" (line 4) or at the loop's branch (line 6), depending on when it lands.
    expect(r.stderr).toMatch(
      /^Traceback \(most recent call last\):\n {2}File "\/loop.py", line [4-6], in <module>\nKeyboardInterrupt: \n$/,
    );
  });
});

describe('AbortSignal per call', () => {
  it('aborting a running call interrupts it (KeyboardInterrupt); the instance stays usable', async () => {
    const controller = new AbortController();
    await using mp = await instance(() => controller.abort());
    await expectInterrupted(mp.exec(guarded('while True:\n    pass'), { signal: controller.signal }));
    expect(await mp.eval('2 + 2')).toBe(4);
  });

  it('a call given an aborted signal, or queued when aborted, rejects with the reason without running', async () => {
    await using mp = await MicroPython.create();
    const aborted = AbortSignal.abort();
    await expect(mp.exec('ran = 1', { signal: aborted })).rejects.toMatchObject({ name: 'AbortError' });
    const controller = new AbortController();
    const first = mp.exec('import time\ntime.sleep_ms(50)');
    const queued = mp.callKw('exec', ['ran = 2'], {}, { signal: controller.signal });
    controller.abort(new Error('changed my mind'));
    await expect(queued).rejects.toThrow('changed my mind');
    await first;
    expect(await mp.eval('"ran" in globals()')).toBe(false);
  });
});

describe('timeoutMs with interruption', () => {
  it('a sleep past the limit is interrupted, not terminated', async () => {
    await using mp = await MicroPython.create({ timeoutMs: 200 });
    const e = (await mp.exec('import time\ntime.sleep(10)').catch((x: unknown) => x)) as MicroPythonTimeoutError;
    expect(e).toBeInstanceOf(MicroPythonTimeoutError);
    expect(e.terminated).toBe(false);
    expect(mp.usable).toBe(true);
    expect(await mp.eval('"after"')).toBe('after');
  });
});
