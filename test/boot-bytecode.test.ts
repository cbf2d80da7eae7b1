// The boot's own modules come from the bytecode the build compiled
// (runtime/boot-bytecode.ts): the command and an embedded instance load them
// from it, the program never sees the directory they were placed in, and
// the runner still hides the frames of mpy's stand-ins.
import { describe, expect, it } from 'vitest';
import { runMpy } from './helpers/cli.js';
import { ensureDist } from './helpers/dist.js';
import type * as Api from '../dist/index.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/cli/main.js', 'dist/runtime/boot-bytecode/boot-bytecode.json']);
const { MicroPython } = (await import('../dist/index.js')) as typeof Api;

const PROBE = [
  'import os, _mpy_boot, _mpy_resolve, _mpy_run, _mpy_outcome',
  'print(_mpy_boot.__file__, _mpy_resolve.__file__, _mpy_run.__file__, _mpy_outcome.__file__)',
  "print(_mpy_run._LIB, '.mpy-boot' in os.listdir('/'))",
].join('\n');
const EXPECTED =
  '/.mpy-boot/_mpy_boot.mpy /.mpy-boot/_mpy_resolve.mpy /.mpy-boot/_mpy_run.mpy /.mpy-boot/_mpy_outcome.mpy\n' +
  '/usr/lib/micropython/ False\n';

describe('boot modules from build-time bytecode', () => {
  it('the command boots from the bytecode and removes its directory before the program runs', async () => {
    const r = await runMpy(['-c', PROBE]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(EXPECTED);
  });

  it('an embedded instance boots from it too', async () => {
    await using mp = await MicroPython.create({ stdout: 'capture' });
    await mp.exec(PROBE);
    expect(mp.stdout).toBe(EXPECTED);
  });

  it('frames of the stand-ins stay hidden in tracebacks (input() at end of file)', async () => {
    const r = await runMpy(['-c', 'input()']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('Traceback (most recent call last):\n  File "<stdin>", line 1, in <module>\nEOFError: \n');
  });
});
