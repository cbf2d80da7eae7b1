// V8 running out of stack inside the interpreter (deep recursion in C code)
// becomes MicroPython's RuntimeError, never an internal error, and the
// interpreter stays usable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist } from './helpers/dist.js';
import { runMpy } from './helpers/cli.js';
import { runMpyInPty } from './helpers/pty.js';
import type * as Api from '../dist/index.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/host/cli/main.js', 'dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython, PythonError } = (await import('../dist/index.js')) as typeof Api;

const NESTED = 'l = []\nfor i in range(200000):\n    l = [l]\n';
const DEEP_CASES: [string, string][] = [
  ['repr of deeply nested lists', 'repr(l)'],
  ['json.dumps of deeply nested lists', '__import__("json").dumps(l)'],
  ['re on a pathological pattern', '__import__("re").match("(a|b)*c", "ab" * 200000)'],
];

describe('embedding', () => {
  let mp: Api.MicroPython;
  beforeAll(async () => {
    mp = await MicroPython.create();
    await mp.exec(NESTED);
  });
  afterAll(() => mp.dispose());

  it.each(DEEP_CASES)('%s rejects with RuntimeError: maximum recursion depth exceeded', async (_what, code) => {
    const err = await mp.exec(code).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PythonError);
    expect((err as Api.PythonError).type).toBe('RuntimeError');
    expect((err as Api.PythonError).pythonMessage).toBe('maximum recursion depth exceeded');
  });

  it('the instance stays usable: globals kept, imports, calls and recursion work', async () => {
    await mp.exec(DEEP_CASES[0]![1]).catch(() => undefined);
    await mp.exec('def fact(n):\n    return 1 if n < 2 else n * fact(n - 1)\nimport json');
    expect(await mp.eval('(len(l), fact(20), json.dumps([1, [2]]))')).toEqual([1, 2432902008176640000n, '[1, [2]]']);
  });

  it("plain deep Python recursion is a RuntimeError caught inside Python (MicroPython's own limits)", async () => {
    await mp.exec(
      'def down(n):\n    return down(n + 1)\ntry:\n    down(0)\n    caught = None\nexcept RuntimeError as e:\n    caught = str(e)',
    );
    expect(await mp.eval('caught')).toMatch(/^(maximum recursion depth exceeded|pystack exhausted)$/);
  });
});

describe('CLI', () => {
  it('an uncaught stack exhaustion in C code prints the RuntimeError and exits 1, not an internal error', async () => {
    const r = await runMpy(['-c', `${NESTED}print("start")\nrepr(l)\n`]);
    expect(r.stdout).toBe('start\n');
    expect(r.stderr).toContain('RuntimeError: maximum recursion depth exceeded\n');
    expect(r.stderr).not.toContain('internal error');
    expect(r.status).toBe(1);
  });

  it('with the original wasm (JS trampolines) Python code can catch it and go on', async () => {
    const code = `${NESTED}for what in ("repr(l)", "__import__('json').dumps(l)"):\n    try:\n        eval(what)\n    except RuntimeError as e:\n        print("caught", e)\nprint("after")\n`;
    const r = await runMpy(['-c', code], { env: { MPY_WASM: 'original' } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('caught maximum recursion depth exceeded\ncaught maximum recursion depth exceeded\nafter\n');
    expect(r.status).toBe(0);
  });
});

describe('REPL', () => {
  it('reports the RuntimeError and gives a fresh prompt that still works', () => {
    const r = runMpyInPty(
      [],
      [
        { expect: '>>> ' },
        { send: 'exec("l = []\\nfor i in range(200000): l = [l]")\r' },
        { expect: '>>> ' },
        { send: 'repr(l)\r' },
        { expect: 'RuntimeError: maximum recursion depth exceeded' },
        { expect: '>>> ' },
        { send: 'len(l) * 6 * 7\r' },
        { expect: '42' },
        { expect: '>>> ' },
        { send: '\x04' },
      ],
    );
    expect(r.failure).toBeNull();
    expect(r.transcript).not.toContain('internal error');
    expect(r.status).toBe(0);
  });
});
