// MicroPythonSync: the blocking API (a bridge worker and Atomics.wait).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist } from './helpers/dist.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';
import type * as Api from '../dist/index.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js', 'dist/host/embed/sync-bridge.js']);
const { MicroPythonSync, PythonError, ExitError, MicroPythonTimeoutError, MicroPythonDisposedError } = (await import(
  '../dist/index.js'
)) as typeof Api;

let dir: string;
let mp: Api.MicroPythonSync;
beforeAll(() => {
  dir = tempDir('mpy-sync-');
  writeFileSync(join(dir, 'main.py'), 'import sys\nprint("args", sys.argv)\nsys.exit(3)\n');
  writeFileSync(join(dir, 'geo.py'), 'def area(w, h=1):\n    return w * h\n');
  mp = MicroPythonSync.create({ mounts: { '/app': dir }, cwd: '/app', argv: ['main.py'], timeoutMs: 5000 });
});
afterAll(() => {
  mp.dispose();
  removeDir(dir);
});

describe('calls return their results directly', () => {
  it('exec, eval, call, callKw, get', () => {
    expect(mp.exec('import geo\nlimit = 2**60')).toBeUndefined();
    expect(mp.eval('geo.area(3, 4)')).toBe(12);
    expect(mp.call('geo.area', 5)).toBe(5);
    expect(mp.callKw('geo.area', [2], { h: 8 })).toBe(16);
    expect(mp.get('limit')).toBe(2n ** 60n);
    expect(mp.eval('{"a": (1, b"x")}')).toEqual({ a: [1, new Uint8Array([120])] });
  });

  it('runFile gives exit code and output; captured output is readable and clearable', () => {
    const run = mp.runFile('/app/main.py');
    expect(run).toEqual({ exitCode: 3, stdout: "args ['main.py']\n", stderr: '' });
    expect(mp.runFile('/app/main.py', { argv: ['main.py', '-v'] }).stdout).toBe("args ['main.py', '-v']\n");
    expect(() => mp.runFile('/app/main.py', { argv: 'x' as never })).toThrow(TypeError);
    mp.clearOutput();
    mp.exec('print("captured")');
    expect(mp.stdout).toBe('captured\n');
    mp.clearOutput();
    expect(mp.stdout).toBe('');
  });
});

describe('errors are those of the async API', () => {
  it('PythonError, ExitError, TypeError for an argument', () => {
    let err: unknown;
    try {
      mp.exec('raise KeyError("k")');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PythonError);
    expect((err as Api.PythonError).type).toBe('KeyError');
    expect(() => mp.exec('raise SystemExit(4)')).toThrow(ExitError);
    expect(() => mp.call('len', (() => 1) as never)).toThrow(/args\[0\]: a function cannot be passed to Python/);
    expect(mp.eval('1 + 1')).toBe(2);
  });

  it('a call past timeoutMs is interrupted and throws MicroPythonTimeoutError; the instance stays usable', () => {
    const quick = MicroPythonSync.create({ timeoutMs: 200 });
    try {
      expect(() => quick.exec('while True: pass')).toThrow(MicroPythonTimeoutError);
      expect(quick.eval('"still here"')).toBe('still here');
    } finally {
      quick.dispose();
    }
  });

  it('a callback for stdout is a TypeError; so are thread: current and a wrong option', () => {
    expect(() => MicroPythonSync.create({ stdout: (() => {}) as never })).toThrow(/stdout cannot be a callback/);
    expect(() => MicroPythonSync.create({ thread: 'current' as never })).toThrow(/thread: "current" is not available/);
    expect(() => MicroPythonSync.create({ heapSize: 'lots' })).toThrow(TypeError);
  });
});

describe('dispose', () => {
  it('after dispose (or using), calls throw MicroPythonDisposedError; dispose is idempotent', () => {
    let kept: Api.MicroPythonSync | undefined;
    {
      using inner = MicroPythonSync.create();
      kept = inner;
      expect(inner.eval('6 * 7')).toBe(42);
    }
    expect(kept.usable).toBe(false);
    expect(() => kept.eval('1')).toThrow(MicroPythonDisposedError);
    kept.dispose();
  });
});
