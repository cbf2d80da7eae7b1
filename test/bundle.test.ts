// mpy's bundled entries (base/bundle.ts, written by wasm/build/bundle-main.ts):
// V8 takes each bundle's code cache under the flags its thread runs with; a
// thread runs its bundle, and a program runs the same through the bundles as
// through the ES modules they fall back to (MPY_NO_BUNDLE=1), including the
// parts that find files from their module's URL (the wasm, runtime/lib, the
// network worker's entry) and the embedding API's worker.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMpy } from './helpers/cli.js';
import { ensureDist, ROOT } from './helpers/dist.js';

ensureDist(['base', 'host'], ['dist/base/bundle.js', 'dist/bundle/cli-main.js', 'dist/bundle/program-worker-cli.v8cache']);

/** Runs an ES module script in a fresh node process (no inherited NODE_OPTIONS), with `env` merged in; its stdout. */
function nodeScript(script: string, env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '', ...env },
  });
}

const BUNDLE = JSON.stringify(`${ROOT}/dist/base/bundle.js`);
const CACHED = JSON.stringify(`${ROOT}/dist/base/cached-script.js`);
const FLAGS = JSON.stringify(`${ROOT}/dist/wasm/cli-v8-flags.js`);

/** Whether each bundle's cache is taken in a fresh process, with the `mpy` command's flags set or not. */
function accepted(withCliFlags: boolean): string {
  return nodeScript(`
    const { readFileSync } = await import('node:fs');
    const b = await import(${BUNDLE});
    const c = await import(${CACHED});
    const { CLI_V8_FLAGS } = await import(${FLAGS});
    if (${withCliFlags}) (await import('node:v8')).setFlagsFromString(CLI_V8_FLAGS.join(' '));
    const taken = (name, profile) => c.compileCachedScript(readFileSync(b.bundlePath(name), 'utf8'), b.bundlePath(name), b.bundleCachePath(name, profile)) !== undefined;
    const out = [['cli-main', 'default'], ['program-worker', 'cli'], ['embed-worker', 'default'], ['compile-command', 'default'], ['install-command', 'default'], ['index-command', 'default'], ['serve-command', 'default']].map(([n, p]) => n + ':' + taken(n, p));
    process.stdout.write(b.BUNDLE_NAMES.every(b.bundleIsCurrent) + ' ' + out.join(' '));`);
}

const PROGRAM = [
  'import sys, os, json, socket',
  'print(sys.path[1:], os.getcwd() == %r)',
  'print(socket.getaddrinfo("localhost", 80)[0][:3])',
  's = socket.socket()',
  'try:',
  '    s.connect(socket.getaddrinfo("127.0.0.1", 1)[0][-1])',
  'except OSError as e:',
  '    print("OSError", e.errno)',
  'print(json.dumps({"a": [1, 2]}))',
].join('\n');

describe('the bundled entries', () => {
  it('each cache is taken under its thread flags (and no other), and every bundle is current', () => {
    expect(accepted(true)).toBe(
      'true cli-main:false program-worker:true embed-worker:false compile-command:false install-command:false index-command:false serve-command:false',
    );
    expect(accepted(false)).toBe(
      'true cli-main:true program-worker:false embed-worker:true compile-command:true install-command:true index-command:true serve-command:true',
    );
  });

  it('the command main thread runs its bundle; MPY_NO_BUNDLE=1 imports the modules instead', () => {
    const probe = `
      const b = await import(${BUNDLE});
      const command = b.loadBundle('cli-main', 'default');
      process.stdout.write(command === undefined ? 'modules\\n' : typeof command.runCommand + '\\n');
      if (command) process.exitCode = await command.runCommand(['-c', 'print(6 * 7)']);`;
    expect(nodeScript(probe)).toBe('function\n42\n');
    expect(nodeScript(probe, { MPY_NO_BUNDLE: '1' })).toBe('modules\n');
  });

  it('a program prints the same through the bundles and through the modules', async () => {
    const code = PROGRAM.replace('%r', JSON.stringify(ROOT));
    const bundled = await runMpy(['-c', code], { cwd: ROOT });
    const modules = await runMpy(['-c', code], { cwd: ROOT, env: { MPY_NO_BUNDLE: '1' } });
    expect(bundled.stderr).toBe('');
    expect(bundled.stdout).toBe(
      "['.frozen', '/root/.micropython/lib', '/usr/lib/micropython'] True\n(2, 1, 6)\nOSError 111\n{\"a\": [1, 2]}\n".replace(
        '/root',
        process.env.HOME ?? '/root',
      ),
    );
    expect(modules).toEqual(bundled);
  });

  it('a command run takes every code cache it loads (its threads set their V8 flags in an order the caches were made for)', async () => {
    const r = await runMpy(['-c', 'print(1)'], { env: { MPY_DEBUG: 'load' } });
    expect(r.stdout).toBe('1\n');
    expect(r.stderr).toBe(
      'mpy load: cli-main.js: from its code cache\nmpy load: program-worker.js: from its code cache\nmpy load: micropython.mjs: from its code cache\n',
    );
  });

  it('the package subcommands run from their bundles and take their caches', async () => {
    for (const [command, bundle] of [
      ['install', 'install-command'],
      ['index', 'index-command'],
      ['serve', 'serve-command'],
    ] as const) {
      const r = await runMpy([command, '--help'], { env: { MPY_DEBUG: 'load' } });
      expect(r.stdout).toContain(`usage: mpy ${command}`);
      expect(r.stderr).toBe(`mpy load: ${bundle}.js: from its code cache\n`);
    }
  });

  it("the command's two threads start without Node's ES module loader, and the boot loads no Web Crypto until Python asks for random bytes", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpy-bundle-test-'));
    try {
      // The main thread's modules, written as it exits by a script preloaded into it.
      const mainList = join(dir, 'main.txt');
      const preload = join(dir, 'preload.cjs');
      writeFileSync(
        preload,
        `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(mainList)}, process.moduleLoadList.join('\\n')));`,
      );
      // The interpreter thread's, read through the js module (the thread's globalThis).
      const program = [
        'import js',
        'def loaded(name):',
        '    return any(name in m for m in js.process.moduleLoadList)',
        'print(loaded("esm/translators"), loaded("fs/promises"), loaded("crypto/webcrypto"))',
        'import random',
        'print(random.getrandbits(8) < 256, loaded("crypto/webcrypto"))',
      ].join('\n');
      const r = await runMpy(['-c', program], { env: { NODE_OPTIONS: `--require ${preload}` } });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('False False False\nTrue True\n');
      const mainModules = readFileSync(mainList, 'utf8');
      expect(mainModules).toContain('NativeModule worker_threads');
      expect(mainModules).not.toContain('esm/translators');
      expect(mainModules).not.toContain('fs/promises');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an embedded instance takes its code caches', () => {
    const script = `
      const { MicroPython } = await import(${JSON.stringify(`${ROOT}/dist/index.js`)});
      const mp = await MicroPython.create();
      await mp.dispose();`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '', MPY_DEBUG: 'load' },
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('mpy load: embed-worker.js: from its code cache\nmpy load: micropython.mjs: from its code cache\n');
  });

  it('an embedded instance boots and answers through its bundle and through the modules', () => {
    const script = `
      const { MicroPython } = await import(${JSON.stringify(`${ROOT}/dist/index.js`)});
      const mp = await MicroPython.create();
      process.stdout.write(String(await mp.eval('sum(range(10))')));
      await mp.dispose();`;
    expect(nodeScript(script)).toBe('45');
    expect(nodeScript(script, { MPY_NO_BUNDLE: '1' })).toBe('45');
  });

  it("an embedded instance's thread loads neither perf_hooks nor os while it boots and answers (mpy's clock is process.hrtime)", () => {
    const script = `
      const { MicroPython } = await import(${JSON.stringify(`${ROOT}/dist/index.js`)});
      const mp = await MicroPython.create({ js: true });
      await mp.exec('print(1)');
      const loaded = await mp.eval('[m for m in __import__("js").process.moduleLoadList if "perf_hooks" in m or m.endswith(" os")]');
      process.stdout.write(JSON.stringify(loaded));
      await mp.dispose();`;
    expect(nodeScript(script)).toBe('[]');
  });
});
