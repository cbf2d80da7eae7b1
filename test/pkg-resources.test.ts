import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin2res } from '../host/pkg/bin2res.js';
import { pyBytes, pyString } from '../runtime/py-literal.js';
import { renderResourceModule } from '../host/pkg/resource-module.js';
import { ensureDist } from './helpers/dist.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';
import { runMpy } from './helpers/cli.js';
import { loadRawInterpreter, type RawInterpreter } from './helpers/raw-interpreter.js';

const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);
const PKG_RESOURCES = readFileSync(new URL('../runtime/lib/pkg_resources.py', import.meta.url), 'utf8');

function hasPython3(): boolean {
  try {
    execFileSync('python3', ['-c', 'pass'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('Python literals', () => {
  it('escape bytes to printable ASCII', () => {
    expect(pyBytes(Uint8Array.from([0, 0x27, 0x5c, 10, 13, 9, 0x41, 0x7f, 0xff]))).toBe("b'\\x00\\'\\\\\\n\\r\\tA\\x7f\\xff'");
    expect(pyBytes(new Uint8Array(0))).toBe("b''");
  });

  it('escape control characters in str and keep other characters', () => {
    expect(pyString("it's\n\u0001é\u{1F600}")).toBe("'it\\'s\\n\\x01é\u{1F600}'");
    expect(() => pyString('\ud800')).toThrow(/surrogate/);
  });
});

describe('R.py and pkg_resources in MicroPython', () => {
  let mp: RawInterpreter;
  let dir: string;
  beforeAll(async () => {
    mp = await loadRawInterpreter();
    mp.writeFile('/usr/lib/micropython/pkg_resources.py', PKG_RESOURCES);
    mp.run("import sys\nsys.path.append('/usr/lib/micropython')\nsys.path.append('/lib')");
    dir = tempDir('mpy-res-');
  });
  afterAll(() => removeDir(dir));

  it('bin2res keys are the names given and the bytes are exact, in MicroPython', async () => {
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(join(dir, 'data', 'all.bin'), ALL_BYTES);
    writeFileSync(join(dir, 'it\'s "odd" é.txt'), 'héllo\r\n');
    writeFileSync(join(dir, 'empty'), '');
    const text = await bin2res({ files: ['data/all.bin', 'it\'s "odd" é.txt', './empty'], cwd: dir });
    expect(text).toContain("'data/all.bin': b'\\x00\\x01");
    mp.writeFile('/lib/r_all.py', text);
    const out = mp.run(
      [
        'import r_all',
        "print(list(r_all.R.keys()) == ['data/all.bin', 'it\\'s \"odd\" \\u00e9.txt', './empty'])",
        "print(r_all.R['data/all.bin'] == bytes(range(256)))",
        "print(r_all.R['it\\'s \"odd\" \\u00e9.txt'] == 'héllo\\r\\n'.encode())",
        "print(r_all.R['./empty'] == b'')",
      ].join('\n'),
    );
    expect(out).toBe('True\nTrue\nTrue\nTrue\n');
  });

  it.skipIf(!hasPython3())('the same R.py means the same in CPython', () => {
    const text = renderResourceModule([
      { key: 'all.bin', data: ALL_BYTES },
      { key: 'q\'"\\\n.txt', data: Uint8Array.from([39, 34, 92, 10]) },
    ]);
    const file = join(dir, 'r_cpy.py');
    writeFileSync(file, text);
    const out = execFileSync('python3', [
      '-c',
      `import runpy; R = runpy.run_path(${JSON.stringify(file)})['R']; print(R['all.bin'] == bytes(range(256)), R['q\\'"\\\\\\n.txt'] == b'\\'"\\\\\\n', list(R))`,
    ]).toString();
    expect(out.trim()).toBe(`True True ['all.bin', 'q\\'"\\\\\\n.txt']`);
  });

  it('refuses a key given twice', () => {
    expect(() =>
      renderResourceModule([
        { key: 'a', data: ALL_BYTES },
        { key: 'a', data: ALL_BYTES },
      ]),
    ).toThrow(/twice/);
  });

  it('resource_stream reads from PACKAGE.R when it exists', () => {
    mp.writeFile('/lib/withr/__init__.py', '');
    mp.writeFile('/lib/withr/R.py', renderResourceModule([{ key: 'sub/x.bin', data: ALL_BYTES }]));
    const out = mp.run(
      [
        'import pkg_resources',
        "s = pkg_resources.resource_stream('withr', 'sub/x.bin')",
        'print(type(s).__name__, s.read() == bytes(range(256)))',
        'try:',
        "    pkg_resources.resource_stream('withr', 'nope')",
        'except KeyError as e:',
        "    print('KeyError', e.args[0])",
      ].join('\n'),
    );
    expect(out).toBe('BytesIO True\nKeyError nope\n');
  });

  it('resource_stream opens the file beside the package when there is no R', () => {
    mp.writeFile('/lib/plain/__init__.py', '');
    mp.writeFile('/lib/plain/data/x.txt', 'from a file');
    mp.writeFile('/lib/single.py', 'X = 1\n');
    mp.writeFile('/lib/single.txt', 'beside a module');
    const out = mp.run(
      [
        'import pkg_resources, errno',
        "print(pkg_resources.resource_stream('plain', 'data/x.txt').read())",
        "print(pkg_resources.resource_stream('single', 'single.txt').read())",
        'try:',
        "    pkg_resources.resource_stream('plain', 'missing.txt')",
        'except OSError as e:',
        // The bare emscripten FS numbers errors its own way (ENOENT is 44 there).
        "    print('OSError', e.errno in (errno.ENOENT, 44))",
        'try:',
        "    pkg_resources.resource_stream('no_such_pkg', 'x')",
        'except ImportError:',
        "    print('ImportError')",
      ].join('\n'),
    );
    expect(out).toBe("b'from a file'\nb'beside a module'\nOSError True\nImportError\n");
  });
});

describe('pkg_resources in the mpy command (host files, /usr/lib/micropython on sys.path)', () => {
  let dir: string;
  beforeAll(() => {
    ensureDist(['host', 'runtime'], ['dist/host/cli/main.js']);
    dir = tempDir('mpy-res-cli-');
    mkdirSync(join(dir, 'lib', 'withr'), { recursive: true });
    mkdirSync(join(dir, 'lib', 'plain', 'data'), { recursive: true });
    writeFileSync(join(dir, 'lib', 'withr', '__init__.py'), '');
    writeFileSync(join(dir, 'lib', 'withr', 'R.py'), renderResourceModule([{ key: 'x.bin', data: ALL_BYTES }]));
    writeFileSync(join(dir, 'lib', 'plain', '__init__.py'), '');
    writeFileSync(join(dir, 'lib', 'plain', 'data', 'y.txt'), 'on disk');
  });
  afterAll(() => removeDir(dir));

  it('reads from R, from the file beside the package, and raises KeyError / OSError(ENOENT)', async () => {
    const code = [
      'import errno, pkg_resources as p',
      "print(p.resource_stream('withr', 'x.bin').read() == bytes(range(256)))",
      "print(p.resource_stream('plain', 'data/y.txt').read())",
      'try:',
      "    p.resource_stream('withr', 'nope')",
      'except KeyError:',
      "    print('KeyError')",
      'try:',
      "    p.resource_stream('plain', 'nope')",
      'except OSError as e:',
      "    print('OSError', e.errno == errno.ENOENT)",
    ].join('\n');
    const r = await runMpy(['-c', code], { env: { MICROPYPATH: join(dir, 'lib') } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("True\nb'on disk'\nKeyError\nOSError True\n");
    expect(r.status).toBe(0);
  });
});
