// runFile's per-run argv, env and stdin: the run sees its own, and the
// instance's own settings are back for the calls after it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist } from './helpers/dist.js';
import type * as Api from '../dist/index.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython } = (await import('../dist/index.js')) as typeof Api;

const SHOW = `import sys, os
print("argv", sys.argv)
print("HOME", os.getenv("HOME"), "MODE", os.getenv("MODE"))
print("line", repr(sys.stdin.readline()))
os.putenv("MODE", "changed")
sys.argv.append("mutated")
`;

describe('runFile with per-run options', () => {
  let mp: Api.MicroPython;
  beforeAll(async () => {
    mp = await MicroPython.create({ argv: ['instance'], env: { HOME: '/home/inst' }, stdin: 'first\nsecond\n' });
    await mp.fs.writeFile('/show.py', SHOW);
  });
  afterAll(() => mp.dispose());

  it('runs with the given argv, env and stdin, then end of file', async () => {
    const r = await mp.runFile('/show.py', { argv: ['prog', 'a'], env: { MODE: 'test' }, stdin: 'typed\n' });
    expect(r).toEqual({
      exitCode: 0,
      stdout: "argv ['prog', 'a']\nHOME None MODE test\nline 'typed\\n'\n",
      stderr: '',
    });
    const eof = await mp.runFile('/show.py', { argv: [], env: {}, stdin: new Uint8Array(0) });
    expect(eof.stdout).toContain("line ''\n");
  });

  it("puts the instance's argv, env and stdin back after the run, whatever the program changed", async () => {
    await mp.runFile('/show.py', { argv: ['x'], env: { MODE: 'run' }, stdin: 'run input\n' });
    expect(await mp.eval('__import__("sys").argv')).toEqual(['instance']);
    expect(await mp.eval('[__import__("os").getenv("HOME"), __import__("os").getenv("MODE")]')).toEqual(['/home/inst', null]);
    const r = await mp.runFile('/show.py');
    expect(r.stdout).toBe("argv ['instance']\nHOME /home/inst MODE None\nline 'first\\n'\n");
    // Without per-run options the run works on the instance's own state.
    expect(await mp.eval('__import__("sys").argv')).toEqual(['instance', 'mutated']);
    expect(await mp.eval('__import__("os").getenv("MODE")')).toBe('changed');
    const next = await mp.runFile('/show.py', { stdin: 'once\n' });
    expect(next.stdout).toContain("line 'once\\n'");
    expect(await mp.eval('__import__("sys").stdin.readline()')).toBe('second\n');
  });

  it('restores them after an uncaught exception, a SystemExit and input() at end of file', async () => {
    await mp.fs.writeFile('/fail.py', 'import sys\nprint(input("? "))\nprint(input("? "))\n');
    const r = await mp.runFile('/fail.py', { argv: ['fail'], stdin: 'only one\n' });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('? only one\n? ');
    expect(r.stderr).toContain('EOFError');
    await mp.fs.writeFile('/exit.py', 'import sys\nsys.exit(sys.argv[1])\n');
    expect((await mp.runFile('/exit.py', { argv: ['exit', 'bye'] })).stderr).toBe('bye\n');
    expect(await mp.eval('__import__("sys").argv[0]')).toBe('instance');
  });

  it('refuses wrong options before running', async () => {
    await expect(mp.runFile('/show.py', { argv: 'a b' as never })).rejects.toThrow(/^runFile: argv must be an array of strings$/);
    await expect(mp.runFile('/show.py', { env: { N: 1 } as never })).rejects.toThrow('runFile: env.N must be a string, not number');
    await expect(mp.runFile('/show.py', { stdin: 5 as never })).rejects.toThrow('runFile: stdin must be a string or a Uint8Array');
    await expect(mp.runFile('/show.py', { args: [] } as never)).rejects.toThrow("runFile: unknown option 'args'");
  });
});
