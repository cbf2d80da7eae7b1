// Attacks on the way out through JavaScript: the build's `js`/`jsffi`
// modules, the host's own registered modules (`_mpy_*`) and what their
// functions return. A sandboxed instance must reach no JS object that leads
// to Function, a prototype or the realm's globals; `js: true` and the CLI
// keep the bridge for trusted code, and the CLI closes it under MPY_NET_ALLOW.
import { createServer, type Server } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist } from '../helpers/dist.js';
import { runMpy } from '../helpers/cli.js';
import { removeDir, tempDir } from '../helpers/fixture-dir.js';
import type * as Api from '../../dist/index.js';
import type * as Discovery from '../../dist/host/vitest/discovery.js';
import type * as InterpreterApi from '../../dist/runtime/interpreter.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js', 'dist/host/vitest/discover-main.js']);
const { MicroPython, PythonError } = (await import('../../dist/index.js')) as typeof Api;
const { discoverTests } = (await import('../../dist/host/vitest/discovery.js')) as typeof Discovery;

const CLOSED = 'JavaScript is closed to this interpreter';

/** Runs `body` (which fills the dict R) in `mp` and returns R. */
async function probe(mp: Api.MicroPython, body: string): Promise<Record<string, string>> {
  const code = `R = {}
def attempt(name, fn):
    try:
        v = fn()
        R[name] = 'value ' + type(v).__name__
    except Exception as e:
        R[name] = type(e).__name__ + ': ' + str(e)
${body}`;
  await mp.exec(code);
  return (await mp.eval('R')) as Record<string, string>;
}

/** Attribute names that lead from a JS object towards Function or the realm. */
const DANGER = [
  'constructor',
  '__proto__',
  'prototype',
  'bind',
  'apply',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  '__defineGetter__',
  '__lookupGetter__',
  'caller',
  'arguments',
  'process',
  'globalThis',
  'Function',
  'require',
  'Module',
  'proxy_js_ref',
  'then',
  'eval',
];

// Both kinds of instance: a worker (the default) and one in the calling thread (this test file's).
describe.each(['worker', 'current'] as const)('a sandboxed instance (thread: %s)', (thread) => {
  let mp: Api.MicroPython;
  let server: Server;
  let port = 0;
  let connections = 0;
  beforeAll(async () => {
    server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
    mp = await MicroPython.create({ network: { allow: ['127.0.0.1:1'] }, thread });
  });
  afterAll(async () => {
    await mp.dispose();
    await new Promise((r) => server.close(r));
  });

  it('refuses js and jsffi with ImportError, by every import route', async () => {
    const r = await probe(
      mp,
      `import sys
attempt('import js', lambda: __import__('js'))
attempt('import jsffi', lambda: __import__('jsffi'))
sys.modules.pop('js', None)
attempt('after popping sys.modules', lambda: __import__('js'))
saved = sys.path[:]
sys.path.clear()
attempt('js off sys.path', lambda: __import__('js'))
attempt('jsffi off sys.path', lambda: __import__('jsffi'))
sys.path.extend(saved)
attempt('from jsffi import to_js', lambda: exec('from jsffi import to_js'))`,
    );
    expect(r['import js']).toBe(
      `ImportError: no module named 'js': ${CLOSED} (MicroPython.create without { js: true }, or mpy with MPY_NET_ALLOW set)`,
    );
    expect(r['import jsffi']).toMatch(/^ImportError: no module named 'jsffi': JavaScript is closed/);
    expect(r['after popping sys.modules']).toMatch(/^ImportError: no module named 'js'/);
    expect(r['js off sys.path']).toBe("ImportError: no module named 'js'");
    expect(r['jsffi off sys.path']).toBe("ImportError: no module named 'jsffi'");
    expect(r['from jsffi import to_js']).toMatch(/^ImportError: no module named 'jsffi'/);
  });

  it('lets nothing reachable from the host modules lead to Function, a prototype or globals', async () => {
    await mp.exec(`import sys
DANGER = ${JSON.stringify(DANGER)}
HOST = sorted(n for n in sys.modules if type(sys.modules[n]).__name__ == 'JsProxy')
found = []
def walk(obj, path, depth):
    for a in DANGER + ['call', 'name', 'length']:
        try:
            v = getattr(obj, a)
        except AttributeError:
            continue
        found.append(path + '.' + a)
        if depth and type(v).__name__ in ('JsProxy', 'bound_method'):
            walk(v, path + '.' + a, depth - 1)
for n in HOST:
    m = sys.modules[n]
    walk(m, n, 3)
    for f in ('getenv', 'request', 'connect', 'getaddrinfo', 'socket', 'ticks_us', 'report'):
        try:
            walk(getattr(m, f), n + '.' + f, 3)
        except AttributeError:
            pass
    for key in DANGER:
        try:
            v = m[key]
        except Exception:
            continue
        if v is not None and type(v).__name__ != 'undefined':
            found.append(n + '[' + key + ']')`);
    const hostModules = (await mp.eval('HOST')) as string[];
    expect(hostModules).toEqual(expect.arrayContaining(['_mpy_host', '_mpy_net']));
    const found = (await mp.eval('found')) as string[];
    expect(found.length).toBeGreaterThan(0);
    // Only the functions' own call/name/length are there, never a way further.
    for (const path of found) expect(path).toMatch(/^_mpy_\w+\.\w+(\.call)*\.(call|name|length)$/);
    for (const path of found) for (const name of DANGER) expect(path.split('.')).not.toContain(name);
  });

  it('refuses the classic walks out of a host function', async () => {
    const r = await probe(
      mp,
      `import _mpy_host, _mpy_net
attempt('constructor.constructor', lambda: _mpy_host.getenv.constructor.constructor('return process')())
attempt('module constructor', lambda: _mpy_host.constructor)
attempt('call.constructor', lambda: _mpy_net.connect.call.constructor)
attempt('dunder proto', lambda: _mpy_host.getenv.__proto__)
attempt('bind', lambda: _mpy_host.getenv.bind)
attempt('JsProxy()', lambda: type(_mpy_host)(0))
`,
    );
    expect(r['constructor.constructor']).toBe("AttributeError: 'bound_method' object has no attribute 'constructor'");
    expect(r['module constructor']).toBe("AttributeError: 'JsProxy' object has no attribute 'constructor'");
    expect(r['call.constructor']).toBe("AttributeError: 'bound_method' object has no attribute 'constructor'");
    expect(r['dunder proto']).toBe("AttributeError: 'bound_method' object has no attribute '__proto__'");
    expect(r.bind).toBe("AttributeError: 'bound_method' object has no attribute 'bind'");
    expect(r['JsProxy()']).toMatch(/^TypeError: /);
  });

  it('ends a call that makes JS throw (new, iteration) with an error, and stays usable', async () => {
    await expect(mp.exec('import _mpy_host\n_mpy_host.getenv.new()')).rejects.toThrow('is not a constructor');
    await expect(mp.exec('import _mpy_host\nlist(_mpy_host)')).rejects.toThrow('is not a function');
    expect(await mp.eval('1 + 1')).toBe(2);
  });

  it('hands Python only primitives from host calls', async () => {
    const r = await probe(
      mp,
      `import _mpy_host, _mpy_net
attempt('getenv', lambda: _mpy_host.getenv('PATH'))
attempt('ticks_us', lambda: _mpy_host.ticks_us())
attempt('getaddrinfo', lambda: _mpy_net.getaddrinfo('localhost', 80, 0))
attempt('socket', lambda: _mpy_net.socket())
attempt('stats', lambda: _mpy_net.stats())`,
    );
    expect(r).toEqual({
      getenv: 'value NoneType',
      ticks_us: 'value int',
      getaddrinfo: expect.stringMatching(/^value (int|str)$/),
      socket: 'value int',
      stats: 'value str',
    });
  });

  it('reads no host env var, no host file, starts no process, opens no connection past the allow-list', async () => {
    expect(process.env.PATH).toBeTruthy();
    const r = await probe(
      mp,
      `import os, socket
attempt('getenv PATH', lambda: os.getenv('PATH'))
attempt('read /etc/passwd', lambda: open('/etc/passwd').read())
attempt('os.system', lambda: os.system('true'))
attempt('import subprocess', lambda: __import__('subprocess'))
def connect():
    s = socket.socket()
    try:
        s.connect(('127.0.0.1', ${port}))
    finally:
        s.close()
attempt('connect', connect)`,
    );
    expect(r['getenv PATH']).toBe('value NoneType');
    expect(r['read /etc/passwd']).toBe('OSError: [Errno 2] ENOENT');
    expect(r['os.system']).toBe("AttributeError: module 'os' has no attribute 'system'");
    expect(r['import subprocess']).toBe("ImportError: no module named 'subprocess'");
    expect(r.connect).toBe('OSError: [Errno 13] EACCES');
    expect(connections).toBe(0);
  });
});

describe('js: true (trusted code)', () => {
  it('restores the js bridge to the worker realm', async () => {
    await using mp = await MicroPython.create({ js: true });
    expect(await mp.eval('__import__("js").process.pid')).toBe(process.pid);
    expect(await mp.eval('__import__("jsffi").to_js([1, 2]).length')).toBe(2);
  });

  it("in the calling thread (thread: 'current'), is this thread's realm", async () => {
    await using mp = await MicroPython.create({ js: true, thread: 'current' });
    expect(await mp.eval('__import__("js").process.pid')).toBe(process.pid);
    (globalThis as { mpyInThreadProbe?: number }).mpyInThreadProbe = 42;
    expect(await mp.eval('__import__("js").mpyInThreadProbe')).toBe(42);
    delete (globalThis as { mpyInThreadProbe?: number }).mpyInThreadProbe;
  });

  it('is checked', async () => {
    await expect(MicroPython.create({ js: 'yes' as unknown as boolean })).rejects.toThrow(
      'MicroPython.create: js must be true or false, not "yes"',
    );
  });
});

describe('describePython collection', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('mpy-sec-collect-');
    writeFileSync(join(dir, 'test_escape.py'), 'import js\nSECRET = js.process.env\n');
  });
  afterAll(() => removeDir(dir));

  it('imports test files with js closed', () => {
    const [file] = discoverTests({ files: [{ options: { mounts: { '/t': dir } }, guestDir: '/t', moduleName: 'test_escape' }] });
    expect(file!.tests).toEqual([]);
    expect(file!.importError?.type).toBe('ImportError');
    expect(file!.importError?.traceback).toContain(`no module named 'js': ${CLOSED}`);
  });
});

describe('the mpy command', () => {
  it("keeps js for the user's own code", async () => {
    const r = await runMpy(['-c', 'import js; print(js.process.pid > 0)'], { env: { MPY_NET_ALLOW: undefined } });
    expect(r).toMatchObject({ status: 0, stdout: 'True\n' });
  });

  it('closes js when MPY_NET_ALLOW is set, so node:net cannot step around the allow-list', async () => {
    const r = await runMpy(['-c', "import js\njs.process.getBuiltinModule('net').connect(9, '127.0.0.1')"], {
      env: { MPY_NET_ALLOW: '127.0.0.1:1' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`ImportError: no module named 'js': ${CLOSED}`);
  });

  it('closes uctypes too when MPY_NET_ALLOW is set (with it, Python could reopen js), and keeps it otherwise', async () => {
    const closed = await runMpy(['-c', 'import uctypes'], { env: { MPY_NET_ALLOW: '127.0.0.1:1' } });
    expect(closed.status).toBe(1);
    expect(closed.stderr).toContain("ImportError: no module named 'uctypes': raw memory access is closed");
    const open = await runMpy(['-c', 'import uctypes; print(uctypes.sizeof({"a": uctypes.UINT8 | 0}))'], {
      env: { MPY_NET_ALLOW: undefined },
    });
    expect(open).toMatchObject({ status: 0, stdout: '1\n' });
  });
});

void PythonError;

// Raw memory access (uctypes) would let Python rewrite the interpreter's own
// state: the attack below reopens `js`/`jsffi` in the built-in module table
// and walks from a JS array to `process`.
describe.each(['worker', 'current'] as const)('raw memory (thread: %s)', (thread) => {
  const attack = readFileSync(new URL('../fixtures/security/reopen-js.py', import.meta.url), 'utf8');

  it('is closed to a sandboxed instance, so the table cannot be rewritten', async () => {
    await using mp = await MicroPython.create({ thread });
    const error = await mp.exec(attack).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(await mp.eval('globals().get("ESCAPED")')).toBeNull();
    expect(error).toBeInstanceOf(PythonError);
    expect((error as Api.PythonError).traceback).toContain("ImportError: no module named 'uctypes'");
    const r = await probe(mp, "attempt('import js', lambda: __import__('js'))\nattempt('import uctypes', lambda: __import__('uctypes'))");
    expect(r['import js']).toMatch(/^ImportError: no module named 'js'/);
    expect(r['import uctypes']).toMatch(/^ImportError: no module named 'uctypes'/);
    // Nor does any loaded module hold it (mpy's own keep only its addressof).
    await mp.exec('import socket, select, ssl, asyncio, requests');
    const holders = await mp.eval(`[n + '.' + a for n, m in list(__import__('sys').modules.items()) for a in dir(m)
    if type(getattr(m, a, None)).__name__ == 'module' and getattr(m, a).__name__ == 'uctypes']`);
    expect(holders).toEqual([]);
  });

  it("lets host calls that fill a buffer by address write only to the heap, not the VM's static data", async () => {
    await using mp = await MicroPython.create({ thread });
    // id(json) is a built-in module in static data: random bytes there (os.urandom's host call), or
    // poll results (select's), could rename entries of the built-in module table back.
    await expect(mp.exec('import _mpy_host, json\n_mpy_host.urandom(id(json), 64)')).rejects.toThrow(
      /a host call may write only to the interpreter's heap, not 64 bytes at \d+/,
    );
    const polled = await mp.eval(`(lambda s, n, j: (n.pollmany('%d:4' % s._id, id(j), 0), s.close())[0])(
    __import__('socket').socket(), __import__('_mpy_net'), __import__('json'))`);
    expect(polled).toBe(-5);
    expect(await mp.eval('__import__("json").dumps([1]) + __import__("os").urandom(4).hex()[:0]')).toBe('[1]');
  });

  it('stays open with js: true (trusted code)', async () => {
    await using mp = await MicroPython.create({ thread, js: true });
    expect(await mp.eval('__import__("uctypes").sizeof({"a": __import__("uctypes").UINT32 | 0})')).toBe(4);
  });
});

// The second wall: should a VM bug ever let Python reopen jsffi (simulated
// here by the host writing the names back into the built-in module table),
// its factories of new JS objects make none.
describe('jsffi reopened by a VM bug', () => {
  it('makes no JS object in a sandboxed interpreter', async () => {
    const { Interpreter } = (await import('../../dist/runtime/interpreter.js')) as typeof InterpreterApi;
    let out = '';
    const write = (_fd: number, b: Uint8Array): void => {
      out += Buffer.from(b).toString();
    };
    const interp = await Interpreter.create({ stdio: { write, read: () => 0 } });
    interp.exec("import json\nprint(id('js'), id('jsffi'), id(json))");
    const [js, jsffi, json] = out.trim().split(' ').map(Number) as [number, number, number];
    const heap = interp.heapU8();
    const words = new Uint32Array(heap.buffer, 0, heap.byteLength >>> 2);
    const moduleType = words[json >>> 2];
    const isModule = (address: number): boolean => address > 0 && address < heap.byteLength && words[address >>> 2] === moduleType;
    const closed: number[] = [];
    for (let i = 3; i + 2 < words.length; i++) {
      if (words[i - 1] === 0 && words[i + 1] === 0 && isModule(words[i]!) && isModule(words[i + 2]!)) closed.push(i);
    }
    expect(closed).toHaveLength(1);
    words[closed[0]! - 1] = js;
    words[closed[0]! + 1] = jsffi;
    out = '';
    interp.exec('import jsffi\nprint(jsffi.to_js([1]) is None, jsffi.create_proxy(print) is None)');
    expect(out).toBe('True True\n');
  });
});
