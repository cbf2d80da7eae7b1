// Misusing the host's own JS objects from Python: operations whose JS side
// throws (constructing a host function, storing on a frozen host module,
// iterating it). The exception unwinds the VM's frames past Python's
// handlers; the run must end with a Python TypeError (not an internal error
// of the host, not a rejected call of some other kind), and the VM must be
// as it was: exceptions still caught where they are raised, and the C stack
// as deep as before (a JS exception that skipped the stack pointer's
// restore would leave it lower each time).
import { describe, expect, it } from 'vitest';
import { ensureDist } from '../helpers/dist.js';
import { runMpy } from '../helpers/cli.js';
import type * as Api from '../../dist/index.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython, PythonError } = (await import('../../dist/index.js')) as typeof Api;

/** Each throws in JS, inside Python code that tries to catch it. */
const MISUSES = {
  construct: '_mpy_host.getenv.new()',
  'store on the frozen module': '_mpy_host.extra = 1',
  'iterate the module': 'list(_mpy_host)',
};

const inTry = (statement: string): string => `import _mpy_host
def attempt():
    try:
        ${statement}
    except Exception:
        return 'caught'
    return 'returned'
attempt()`;

/** How deep Python recursion gets before RuntimeError, and that a raise is caught where it happens. */
const PROBE_DEFINITIONS = `def depth(n):
    try:
        return depth(n + 1)
    except RuntimeError:
        return n
def caught():
    try:
        raise KeyError('k')
    except KeyError:
        return 'caught'`;
const PROBE = '[depth(0), caught()]';

describe.each(['worker', 'current'] as const)('host objects misused (thread: %s)', (thread) => {
  it.each(Object.entries(MISUSES))('%s ends the run with a TypeError Python cannot catch', async (_, statement) => {
    await using mp = await MicroPython.create({ thread });
    const error = await mp.exec(inTry(statement)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PythonError);
    expect((error as Api.PythonError).type).toBe('TypeError');
    expect(await mp.eval('1 + 1')).toBe(2);
  });

  it('leaves the VM as it was, however often it happens', async () => {
    await using mp = await MicroPython.create({ thread });
    await mp.exec(PROBE_DEFINITIONS);
    const before = await mp.eval<[number, string]>(PROBE);
    expect(before[1]).toBe('caught');
    expect(before[0]).toBeGreaterThan(50);
    for (let i = 0; i < 200; i++) {
      for (const statement of Object.values(MISUSES)) {
        await expect(mp.exec(inTry(statement))).rejects.toBeInstanceOf(PythonError);
      }
    }
    expect(await mp.eval<[number, string]>(PROBE)).toEqual(before);
  });
});

describe('host objects misused in the mpy command', () => {
  it('prints the TypeError and exits 1, as for any uncaught exception', async () => {
    const r = await runMpy(['-c', `${inTry(MISUSES.construct)}\nprint('not reached')`]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^TypeError: .*is not a constructor\n$/);
    expect(r.status).toBe(1);
  });
});
