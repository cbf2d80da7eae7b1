// argparse: mpy's own, the subset the Unix port freezes; the CLI prints usage
// and errors the way the Unix port's does.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist } from './helpers/dist.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';
import { runMpy } from './helpers/cli.js';
import type * as Api from '../dist/index.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/host/cli/main.js', 'dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython } = (await import('../dist/index.js')) as typeof Api;

let mp: Api.MicroPython;
let dir: string;

beforeAll(async () => {
  mp = await MicroPython.create();
  await mp.exec(
    [
      'import argparse',
      'def parse(argv, known=False):',
      '    p = argparse.ArgumentParser(description="demo")',
      '    p.add_argument("-v", "--verbose", action="store_true")',
      '    p.add_argument("-q", action="store_false", dest="loud")',
      '    p.add_argument("--level", type=int, default="3")',
      '    p.add_argument("--mode", choices=("fast", "slow"), default="fast")',
      '    p.add_argument("-I", action="append", dest="include")',
      '    p.add_argument("-d", action="count", dest="debug")',
      '    p.add_argument("--const", action="store_const", const=42)',
      '    p.add_argument("--pair", nargs=2)',
      '    p.add_argument("--maybe", nargs="?", const="C")',
      '    p.add_argument("src")',
      '    p.add_argument("rest", nargs="*")',
      '    if known:',
      '        ns, extra = p.parse_known_args(argv)',
      '        return [sorted(ns.__dict__.items()), extra]',
      '    return sorted(p.parse_args(argv).__dict__.items())',
    ].join('\n'),
  );
  dir = tempDir('mpy-argparse-');
});
afterAll(async () => {
  await mp.dispose();
  removeDir(dir);
});

const parsed = async (argv: string[]): Promise<Record<string, unknown>> =>
  Object.fromEntries(await mp.call<[string, Api.PyValue][]>('parse', argv));

describe('argparse', () => {
  it('fills in defaults (a string default goes through type)', async () => {
    expect(await parsed(['a'])).toEqual({
      const: null,
      debug: null,
      include: null,
      level: 3,
      loud: true,
      maybe: null,
      mode: 'fast',
      pair: null,
      rest: [],
      src: 'a',
      verbose: false,
    });
  });

  it('parses every action, nargs form and --name=value', async () => {
    const r = await parsed([
      '-v',
      '-q',
      '--level=7',
      '--mode',
      'slow',
      '-I',
      'x',
      '-I',
      'y',
      '-d',
      '-d',
      '--const',
      '--pair',
      '1',
      '2',
      'src1',
      'r1',
      'r2',
      '--maybe',
    ]);
    expect(r).toMatchObject({
      verbose: true,
      loud: false,
      level: 7,
      mode: 'slow',
      include: ['x', 'y'],
      debug: 2,
      const: 42,
      pair: ['1', '2'],
      maybe: 'C',
      src: 'src1',
      rest: ['r1', 'r2'],
    });
  });

  it('takes an optional value for nargs="?" when one follows, and -- ends the options', async () => {
    expect(await parsed(['--maybe', 'val', '--', '-x'])).toMatchObject({ maybe: 'val', src: '-x' });
  });

  it('parse_known_args returns what it did not know', async () => {
    expect(await mp.call('parse', ['--other', 's', 'r', '-v'], true)).toEqual([
      expect.arrayContaining([
        ['src', 's'],
        ['rest', ['r']],
        ['verbose', true],
      ]),
      ['--other'],
    ]);
  });

  it('Namespace compares and prints like CPython', async () => {
    expect(await mp.eval('repr(argparse.Namespace(b=2, a="x"))')).toBe("Namespace(a='x', b=2)");
    expect(await mp.eval('argparse.Namespace(a=1) == argparse.Namespace(a=1) and "a" in argparse.Namespace(a=1)')).toBe(true);
  });

  it('rejects a type that is not callable and an unknown action', async () => {
    await expect(mp.exec('argparse.ArgumentParser().add_argument("--x", type=3)')).rejects.toThrow('type is not callable');
    await expect(mp.exec('argparse.ArgumentParser().add_argument("--x", action="nope")')).rejects.toThrow("unknown action 'nope'");
  });
});

describe('argparse from the command line', () => {
  const script = (): string => {
    const path = join(dir, 'tool.py');
    writeFileSync(
      path,
      'import argparse\np = argparse.ArgumentParser(description="a tool")\np.add_argument("-n", type=int, help="count")\np.add_argument("name", help="who")\nprint(p.parse_args())\n',
    );
    return path;
  };

  it('prints the help and exits 0 for -h', async () => {
    const r = await runMpy([script(), '-h'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      'usage: ' +
        join(dir, 'tool.py') +
        ' [-h] [-n n] name\n\na tool\n\npositional args:\n  name            who\n\noptional args:\n  -h, --help      show this message and exit\n  -n n            count\n',
    );
  });

  it('prints the usage and the error and exits 2 for bad arguments', async () => {
    const bad = await runMpy(['tool.py', '-n', 'x', 'bob'], { cwd: dir });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe(
      "usage: tool.py [-h] [-n n] name\nerror: invalid value for -n: x (invalid syntax for integer with base 10: 'x')\n",
    );
    script();
    const missing = await runMpy(['tool.py'], { cwd: dir });
    expect(missing.status).toBe(2);
    expect(missing.stdout).toBe('usage: tool.py [-h] [-n n] name\nerror: expecting value for name\n');
  });

  it('parses good arguments', async () => {
    script();
    const r = await runMpy(['tool.py', '-n', '3', 'bob'], { cwd: dir });
    expect(r.stdout).toBe("Namespace(n=3, name='bob')\n");
  });
});
