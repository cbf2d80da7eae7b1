import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { MPY_BIN, runMpy } from './helpers/cli.js';
import { programBatch } from './helpers/program-batch.js';

let dir: string;

/**
 * One `mpy` child, in the test directory, for the checks of what a program
 * sees there (files, modules, recursion depth, sleeps); the process's own
 * behaviour (arguments, exit status, streams) is checked one child per case.
 */
const batch = programBatch(() => ({ cwd: dir }));

beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'mpy-cli-')));
  mkdirSync(join(dir, 'pkg', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'script.py'), 'import sys\nprint(sys.argv)\nprint(sys.path[0])\n');
  writeFileSync(join(dir, 'pkg', '__init__.py'), 'print("pkg init")\n');
  writeFileSync(join(dir, 'pkg', '__main__.py'), 'print("pkg main", __name__)\n');
  writeFileSync(join(dir, 'pkg', 'sub', '__init__.py'), '');
  writeFileSync(join(dir, 'pkg', 'sub', 'mod.py'), 'import sys\nprint("mod", __name__, sys.argv)\n');
  writeFileSync(join(dir, 'boom.py'), 'def f():\n    1/0\n\nf()\n');
  writeFileSync(join(dir, 'bad_syntax.py'), 'x = (1,\n');
  writeFileSync(join(dir, 'data.txt'), 'host bytes');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('running programs', () => {
  it('-c runs a command with sys.argv = ["-c", args...]', async () => {
    const r = await runMpy(['-c', 'import sys; print(sys.implementation.name, sys.argv)', 'a', 'b']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("micropython ['-c', 'a', 'b']\n");
    expect(r.status).toBe(0);
  });

  it('a script gets its argv and its directory as sys.path[0]', async () => {
    const r = await runMpy(['script.py', 'arg1', 'arg2'], { cwd: dir });
    expect(r.stdout).toBe(`['script.py', 'arg1', 'arg2']\n${dir}\n`);
    expect(r.status).toBe(0);
  });

  const hostPaths = batch.add(() => `print(open(${JSON.stringify(join(dir, 'data.txt'))}).read()); print(open("data.txt").read())`);
  it('a program reads host files by absolute path and relative to the working directory', async () => {
    expect((await hostPaths()).stdout).toBe('host bytes\nhost bytes\n');
  });

  it('-m runs a module as __main__ with sys.argv[0] = the module name', async () => {
    const r = await runMpy(['-m', 'pkg.sub.mod', 'x'], { cwd: dir });
    expect(r.stdout).toBe("pkg init\nmod __main__ ['pkg.sub.mod', 'x']\n");
    expect(r.status).toBe(0);
  });

  it('-m on a package runs its __main__', async () => {
    const r = await runMpy(['-m', 'pkg'], { cwd: dir });
    expect(r.stdout).toBe('pkg init\npkg main __main__\n');
  });

  it('-m on a missing module fails like the Unix port', async () => {
    const r = await runMpy(['-m', 'no_such_module'], { cwd: dir });
    expect(r.stderr).toBe("ImportError: no module named 'no_such_module'\n");
    expect(r.status).toBe(1);
  });

  it('reads the program from stdin when stdin is not a terminal', async () => {
    const r = await runMpy([], { input: 'print(6*7)\n' });
    expect(r.stdout).toBe('42\n');
    expect(r.status).toBe(0);
  });

  it('MICROPYPATH sets sys.path after the first entry, with ~ expanded from HOME', async () => {
    const r = await runMpy(['-c', 'import sys; print(sys.path)'], { env: { MICROPYPATH: `~/lib:${dir}`, HOME: '/home/u' } });
    expect(r.stdout).toBe(`['', '/home/u/lib', '${dir}', '/usr/lib/micropython']\n`);
  });

  it('the default sys.path is the Unix port one', async () => {
    const r = await runMpy(['-c', 'import sys; print(sys.path)'], { env: { MICROPYPATH: undefined, HOME: '/home/u' } });
    expect(r.stdout).toBe("['', '.frozen', '/home/u/.micropython/lib', '/usr/lib/micropython']\n");
  });

  it('-m upip sees ~/.micropython/lib as sys.path[1], its default install target', async () => {
    const fake = join(dir, 'fake-upip');
    mkdirSync(fake, { recursive: true });
    writeFileSync(join(fake, 'upip.py'), 'import sys\nprint(sys.path[1], sys.path[-1])\n');
    const r = await runMpy(['-m', 'upip'], { cwd: fake, env: { HOME: '/home/u', MICROPYPATH: undefined } });
    expect(r.stdout).toBe('/home/u/.micropython/lib .frozen\n');
  });

  it('-O sets the optimisation level', async () => {
    const r = await runMpy(['-O2', '-c', 'import micropython; print(micropython.opt_level())']);
    expect(r.stdout).toBe('2\n');
  });

  it('-X compile-only compiles without running', async () => {
    const ok = await runMpy(['-X', 'compile-only', '-c', 'print("ran")']);
    expect(ok.stdout).toBe('');
    expect(ok.status).toBe(0);
    const bad = await runMpy(['-X', 'compile-only', 'bad_syntax.py'], { cwd: dir });
    expect(bad.stderr).toContain('SyntaxError');
    expect(bad.status).toBe(1);
  });

  it('-i with piped stdin runs stdin after the program', async () => {
    const r = await runMpy(['-i', '-c', 'x = 5'], { input: 'print(x * 2)\n' });
    expect(r.stdout).toBe('10\n');
  });
});

describe('exit status', () => {
  it.each([
    ['import sys; sys.exit(3)', 3],
    ['import sys; sys.exit()', 0],
    ['import sys; sys.exit(None)', 0],
    ['import sys; sys.exit(256 + 7)', 7],
    ['raise SystemExit(0)', 0],
  ])('%s exits %i', async (code, status) => {
    const r = await runMpy(['-c', code]);
    expect(r.status).toBe(status);
    expect(r.stderr).toBe('');
  });

  it.each([
    ['import sys; sys.exit("bye")', 'bye\n'],
    ['raise SystemExit("bye")', 'bye\n'],
    ['raise SystemExit([1, 2])', '[1, 2]\n'],
    ['raise SystemExit(True)', 'True\n'],
  ])('%s prints its value on stderr and exits 1, as the Unix port does', async (code, stderr) => {
    const r = await runMpy(['-c', code]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(stderr);
  });

  it('an uncaught exception prints the traceback like the Unix port and exits 1', async () => {
    const r = await runMpy(['boom.py'], { cwd: dir });
    expect(r.stderr).toBe(
      'Traceback (most recent call last):\n  File "boom.py", line 4, in <module>\n  File "boom.py", line 2, in f\nZeroDivisionError: divide by zero\n',
    );
    expect(r.status).toBe(1);
  });

  it('a syntax error is reported with file and line', async () => {
    const r = await runMpy(['bad_syntax.py'], { cwd: dir });
    expect(r.stderr).toMatch(/^Traceback \(most recent call last\):\n {2}File "bad_syntax.py", line \d+\nSyntaxError: invalid syntax\n$/);
    expect(r.status).toBe(1);
  });

  it('a missing script gives the Unix port message and status 2', async () => {
    const r = await runMpy(['missing.py'], { cwd: dir });
    expect(r.stderr).toBe("mpy: can't open file 'missing.py': [Errno 2] No such file or directory\n");
    expect(r.status).toBe(2);
  });

  it('deep recursion raises RuntimeError, not a host crash', async () => {
    const r = await runMpy(['-c', 'def f(n): return f(n + 1)\nf(0)']);
    expect(r.stderr).toContain('RuntimeError: maximum recursion depth exceeded');
    expect(r.stderr).not.toContain('at ');
    expect(r.status).toBe(1);
  });

  const recursion500 = batch.add(() => 'def f(n): return 0 if n == 0 else 1 + f(n - 1)\nprint(f(500))');
  it('recursion 500 deep works (the stock build stops near 155)', async () => {
    expect((await recursion500()).stdout).toBe('500\n');
  });

  it('-X heapsize bounds the heap: a large allocation raises MemoryError', async () => {
    const r = await runMpy(['-X', 'heapsize=256K', '-c', 'x = bytearray(4 * 1024 * 1024)']);
    expect(r.stderr).toContain('MemoryError');
    expect(r.status).toBe(1);
    const fine = await runMpy(['-X', 'heapsize=8M', '-c', 'x = bytearray(4 * 1024 * 1024); print(len(x))']);
    expect(fine.stdout).toBe('4194304\n');
  });
});

describe('bad command lines', () => {
  it('an unknown option is refused with status 1', async () => {
    const r = await runMpy(['-Z']);
    expect(r.stderr).toBe('mpy: unknown option -Z\nInvalid command line arguments. Use -h option for help.\n');
    expect(r.status).toBe(1);
  });

  it('-X emit=native is refused with the reason', async () => {
    const r = await runMpy(['-X', 'emit=native', '-c', 'pass']);
    expect(r.stderr).toContain('no native code emitter');
    expect(r.status).toBe(1);
  });

  it('-X emit=bytecode is accepted', async () => {
    const r = await runMpy(['-X', 'emit=bytecode', '-c', 'print(1)']);
    expect(r.stdout).toBe('1\n');
  });

  it.each(['heapsize=10', 'heapsize=12Q', 'heapsize='])('-X %s is refused', async (opt) => {
    const r = await runMpy(['-X', opt, '-c', 'pass']);
    expect(r.stderr).toContain('invalid heap size');
    expect(r.status).toBe(1);
  });

  it('-c without a command is refused', async () => {
    const r = await runMpy(['-c']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('-c needs an argument');
  });

  it('-h prints the usage', async () => {
    const r = await runMpy(['-h']);
    expect(r.stdout).toContain('usage: mpy');
    expect(r.stdout).toContain('heapsize=');
    expect(r.stdout).toContain('mpy serve');
    expect(r.status).toBe(0);
  });

  it.each(['serve', 'index', 'install', 'sdist', 'bin2res', 'compile'])(
    'mpy %s: an unknown option is a usage error (status 2) that says where the usage is; --help prints it',
    async (command) => {
      const bad = await runMpy([command, '--no-such-option']);
      expect(bad.status).toBe(2);
      expect(bad.stdout).toBe('');
      expect(bad.stderr).toMatch(new RegExp(`^mpy ${command}: Unknown option '--no-such-option'`));
      expect(bad.stderr).toContain(`\nTry 'mpy ${command} --help'.\n`);
      const help = await runMpy([command, '--help']);
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^usage: mpy ${command}`));
    },
  );
});

describe('standard streams', () => {
  it('stdout is byte-exact and binary-safe', async () => {
    const r = await runMpy(['-c', 'import sys; sys.stdout.buffer.write(bytes(range(256)))']);
    expect(r.stdoutBytes.equals(Buffer.from(Array.from({ length: 256 }, (_, i) => i)))).toBe(true);
  });

  it('UTF-8 text passes intact with no extra newlines', async () => {
    const r = await runMpy(['-c', 'import sys; print("héllo ✓ 😀", end=""); sys.stdout.write("|")']);
    expect(r.stdout).toBe('héllo ✓ 😀|');
  });

  it('stdout and stderr keep their order on a shared pipe', async () => {
    const r = spawnSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${MPY_BIN}" -c 'import sys
print("a")
sys.stderr.write("b\\n")
print("c")
sys.stderr.write("d\\n")' 2>&1`,
      ],
      { encoding: 'utf8' },
    );
    expect(r.stdout).toBe('a\nb\nc\nd\n');
  });

  it('input() and sys.stdin.readline() read piped stdin', async () => {
    const r = await runMpy(['-c', 'import sys\nprint(input("name? "))\nprint(repr(sys.stdin.readline()))\nprint(repr(sys.stdin.read()))'], {
      input: 'alice\nsecond line\nrest\nof it',
    });
    expect(r.stdout).toBe("name? alice\n'second line\\n'\n'rest\\nof it'\n");
  });

  it('input() at end of input raises EOFError, traced as from the built-in it is on the Unix port', async () => {
    const r = await runMpy(['-c', 'input()']);
    expect(r.stderr).toBe('Traceback (most recent call last):\n  File "<stdin>", line 1, in <module>\nEOFError: \n');
    expect(r.status).toBe(1);
  });

  it('a socket error is traced from the program line only (socket is built in on the Unix port)', async () => {
    const r = await runMpy(['-c', 'import socket\ns = socket.socket()\ns.connect(("127.0.0.1", 9))'], {
      env: { MPY_NET_ALLOW: '127.0.0.1:1' },
    });
    expect(r.stderr).toBe('Traceback (most recent call last):\n  File "<stdin>", line 3, in <module>\nOSError: [Errno 13] EACCES\n');
  });

  it('invalid UTF-8 on stdin gives a Python error, not a crash', async () => {
    const r = await runMpy(['-c', 'import sys; print(len(sys.stdin.read()))'], { input: Buffer.from([0xff, 0xfe, 0x41, 0x0a]) });
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect([0, 1]).toContain(r.status);
    if (r.status === 1) expect(r.stderr).toMatch(/Error/);
  });

  it('a closed stdout (| head -1) ends quietly with status 0', async () => {
    const child = spawn(process.execPath, [MPY_BIN, '-c', 'for i in range(200000): print(i)'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    expect(err).toBe('');
    expect(status).toBe(0);
  });

  it('prints 200,000 lines completely when piped', async () => {
    const r = await runMpy(['-c', 'for i in range(200000): print(i)']);
    const lines = r.stdout.split('\n');
    expect(lines.length).toBe(200001);
    expect(lines[199999]).toBe('199999');
  });
});

describe('Unix-port module environment', () => {
  it('os.getenv, putenv and unsetenv', async () => {
    const r = await runMpy(
      [
        '-c',
        'import os\nprint(os.getenv("MPY_T"), os.getenv("NOPE"), os.getenv("NOPE", "d"))\nos.putenv("X1", "v")\nprint(os.getenv("X1"))\nos.unsetenv("X1")\nprint(os.getenv("X1"))',
      ],
      {
        env: { MPY_T: 'set' },
      },
    );
    expect(r.stdout).toBe('set None d\nv\nNone\n');
  });

  const uNames = batch.add(
    () =>
      'import uos, utime, ujson, uzlib, uerrno, uselect, uio\nprint(uos.getenv("HOME") is not None, callable(utime.sleep_ms), ujson.dumps([1]))',
  );
  it('u-prefixed names import as on the Unix port, with the host additions', async () => {
    const r = await uNames();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('True True [1]\n');
  });

  const sleeps = batch.add(
    () => 'import time\nt = time.ticks_ms()\ntime.sleep(0.3)\ntime.sleep_ms(100)\nprint(time.ticks_diff(time.ticks_ms(), t) >= 400)',
  );
  it('time.sleep waits at least as long as asked (its CPU use is measured in bench/sleep-cpu.bench.mjs)', async () => {
    expect((await sleeps()).stdout).toBe('True\n');
  });

  const osFiles = batch.add(
    () => `import os, errno
os.mkdir("d1")
try:
    os.mkdir("d1")
except OSError as e:
    print(e.errno == errno.EEXIST)
try:
    open("nope.txt")
except OSError as e:
    print(e.errno == errno.ENOENT)
with open("d1/f.bin", "wb") as f:
    f.write(b"abc")
print(os.listdir("d1"), os.stat("d1/f.bin")[6])
os.rename("d1/f.bin", "d1/g.bin")
os.remove("d1/g.bin")
os.rmdir("d1")
print("d1" in os.listdir("."))`,
  );
  it('os file operations with errno values as Python sees them', async () => {
    const r = await osFiles();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("True\nTrue\n['f.bin'] 3\nFalse\n");
  });
});
