// Output routing after create (setStdout/setStderr), line-buffered
// callbacks, and stdin replaced after create (setStdin).
import { describe, expect, it } from 'vitest';
import { ensureDist } from './helpers/dist.js';
import type * as Api from '../dist/index.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython } = (await import('../dist/index.js')) as typeof Api;

// `time.sleep(0)` makes the worker post what it has batched (it flushes before
// every sleep), so this one line reaches the host in two pieces.
const SPLIT_PRINT = `import sys, time
sys.stdout.write("[")
time.sleep(0)
print("'prog', 'a'] bar")
sys.stdout.write("no newline")
sys.stderr.write("err 1\\nerr")
time.sleep(0)
sys.stderr.write(" 2\\n")`;

type Chunk = [string, 'stdout' | 'stderr'];

describe('lineBuffered', () => {
  it('without it, a line the worker splits reaches the callback in pieces', async () => {
    const chunks: Chunk[] = [];
    const mp = await MicroPython.create({ stdout: (c, s) => chunks.push([c, s]) });
    try {
      await mp.exec(SPLIT_PRINT);
    } finally {
      await mp.dispose();
    }
    expect(chunks.filter(([, s]) => s === 'stdout').map(([c]) => c)).toContain('[');
  });

  it('hands callbacks one whole line per call, and an unfinished line at the end of each call', async () => {
    const chunks: Chunk[] = [];
    const sink = (c: string, s: 'stdout' | 'stderr'): void => {
      chunks.push([c, s]);
    };
    const mp = await MicroPython.create({ stdout: sink, stderr: sink, lineBuffered: true });
    try {
      await mp.exec(SPLIT_PRINT);
      expect(chunks).toEqual([
        ["['prog', 'a'] bar\n", 'stdout'],
        ['err 1\n', 'stderr'],
        ['err 2\n', 'stderr'],
        ['no newline', 'stdout'],
      ]);
      chunks.length = 0;
      await mp.exec('print("a\\nb\\n\\nc")');
      expect(chunks).toEqual([
        ['a\n', 'stdout'],
        ['b\n', 'stdout'],
        ['\n', 'stdout'],
        ['c\n', 'stdout'],
      ]);
    } finally {
      await mp.dispose();
    }
  });

  it('is a boolean option', async () => {
    await expect(MicroPython.create({ lineBuffered: 'yes' as never })).rejects.toThrow('lineBuffered must be true or false');
  });
});

describe('setStdout, setStderr, setStdin', () => {
  it('route output anew from their place in the call order', async () => {
    const seen: string[] = [];
    const mp = await MicroPython.create({ lineBuffered: true });
    try {
      const first = mp.exec('print("captured")');
      const switched = mp.setStdout((line) => seen.push(line));
      const second = mp.exec('print("to the callback")');
      const back = mp.setStdout();
      const third = mp.exec('print("captured again")');
      await Promise.all([first, switched, second, back, third]);
      expect(seen).toEqual(['to the callback\n']);
      expect(mp.stdout).toBe('captured\ncaptured again\n');
      await mp.setStderr('ignore');
      await mp.exec('import sys; sys.stderr.write("dropped\\n")');
      expect(mp.stderr).toBe('');
      await mp.setStderr('capture');
      await mp.exec('import sys; sys.stderr.write("kept\\n")');
      expect(mp.stderr).toBe('kept\n');
      await expect(mp.setStdout('loud' as never)).rejects.toThrow(
        "setStdout: the sink must be 'capture', 'inherit', 'ignore' or a function (chunk, stream) => void",
      );
    } finally {
      await mp.dispose();
    }
  });

  it('setStdin replaces what is left of the input; runFile results still capture', async () => {
    const mp = await MicroPython.create({ stdin: 'create 1\ncreate 2\n' });
    try {
      expect(await mp.eval('input()')).toBe('create 1');
      await mp.setStdin('later\n');
      expect(await mp.eval('input()')).toBe('later');
      await expect(mp.eval('input()')).rejects.toMatchObject({ type: 'EOFError' });
      await mp.setStdin(new TextEncoder().encode('bytes\n'));
      await mp.fs.writeFile('/echo.py', 'print(input("> "))');
      expect(await mp.runFile('/echo.py')).toEqual({ exitCode: 0, stdout: '> bytes\n', stderr: '' });
      await mp.setStdin();
      await expect(mp.eval('input()')).rejects.toMatchObject({ type: 'EOFError' });
      await expect(mp.setStdin(5 as never)).rejects.toThrow('setStdin: data must be a string or a Uint8Array');
    } finally {
      await mp.dispose();
    }
  });

  it('lose no output of the call that follows a request answered on the port (setStdin carries bytes)', async () => {
    // setStdin's reply comes on the port; settling it starts the next call,
    // whose output the worker may post before this side has finished reading
    // the port. Each round's line must be in that round's capture.
    const mp = await MicroPython.create();
    const rounds = 200;
    const got: string[] = [];
    try {
      for (let i = 0; i < rounds; i++) {
        mp.clearOutput();
        mp.setStdin(`${i}\n`);
        await mp.exec('print(int(input()) + 1)');
        got.push(mp.stdout);
      }
    } finally {
      await mp.dispose();
    }
    expect(got).toEqual(Array.from({ length: rounds }, (_, i) => `${i + 1}\n`));
  });

  it('reject after dispose', async () => {
    const mp = await MicroPython.create();
    await mp.dispose();
    await expect(mp.setStdout('ignore')).rejects.toThrow('disposed');
    await expect(mp.setStdin('x')).rejects.toThrow('disposed');
  });
});
