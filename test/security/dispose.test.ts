// dispose() always ends: a FIFO in a mount cannot block the instance's
// thread in a host call (it is opened non-blocking), so a timed-out or
// disposed instance's worker exits and the process can exit after it.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist, ROOT } from '../helpers/dist.js';
import { removeDir, tempDir } from '../helpers/fixture-dir.js';
import type * as Api from '../../dist/index.js';
import type * as Channel from '../../dist/host/embed/channel.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython, MicroPythonTimeoutError } = (await import('../../dist/index.js')) as typeof Api;
const { liveWorkerCount } = (await import('../../dist/host/embed/channel.js')) as typeof Channel;

let host: string;
let fifo: string;
let writer: number;
beforeAll(() => {
  host = tempDir('mpy-sec-dispose-');
  mkdirSync(join(host, 'app'));
  fifo = join(host, 'app', 'fifo');
  execFileSync('mkfifo', [fifo]);
  // A writer that never writes: a blocking read on the FIFO would wait forever.
  writer = openSync(fifo, constants.O_RDWR);
});
afterAll(() => {
  closeSync(writer);
  removeDir(host);
});

describe('a FIFO in a mount', () => {
  it('reads without blocking: None while the writer is silent', async () => {
    await using mp = await MicroPython.create({ mounts: { '/app': join(host, 'app') } });
    expect(await mp.eval("open('/app/fifo', 'rb').read(10)")).toBeNull();
  });

  it('a program spinning on it times out, and dispose ends the worker', async () => {
    const before = liveWorkerCount();
    const mp = await MicroPython.create({ mounts: { '/app': join(host, 'app') }, timeoutMs: 300 });
    const e = await mp.exec("f = open('/app/fifo', 'rb')\nwhile f.read(1) is None:\n    pass").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MicroPythonTimeoutError);
    await mp.dispose();
    expect(liveWorkerCount()).toBe(before);
  });

  it('lets the process exit after dispose', async () => {
    const script = `
      import { MicroPython } from ${JSON.stringify(join(ROOT, 'dist', 'index.js'))};
      const mp = await MicroPython.create({ mounts: { '/app': ${JSON.stringify(join(host, 'app'))} }, timeoutMs: 300 });
      await mp.exec("f = open('/app/fifo', 'rb')\\nwhile f.read(1) is None:\\n    pass").catch((e) => console.log(e.name));
      await mp.dispose();
      console.log('disposed');
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ status, out }).toEqual({ status: 0, out: 'TimeoutError\ndisposed\n' });
  });
});
