import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMicroPython } from '@micropython/micropython-webassembly-pyscript';
import { EM_ERRNO, LINUX_ERRNO } from '../base/errno.js';
import { emscriptenErrnoFromNodeError, linuxErrnoFromEmscripten } from '../host/fs/errno.js';
import { mountHostFilesystem, type MountedFilesystem } from '../host/fs/mounts.js';
import { checkSandboxMounts } from '../host/fs/sandbox-mounts.js';
import { GUEST_LIB_DIR } from '../runtime/guest-layout.js';
import { withLinuxErrnos } from '../host/fs/syscall-errno.js';
import type { EmFS } from '../wasm/emscripten-module.js';

interface MicroPython {
  FS: EmFS;
  runPython(code: string): unknown;
}

const stdout: string[] = [];
let mp: MicroPython;
let FS: EmFS;
const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mpy-fs-')));

/** Runs Python; `code` must assign `result`, which comes back through JSON. */
function py<T = unknown>(code: string): T {
  stdout.length = 0;
  mp.runPython(`${code}\nimport json\nprint(json.dumps(result))`);
  return JSON.parse(stdout[stdout.length - 1]!) as T;
}

const pyStr = (s: string): string => JSON.stringify(s);

beforeAll(async () => {
  const realInstantiate = WebAssembly.instantiate;
  // Stands in for the wasm loader's instantiateWasm hook: the glue's own imports, translated.
  WebAssembly.instantiate = ((source: BufferSource, imports?: WebAssembly.Imports) =>
    realInstantiate(source, imports && withLinuxErrnos(imports))) as typeof WebAssembly.instantiate;
  try {
    mp = (await loadMicroPython({ heapsize: 48 * 1024 * 1024, stdout: (s: string) => void stdout.push(s) })) as unknown as MicroPython;
  } finally {
    WebAssembly.instantiate = realInstantiate;
  }
  FS = mp.FS;
  mp.runPython(`
import errno, os, sys
def err_of(fn, *args):
    try:
        fn(*args)
    except OSError as e:
        return e.errno
    return None
def read(p, mode='r'):
    with open(p, mode) as f:
        return f.read()
`);
});

afterAll(() => {
  fs.rmSync(base, { recursive: true, force: true });
});

describe('errno numbering', () => {
  it('maps Node error codes to the glue numbering, once', () => {
    let real: unknown;
    try {
      fs.statSync(path.join(base, 'missing'));
    } catch (err) {
      real = err;
    }
    expect(emscriptenErrnoFromNodeError(real)).toBe(44);
    expect(emscriptenErrnoFromNodeError({ code: 'EROFS' })).toBe(69);
    expect(emscriptenErrnoFromNodeError({ code: 'ENOTSUP' })).toBe(EM_ERRNO.EOPNOTSUPP);
    expect(emscriptenErrnoFromNodeError({ code: 'EUNHEARD' })).toBe(EM_ERRNO.EIO);
    expect(emscriptenErrnoFromNodeError({ code: 'ERR_INVALID_ARG_TYPE' })).toBeUndefined();
    expect(emscriptenErrnoFromNodeError(new TypeError('bug'))).toBeUndefined();
  });

  it('uses the numbers the glue names the same way', () => {
    for (const [name, errno] of Object.entries(EM_ERRNO)) {
      expect([name, new FS.ErrnoError(errno).code]).toEqual([name, name]);
    }
  });

  it.runIf(process.platform === 'linux')('uses Linux numbers on the Python side', () => {
    for (const [name, errno] of Object.entries(LINUX_ERRNO)) {
      expect([name, errno]).toEqual([name, (os.constants.errno as Record<string, number>)[name]]);
    }
  });

  it("agrees with the interpreter's errno module", () => {
    const module = py<Record<string, number>>(`result = {k: getattr(errno, k) for k in dir(errno) if k.startswith('E')}`);
    expect(Object.keys(module).length).toBeGreaterThan(10);
    for (const [name, errno] of Object.entries(module)) {
      expect([name, errno]).toEqual([name, LINUX_ERRNO[name as keyof typeof LINUX_ERRNO]]);
    }
  });

  it('translates only syscall and fd_ import results', () => {
    const glue = {
      __syscall_openat: () => -44,
      __syscall_getcwd: () => 12,
      fd_close: () => 8,
      fd_write: () => 0,
      emscripten_date_now: () => -44,
    };
    const out = withLinuxErrnos({ env: glue, wasi_snapshot_preview1: glue });
    expect(out.env.__syscall_openat()).toBe(-2);
    expect(out.env.__syscall_getcwd()).toBe(12);
    expect(out.env.fd_close()).toBe(9);
    expect(out.env.fd_write()).toBe(0);
    expect(out.env.emscripten_date_now()).toBe(-44);
    expect(out.wasi_snapshot_preview1).toBe(out.env);
    expect(linuxErrnoFromEmscripten(9999)).toBe(9999);
  });

  it('keeps the glue FS on its own numbering while Python sees Linux numbers', () => {
    expect(() => FS.stat('/no/such/file')).toThrow(expect.objectContaining({ errno: EM_ERRNO.ENOENT }));
    expect(py(`result = [err_of(open, '/no/such/file'), errno.ENOENT]`)).toEqual([2, 2]);
  });
});

describe('sandbox mounts', () => {
  const root = path.join(base, 'sandbox');
  const app = path.join(root, 'app');
  const lib = path.join(root, 'lib');
  let mounted: MountedFilesystem;

  beforeAll(() => {
    fs.mkdirSync(path.join(app, 'sub'), { recursive: true });
    fs.mkdirSync(path.join(lib, 'pkg'), { recursive: true });
    fs.writeFileSync(path.join(root, 'secret.txt'), 'top secret');
    fs.writeFileSync(path.join(root, 'top.txt'), 'outside top');
    fs.writeFileSync(path.join(app, 'top.txt'), 'app top');
    fs.writeFileSync(path.join(app, 'hello.txt'), 'hello');
    fs.writeFileSync(path.join(app, 'sub', 'inner.txt'), 'inner');
    fs.symlinkSync('../top.txt', path.join(app, 'sub', 'lnk'));
    fs.symlinkSync(path.join(root, 'secret.txt'), path.join(app, 'out_abs'));
    fs.symlinkSync('../secret.txt', path.join(app, 'out_rel'));
    fs.symlinkSync(root, path.join(app, 'out_dir'));
    fs.symlinkSync('sub/inner.txt', path.join(app, 'in_rel'));
    fs.symlinkSync(path.join(app, 'sub', 'inner.txt'), path.join(app, 'in_abs'));
    fs.symlinkSync('sub', path.join(app, 'in_dir'));
    fs.writeFileSync(path.join(lib, 'hostmod.py'), 'VALUE = 42\n');
    fs.writeFileSync(path.join(lib, 'pkg', '__init__.py'), '');
    fs.writeFileSync(path.join(lib, 'pkg', 'mod.py'), 'NAME = "pkg.mod"\n');
    mounted = mountHostFilesystem(FS, {
      kind: 'sandbox',
      mounts: { '/app': { host: app, readOnly: false }, '/lib': { host: lib, readOnly: true } },
    });
  });

  afterAll(() => {
    mounted.unmount();
  });

  it('shows only the mounts over the in-memory tree', () => {
    expect(mounted.mountpoints).toEqual(['/app', '/lib']);
    expect(py(`result = sorted(os.listdir('/'))`)).toEqual(['app', 'dev', 'home', 'lib', 'proc', 'tmp']);
    const hostFile = fileURLToPath(import.meta.url);
    expect(py(`result = [err_of(os.stat, ${pyStr(root)}), err_of(open, ${pyStr(hostFile)})]`)).toEqual([2, 2]);
  });

  it('keeps the unmounted guest tree in memory', () => {
    const name = `mpy-fs-memfs-${process.pid}.txt`;
    expect(py(`open('/tmp/${name}', 'w').write('mem')\nresult = read('/tmp/${name}')`)).toBe('mem');
    expect(fs.existsSync(path.join('/tmp', name))).toBe(false);
  });

  it('reads and writes host files through a writable mount', () => {
    expect(py(`result = read('/app/hello.txt')`)).toBe('hello');
    py(`open('/app/new.txt', 'w').write('from python')\nresult = 0`);
    expect(fs.readFileSync(path.join(app, 'new.txt'), 'utf8')).toBe('from python');
  });

  it('imports modules and packages from a mounted directory', () => {
    expect(py(`import hostmod\nfrom pkg import mod\nresult = [hostmod.VALUE, mod.NAME]`)).toEqual([42, 'pkg.mod']);
  });

  it('refuses every change on a read-only mount with EROFS', () => {
    const results = py<Array<number | null>>(`
result = [
    err_of(open, '/lib/new.py', 'w'),
    err_of(open, '/lib/hostmod.py', 'w'),
    err_of(open, '/lib/hostmod.py', 'a'),
    err_of(open, '/lib/hostmod.py', 'r+'),
    err_of(os.mkdir, '/lib/d'),
    err_of(os.remove, '/lib/hostmod.py'),
    err_of(os.rename, '/lib/hostmod.py', '/lib/other.py'),
    err_of(os.rmdir, '/lib/pkg'),
]`);
    expect(results).toEqual(Array(8).fill(LINUX_ERRNO.EROFS));
    expect(fs.readdirSync(lib).sort()).toEqual(['hostmod.py', 'pkg']);
    expect(fs.readFileSync(path.join(lib, 'hostmod.py'), 'utf8')).toBe('VALUE = 42\n');
  });

  it('resolves .. in the guest tree, never above the host root', () => {
    const results = py(`
a = sorted(os.listdir('/app/..'))
b = err_of(open, '/app/../secret.txt')
os.chdir('/app/sub')
c = err_of(open, '../../secret.txt')
d = read('../hello.txt')
os.chdir('/tmp')
result = [a, b, c, d]`);
    expect(results).toEqual([['app', 'dev', 'home', 'lib', 'proc', 'tmp'], 2, 2, 'hello']);
  });

  it('refuses symlinks whose target leaves the host root with EACCES', () => {
    const results = py(`
result = [
    err_of(open, '/app/out_abs'),
    err_of(open, '/app/out_rel'),
    err_of(os.stat, '/app/out_rel'),
    err_of(os.listdir, '/app/out_dir'),
    err_of(open, '/app/out_dir/secret.txt'),
]`);
    expect(results).toEqual(Array(5).fill(LINUX_ERRNO.EACCES));
  });

  it('follows symlinks that stay inside the host root', () => {
    const results = py(`
types = {name: kind for name, kind, *rest in os.ilistdir('/app')}
result = [read('/app/in_rel'), read('/app/in_abs'), sorted(os.listdir('/app/in_dir')), read('/app/sub/lnk'), types['in_rel']]`);
    expect(results).toEqual(['inner', 'inner', ['inner.txt', 'lnk'], 'app top', 0o120000]);
  });

  it('re-checks a relative symlink after the guest moves it', () => {
    const results = py(`
os.rename('/app/sub/lnk', '/app/lnk')
result = [err_of(open, '/app/lnk'), 'lnk' in os.listdir('/app')]`);
    expect(results).toEqual([LINUX_ERRNO.EACCES, true]);
    expect(fs.readlinkSync(path.join(app, 'lnk'))).toBe('../top.txt');
  });

  it('rejects bad plans with an error naming the path', () => {
    const missing = path.join(base, 'does-not-exist');
    const file = path.join(app, 'hello.txt');
    const fail = (message: string): never => {
      throw new Error(message);
    };
    const sandbox = (mounts: Record<string, { host: string }>) => () =>
      mountHostFilesystem(FS, { kind: 'sandbox', mounts: checkSandboxMounts(mounts, { '/usr/lib/mpy': 'the host library' }, fail) });
    expect(sandbox({ '/x': { host: missing } })).toThrow(`host directory ${missing} does not exist`);
    expect(sandbox({ '/x': { host: file } })).toThrow(`${file} is not a directory`);
    expect(sandbox({ '/': { host: app } })).toThrow("a mount cannot be '/'");
    expect(sandbox({ x: { host: app } })).toThrow('absolute');
    expect(sandbox({ '/x/../y': { host: app } })).toThrow('not normalised: write "/y"');
    expect(sandbox({ '/dev/x': { host: app } })).toThrow('/dev');
    expect(sandbox({ '/usr/lib/mpy/x': { host: app } })).toThrow('/usr/lib/mpy holds the host library');
    expect(() => mountHostFilesystem(FS, { kind: 'host-mirror', runtimeLib: { guest: GUEST_LIB_DIR, host: missing } })).toThrow(missing);
    expect(sandbox({ '/app2': { host: app }, '/app2/hello.txt/x': { host: lib } })).toThrow('/app2/hello.txt is not a directory');
    expect(py(`result = sorted(os.listdir('/'))`)).toEqual(['app', 'dev', 'home', 'lib', 'proc', 'tmp']);
  });

  it('mounts over missing paths, host directories and host symlinks, and unmounts cleanly', () => {
    const extra = mountHostFilesystem(FS, {
      kind: 'sandbox',
      mounts: {
        '/app/deep/er': { host: lib, readOnly: true },
        '/app/sub': { host: lib, readOnly: true },
        '/app/in_rel': { host: lib, readOnly: true },
      },
    });
    const listing = "sorted(n for n in os.listdir('/app') if n in ('deep', 'sub', 'in_rel'))";
    try {
      const results = py(`
result = [${listing}, sorted(os.listdir('/app/deep')), read('/app/deep/er/hostmod.py'),
          sorted(os.listdir('/app/sub')), sorted(os.listdir('/app/in_rel')), err_of(os.mkdir, '/app/deep/x')]`);
      expect(results).toEqual([
        ['deep', 'in_rel', 'sub'],
        ['er'],
        'VALUE = 42\n',
        ['hostmod.py', 'pkg'],
        ['hostmod.py', 'pkg'],
        LINUX_ERRNO.EROFS,
      ]);
      expect(fs.existsSync(path.join(app, 'deep'))).toBe(false);
    } finally {
      extra.unmount();
    }
    const after = py(`result = [${listing}, sorted(os.listdir('/app/sub')), read('/app/in_rel')]`);
    expect(after).toEqual([['in_rel', 'sub'], ['inner.txt'], 'inner']);
  });
});

describe('host mirror', () => {
  const dir = path.join(base, 'mirror');
  const runtimeLib = path.join(base, 'runtime-lib');
  let mounted: MountedFilesystem;

  beforeAll(() => {
    fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(runtimeLib, { recursive: true });
    fs.writeFileSync(path.join(runtimeLib, 'mpy_fs_overlay_probe.py'), 'WHERE = "overlay"\n');
    fs.writeFileSync(path.join(base, 'outside-lib.txt'), 'outside');
    fs.symlinkSync(path.join(base, 'outside-lib.txt'), path.join(runtimeLib, 'escape'));
    mounted = mountHostFilesystem(FS, { kind: 'host-mirror', runtimeLib: { guest: GUEST_LIB_DIR, host: runtimeLib } });
    FS.chdir(process.cwd());
  });

  afterAll(() => {
    FS.chdir('/');
    mounted.unmount();
  });

  it('shows host files at the same absolute paths, and the process cwd', () => {
    fs.writeFileSync(path.join(dir, 'same.txt'), 'same path');
    const results = py(`
result = [read(${pyStr(path.join(dir, 'same.txt'))}), os.getcwd()]
open(${pyStr(path.join(dir, 'back.txt'))}, 'w').write('written by python')`);
    expect(results).toEqual(['same path', process.cwd()]);
    expect(fs.readFileSync(path.join(dir, 'back.txt'), 'utf8')).toBe('written by python');
  });

  it('creates files with the mode open(2) would give them under the process umask', () => {
    const p = path.join(dir, 'umask.txt');
    const previous = process.umask(0o077);
    try {
      py(`open(${pyStr(p)}, 'w').write('private')\nresult = 0`);
    } finally {
      process.umask(previous);
    }
    expect(fs.statSync(p).mode & 0o777).toBe(0o600);
    py(`open(${pyStr(p)}, 'w').write('kept')\nresult = 0`);
    expect(fs.statSync(p).mode & 0o777).toBe(0o600);
  });

  it('mirrors the top level of the host, keeping the glue /dev and /proc', () => {
    const top = fs.readdirSync('/').filter((name) => {
      const st = fs.lstatSync(`/${name}`);
      return st.isDirectory() || st.isSymbolicLink();
    });
    const guest = py<string[]>(`result = os.listdir('/')`);
    expect(new Set(guest)).toEqual(new Set([...top, 'dev', 'proc']));
    expect(py(`result = 'web_user' in os.listdir('/home')`)).toBe(fs.readdirSync('/home').includes('web_user'));
  });

  const linkedTop = fs.readdirSync('/').find((name) => {
    try {
      return fs.lstatSync(`/${name}`).isSymbolicLink() && fs.statSync(`/${name}`).isDirectory();
    } catch {
      return false;
    }
  });
  it.runIf(linkedTop !== undefined)('follows top-level host symlinks such as a merged-/usr /bin', () => {
    expect(py(`result = sorted(os.listdir('/${linkedTop}'))`)).toEqual(fs.readdirSync(`/${linkedTop}`).sort());
  });

  it('resolves relative paths from the cwd after chdir', () => {
    const results = py(`
os.chdir(${pyStr(dir)})
open('rel.txt', 'w').write('relative')
os.mkdir('d')
open('d/inner.txt', 'w').write('nested')
result = [os.getcwd(), read('d/../rel.txt'), sorted(os.listdir('d')), 'rel.txt' in os.listdir()]
os.chdir('d')
result.append(read('inner.txt'))
os.chdir(${pyStr(process.cwd())})`);
    expect(results).toEqual([dir, 'relative', ['inner.txt'], true, 'nested']);
    expect(fs.readFileSync(path.join(dir, 'd', 'inner.txt'), 'utf8')).toBe('nested');
  });

  it('writes, appends, seeks and tells like a file', () => {
    const file = path.join(dir, 'seek.bin');
    const results = py(`
p = ${pyStr(file)}
with open(p, 'wb') as f:
    n1 = f.write(bytes(range(100)))
    n2 = f.write(b'abcdef', 3)
with open(p, 'ab') as f:
    f.write(b'XY')
    t_append = f.tell()
with open(p, 'rb') as f:
    f.seek(10)
    a = f.read(5)
    t1 = f.tell()
    f.seek(-5, 2)
    b = f.read()
    t2 = f.tell()
    f.seek(2, 1)
    t3 = f.tell()
with open(p, 'r+b') as f:
    f.seek(1)
    f.write(b'\\xff')
result = [n1, n2, t_append, list(a), t1, list(b), t2, t3]`);
    expect(results).toEqual([100, 3, 105, [10, 11, 12, 13, 14], 15, [97, 98, 99, 88, 89], 105, 107]);
    const bytes = fs.readFileSync(file);
    expect(bytes.length).toBe(105);
    expect([...bytes.subarray(0, 3)]).toEqual([0, 0xff, 2]);
    expect(bytes.subarray(100).toString('latin1')).toBe('abcXY');
  });

  it('round-trips a 5 MB binary file both ways', () => {
    const input = path.join(dir, 'big.in');
    const copy = path.join(dir, 'big.copy');
    const made = path.join(dir, 'big.made');
    const data = randomBytes(5 * 1024 * 1024);
    fs.writeFileSync(input, data);
    const results = py(`
with open(${pyStr(input)}, 'rb') as f:
    whole = f.read(${data.length + 1})
with open(${pyStr(input)}, 'rb') as src, open(${pyStr(copy)}, 'wb') as dst:
    buf = bytearray(65536)
    while True:
        n = src.readinto(buf)
        if not n:
            break
        dst.write(buf, n)
with open(${pyStr(made)}, 'wb') as f:
    written = f.write(bytes(range(256)) * 20480)
result = [len(whole), list(whole[:4]), list(whole[-4:]), written]
whole = None`);
    expect(results).toEqual([data.length, [...data.subarray(0, 4)], [...data.subarray(-4)], 5 * 1024 * 1024]);
    expect(fs.readFileSync(copy).equals(data)).toBe(true);
    const expected = Buffer.alloc(5 * 1024 * 1024);
    for (let i = 0; i < expected.length; i++) expected[i] = i & 0xff;
    expect(fs.readFileSync(made).equals(expected)).toBe(true);
  });

  it('reports sizes, types and times through stat and ilistdir', () => {
    const file = path.join(dir, 'stat.txt');
    fs.writeFileSync(file, 'x'.repeat(1234));
    fs.utimesSync(file, 1_600_000_000, 1_700_000_000);
    fs.mkdirSync(path.join(dir, 'statdir'), { recursive: true });
    const results = py(`
s = os.stat(${pyStr(file)})
d = os.stat(${pyStr(path.join(dir, 'statdir'))})
kinds = {e[0]: e[1] for e in os.ilistdir(${pyStr(dir)})}
result = [s[6], s[0] & 0o170000, s[8], d[0] & 0o170000, kinds['stat.txt'], kinds['statdir']]`);
    expect(results).toEqual([1234, 0o100000, 1_700_000_000, 0o040000, 0o100000, 0o040000]);
  });

  it('reports the host filesystem through statvfs', () => {
    const host = fs.statfsSync(dir);
    expect(py(`s = os.statvfs(${pyStr(dir)})\nresult = [s[0], s[2], s[5]]`)).toEqual([host.bsize, host.blocks, host.files]);
  });

  it.runIf(process.platform === 'linux')('lists a directory holding a name that is not UTF-8', () => {
    const odd = path.join(dir, 'odd');
    fs.mkdirSync(odd);
    fs.writeFileSync(path.join(odd, 'fine.txt'), '');
    fs.writeFileSync(Buffer.concat([Buffer.from(`${odd}/bad-`), Buffer.from([0xff, 0xfe])]), '');
    expect(py(`result = sorted(os.listdir(${pyStr(odd)}))`)).toEqual(['fine.txt']);
  });

  it('lists a large directory completely', () => {
    const big = path.join(dir, 'many');
    fs.mkdirSync(big);
    const names = Array.from({ length: 1200 }, (_, i) => `entry-${i}.txt`);
    for (const name of names) fs.writeFileSync(path.join(big, name), '');
    const listed = py<string[]>(`result = sorted(os.listdir(${pyStr(big)}))`);
    expect(listed).toEqual([...names].sort());
    expect(py(`result = sum(1 for e in os.ilistdir(${pyStr(big)}) if e[1] == 0o100000)`)).toBe(1200);
  });

  it('makes, renames and removes files and directories on the host', () => {
    const work = path.join(dir, 'ops');
    const results = py(`
w = ${pyStr(work)}
os.mkdir(w)
os.mkdir(w + '/sub')
open(w + '/a.txt', 'w').write('A')
open(w + '/b.txt', 'w').write('B')
os.rename(w + '/a.txt', w + '/b.txt')
os.rename(w + '/sub', w + '/moved')
open(w + '/moved/c.txt', 'w').write('C')
listing = sorted(os.listdir(w))
os.remove(w + '/moved/c.txt')
os.rmdir(w + '/moved')
result = [listing, read(w + '/b.txt'), sorted(os.listdir(w))]`);
    expect(results).toEqual([['b.txt', 'moved'], 'A', ['b.txt']]);
    expect(fs.readdirSync(work)).toEqual(['b.txt']);
    expect(fs.readFileSync(path.join(work, 'b.txt'), 'utf8')).toBe('A');
  });

  it('raises OSError with errno values that match the errno module', () => {
    const work = path.join(dir, 'errs');
    fs.mkdirSync(path.join(work, 'full'), { recursive: true });
    fs.writeFileSync(path.join(work, 'full', 'f.txt'), 'f');
    const results = py<Record<string, [number | null, number]>>(`
w = ${pyStr(work)}
f = w + '/full/f.txt'
ro = open(f)
result = {
    'ENOENT': [err_of(open, w + '/missing'), errno.ENOENT],
    'EEXIST': [err_of(os.mkdir, w + '/full'), errno.EEXIST],
    'EISDIR': [err_of(open, w + '/full', 'w'), errno.EISDIR],
    'ENOTDIR': [err_of(os.listdir, f), ${LINUX_ERRNO.ENOTDIR}],
    'ENOTDIR2': [err_of(open, f + '/x'), ${LINUX_ERRNO.ENOTDIR}],
    'ENOTEMPTY': [err_of(os.rmdir, w + '/full'), ${LINUX_ERRNO.ENOTEMPTY}],
    'EACCES': [err_of(open, '${GUEST_LIB_DIR}/escape'), errno.EACCES],
    'EROFS': [err_of(open, '${GUEST_LIB_DIR}/new.py', 'w'), ${LINUX_ERRNO.EROFS}],
    'EBADF': [err_of(ro.write, 'x'), errno.EBADF],
}
ro.close()`);
    for (const [name, [raised, expected]] of Object.entries(results)) expect([name, raised]).toEqual([name, expected]);
    expect(Object.keys(results)).toHaveLength(9);
  });

  it('shares one FS.ErrnoError per errno; repeated and interleaved failures keep their own errno', () => {
    const enoent = new FS.ErrnoError(EM_ERRNO.ENOENT);
    expect(new FS.ErrnoError(EM_ERRNO.ENOENT)).toBe(enoent);
    expect(enoent).toBeInstanceOf(FS.ErrnoError);
    expect(enoent).toBeInstanceOf(Error);
    expect([enoent.name, enoent.errno, enoent.code]).toEqual(['ErrnoError', EM_ERRNO.ENOENT, 'ENOENT']);
    const eexist = new FS.ErrnoError(EM_ERRNO.EEXIST);
    expect(eexist).not.toBe(enoent);
    expect([eexist.errno, eexist.code]).toEqual([EM_ERRNO.EEXIST, 'EEXIST']);
    const work = path.join(dir, 'errs-shared');
    fs.mkdirSync(work, { recursive: true });
    const seen = py<number[]>(`
w = ${pyStr(work)}
result = []
for _ in range(3):
    result += [err_of(os.stat, w + '/missing'), err_of(os.mkdir, w), err_of(open, w + '/missing/x'), err_of(os.stat, w)]`);
    expect(seen).toEqual(Array.from({ length: 3 }, () => [LINUX_ERRNO.ENOENT, LINUX_ERRNO.EEXIST, LINUX_ERRNO.ENOENT, null]).flat());
  });

  it('overlays the runtime library read-only at /usr/lib/micropython', () => {
    const hostUsrLib = fs.existsSync('/usr/lib') ? fs.readdirSync('/usr/lib').filter((n) => n !== 'micropython') : [];
    const results = py<[string[], string, number, boolean, boolean]>(`
sys.path.append('${GUEST_LIB_DIR}')
import mpy_fs_overlay_probe
usr_lib = os.listdir('/usr/lib')
result = [sorted(os.listdir('${GUEST_LIB_DIR}')), mpy_fs_overlay_probe.WHERE,
          err_of(os.remove, '${GUEST_LIB_DIR}/mpy_fs_overlay_probe.py'),
          'micropython' in usr_lib, all(n in usr_lib for n in ${JSON.stringify(hostUsrLib.slice(0, 5))})]
sys.path.pop()`);
    expect(results).toEqual([['escape', 'mpy_fs_overlay_probe.py'], 'overlay', LINUX_ERRNO.EROFS, true, true]);
    expect(fs.existsSync(path.join(runtimeLib, 'mpy_fs_overlay_probe.py'))).toBe(true);
  });

  it("keeps the glue's /dev and /proc/self/fd working", () => {
    const results = py(`
n = open('/dev/null', 'w').write('discard')
r = open('/dev/urandom', 'rb').read(16)
f = open(${pyStr(path.join(dir, 'same.txt'))})
fds = os.listdir('/proc/self/fd')
f.close()
result = [n, len(r), '0' in fds and '1' in fds and len(fds) >= 4]`);
    expect(results).toEqual([7, 16, true]);
  });

  it('follows host symlinks as the host does', () => {
    fs.symlinkSync(path.join(dir, 'same.txt'), path.join(dir, 'abs-link'));
    fs.symlinkSync('same.txt', path.join(dir, 'rel-link'));
    fs.symlinkSync('/usr', path.join(dir, 'usr-link'));
    const results = py(`
result = [read(${pyStr(path.join(dir, 'abs-link'))}), read(${pyStr(path.join(dir, 'rel-link'))}),
          sorted(os.listdir(${pyStr(path.join(dir, 'usr-link'))})) == sorted(os.listdir('/usr'))]`);
    expect(results).toEqual(['same path', 'same path', true]);
  });

  it('reports a rename between two top-level mounts as EXDEV', () => {
    expect(py(`result = err_of(os.rename, ${pyStr(path.join(dir, 'nothing'))}, '/usr/mpy-fs-nothing')`)).toBe(LINUX_ERRNO.EXDEV);
  });

  it('sees host changes at once (no stale cache)', () => {
    const p = path.join(dir, 'changing');
    fs.writeFileSync(p, 'file');
    expect(py(`result = os.stat(${pyStr(p)})[0] & 0o170000`)).toBe(0o100000);
    fs.rmSync(p);
    expect(py(`result = err_of(os.stat, ${pyStr(p)})`)).toBe(LINUX_ERRNO.ENOENT);
    fs.mkdirSync(p);
    expect(py(`result = os.stat(${pyStr(p)})[0] & 0o170000`)).toBe(0o040000);
    fs.rmdirSync(p);
    expect(py(`open(${pyStr(p)}, 'w').write('again')\nresult = read(${pyStr(p)})`)).toBe('again');
  });

  it.runIf(process.platform === 'linux')('keeps one host descriptor per open file, for the life of the stream', () => {
    const p = path.join(dir, 'held.txt');
    const moved = path.join(dir, 'held-moved.txt');
    fs.writeFileSync(p, 'abcdef');
    const descriptorsOn = (...files: string[]): number =>
      fs.readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return files.includes(fs.readlinkSync(`/proc/self/fd/${fd}`));
        } catch {
          return false;
        }
      }).length;
    py(`
held = open(${pyStr(p)})
first = held.read(3)
for i in range(200):
    with open(${pyStr(p)}) as f:
        f.read()
result = 0`);
    const during = descriptorsOn(p);
    fs.renameSync(p, moved);
    const rest = py(`result = [first, held.read()]\nheld.close()`);
    expect(rest).toEqual(['abc', 'def']);
    expect([during, descriptorsOn(p, moved)]).toEqual([1, 0]);
  });
});
