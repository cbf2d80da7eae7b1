// The embedding API end to end: exec/eval/call/import/runFile, fs helpers,
// the sandbox (mounts, env, argv, cwd) and output routing.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist } from './helpers/dist.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';
import type * as Api from '../dist/index.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython, PythonError, ExitError, MicroPythonFsError } = (await import('../dist/index.js')) as typeof Api;

let host: string;
beforeAll(() => {
  host = tempDir('mpy-embed-');
  mkdirSync(join(host, 'src'));
  mkdirSync(join(host, 'data'));
  mkdirSync(join(host, 'outside'));
  writeFileSync(join(host, 'outside', 'secret.txt'), 'secret');
  writeFileSync(join(host, 'data', 'in.txt'), 'data file');
  symlinkSync(join(host, 'outside', 'secret.txt'), join(host, 'src', 'escape.txt'));
  writeFileSync(join(host, 'src', 'main.py'), 'import sys\nprint("argv", sys.argv)\nprint("oops", file=sys.stderr)\nsys.exit(4)\n');
});
afterAll(() => removeDir(host));

describe('the issue example', () => {
  it('runs as written', async () => {
    await using mp = await MicroPython.create({
      mounts: { '/app': join(host, 'src') },
      cwd: '/app',
      env: { HOME: '/home' },
      argv: ['main.py'],
      heapSize: '4M',
      timeoutMs: 5_000,
      network: { allow: ['127.0.0.1:8080'] },
      stdout: 'capture',
    });
    void mp.fs.writeFile('/app/x.py', 'def f(a, b): return a + b');
    await mp.exec('import x');
    expect(await mp.eval('x.f(2, 3)')).toBe(5);
    await expect(mp.exec('1/0')).rejects.toThrow(PythonError);
    const r = await mp.runFile('/app/main.py');
    expect(r).toEqual({ exitCode: 4, stdout: "argv ['main.py']\n", stderr: 'oops\n' });
    expect(readFileSync(join(host, 'src', 'x.py'), 'utf8')).toBe('def f(a, b): return a + b');
  });
});

describe('calls', () => {
  let mp: Api.MicroPython;
  beforeAll(async () => {
    mp = await MicroPython.create();
  });
  afterAll(() => mp.dispose());

  it('exec runs in __main__ and keeps state between calls', async () => {
    await mp.exec('counter = 1');
    await mp.exec('counter += 41');
    expect(await mp.eval('counter')).toBe(42);
    expect(await mp.get('counter')).toBe(42);
  });

  it('call resolves __main__ names, built-ins, modules and attributes, with args and kwargs', async () => {
    await mp.exec('def greet(name, punct="!"): return "hi " + name + punct\nclass K:\n    @staticmethod\n    def twice(x): return 2 * x');
    expect(await mp.call('greet', 'bob')).toBe('hi bob!');
    expect(await mp.callKw('greet', ['amy'], { punct: '?' })).toBe('hi amy?');
    expect(await mp.call('K.twice', 21)).toBe(42);
    expect(await mp.call('len', [1, 2, 3])).toBe(3);
    expect(await mp.call('json.dumps', { a: [1, null] })).toBe('{"a": [1, null]}');
    expect(await mp.call('os.path.join', 'a', 'b')).toBe('a/b');
  });

  it('import returns a module handle and binds the name in __main__', async () => {
    const json = await mp.import('json');
    expect(json.name).toBe('json');
    expect(await json.call('loads', '[1, 2]')).toEqual([1, 2]);
    expect(await mp.eval('json.dumps(3)')).toBe('3');
    await expect(mp.import('no_such_module')).rejects.toMatchObject({ type: 'ImportError' });
  });

  it('rejects a bad target name or unconvertible argument before running anything', async () => {
    await expect(mp.call('1abc')).rejects.toThrow(TypeError);
    await expect(mp.call('len', (() => 1) as never)).rejects.toThrow(/function cannot be passed/);
    await expect(mp.exec(3 as never)).rejects.toThrow(TypeError);
  });

  it('a missing attribute is a Python AttributeError', async () => {
    await expect(mp.call('json.nope')).rejects.toMatchObject({ type: 'AttributeError' });
  });

  it('eval of a statement is a SyntaxError', async () => {
    await expect(mp.eval('x = 1')).rejects.toMatchObject({ type: 'SyntaxError' });
  });

  it('calls made without awaiting run in order', async () => {
    const results = await Promise.all([mp.exec('seq = []'), mp.exec('seq.append(1)'), mp.exec('seq.append(2)'), mp.eval('seq')]);
    expect(results[3]).toEqual([1, 2]);
  });

  it('SystemExit from exec is an ExitError', async () => {
    const e = await mp.exec('import sys\nsys.exit(7)').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ExitError);
    expect((e as Api.ExitError).exitCode).toBe(7);
  });
});

describe('runFile', () => {
  it('reports exit status, output and tracebacks like the micropython command', async () => {
    await using mp = await MicroPython.create();
    await mp.fs.writeFile('/ok.py', 'print("fine")');
    await mp.fs.writeFile('/bad.py', 'def f():\n    raise ValueError("bad")\nf()\n');
    expect(await mp.runFile('/ok.py')).toEqual({ exitCode: 0, stdout: 'fine\n', stderr: '' });
    const bad = await mp.runFile('/bad.py');
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('File "/bad.py", line 2, in f');
    expect(bad.stderr).toContain('ValueError: bad');
    const missing = await mp.runFile('/missing.py');
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain("can't open file '/missing.py'");
    expect(mp.stdout).toBe('fine\n');
  });
});

describe('fs helpers', () => {
  it('read, write, mkdir, readdir, rm and exists over memory and mounts', async () => {
    await using mp = await MicroPython.create({
      mounts: { '/data': { host: join(host, 'data'), readOnly: true }, '/w': join(host, 'src') },
    });
    await mp.fs.mkdir('/tmp/a/b', { recursive: true });
    await mp.fs.writeFile('/tmp/a/b/f.bin', new Uint8Array([0, 1, 255]));
    expect(await mp.fs.readFile('/tmp/a/b/f.bin')).toEqual(new Uint8Array([0, 1, 255]));
    expect(await mp.fs.readdir('/tmp/a')).toEqual(['b']);
    expect(await mp.fs.readFile('/data/in.txt', 'utf8')).toBe('data file');
    await expect(mp.fs.writeFile('/data/new.txt', 'x')).rejects.toMatchObject({ code: 'EROFS' });
    await expect(mp.fs.readFile('/nope')).rejects.toBeInstanceOf(MicroPythonFsError);
    await expect(mp.fs.rm('/tmp/a')).rejects.toMatchObject({ code: 'EISDIR' });
    await mp.fs.rm('/tmp/a', { recursive: true });
    expect(await mp.fs.exists('/tmp/a')).toBe(false);
    await mp.fs.rm('/tmp/a', { force: true });
    await mp.fs.writeFile('/w/made.txt', 'from guest');
    expect(readFileSync(join(host, 'src', 'made.txt'), 'utf8')).toBe('from guest');
    await mp.fs.rm('/w/made.txt');
    expect(await mp.eval('open("/data/in.txt").read()')).toBe('data file');
  });
});

describe('sandbox', () => {
  it('shows only the mounts, keeps symlinks and .. inside, passes only the env and argv given', async () => {
    process.env.MPY_EMBED_LEAK_CHECK = 'leak';
    await using mp = await MicroPython.create({ mounts: { '/app': join(host, 'src') }, argv: ['a', 'b'], env: { ONLY: '1' } });
    const top = (await mp.eval('sorted(__import__("os").listdir("/"))')) as string[];
    expect(top).toContain('app');
    expect(top).not.toContain('etc');
    expect(await mp.eval('__import__("os").listdir("/usr/lib/micropython")')).toContain('_mpy_embed.py');
    await expect(mp.eval('open("/etc/passwd").read()')).rejects.toMatchObject({ type: 'OSError' });
    await expect(mp.eval('open("/app/../outside/secret.txt").read()')).rejects.toMatchObject({ type: 'OSError' });
    await expect(mp.eval('open("/app/escape.txt").read()')).rejects.toMatchObject({ type: 'OSError' });
    expect(await mp.eval('__import__("os").getenv("MPY_EMBED_LEAK_CHECK")')).toBeNull();
    expect(await mp.eval('__import__("os").getenv("ONLY")')).toBe('1');
    expect(await mp.eval('__import__("sys").argv')).toEqual(['a', 'b']);
    expect(await mp.eval('__import__("os").getcwd()')).toBe('/');
  });

  it('denies the network unless allowed', async () => {
    await using mp = await MicroPython.create();
    await expect(mp.exec('import socket\ns = socket.socket()\ns.connect(socket.getaddrinfo("127.0.0.1", 9)[0][-1])')).rejects.toMatchObject(
      {
        type: 'OSError',
      },
    );
  });

  it('instances do not share state', async () => {
    const [a, b] = await Promise.all([MicroPython.create(), MicroPython.create()]);
    try {
      await a.exec('shared = "a"');
      await a.fs.writeFile('/tmp/f', 'a');
      await expect(b.eval('shared')).rejects.toMatchObject({ type: 'NameError' });
      expect(await b.fs.exists('/tmp/f')).toBe(false);
    } finally {
      await Promise.all([a.dispose(), b.dispose()]);
    }
  });
});

describe('output', () => {
  it('captures, clears, streams to a callback and reads stdin', async () => {
    const chunks: [string, string][] = [];
    await using mp = await MicroPython.create({ stdout: (c, s) => chunks.push([s, c]), stdin: 'line one\nline two\n' });
    await mp.exec('print("to callback")\nimport sys\nprint("err", file=sys.stderr)');
    expect(
      chunks
        .filter(([s]) => s === 'stdout')
        .map(([, c]) => c)
        .join(''),
    ).toBe('to callback\n');
    expect(mp.stderr).toBe('err\n');
    mp.clearOutput();
    expect(mp.stderr).toBe('');
    expect(await mp.eval('input()')).toBe('line one');
    expect(await mp.eval('__import__("sys").stdin.readline()')).toBe('line two\n');
    await expect(mp.eval('input()')).rejects.toMatchObject({ type: 'EOFError' });
  });

  it('keeps a multi-byte character split between writes whole', async () => {
    let text = '';
    await using mp = await MicroPython.create({ stdout: (c) => (text += c) });
    await mp.exec('import sys\nb = "é€".encode()\nfor i in range(len(b)):\n    sys.stdout.buffer.write(b[i:i+1])');
    expect(text).toBe('é€');
  });
});
