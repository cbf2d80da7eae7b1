/**
 * asyncio as the Unix port has it, through the real `mpy` command: streams
 * over loopback (an echo server and its clients in one program, an HTTP
 * server answering concurrent Node clients), tasks, cancellation and
 * timeouts, an idle server that does not spin, and the embedding API.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, netProgramBatch } from './fixtures/net/run.js';
import { exited, mpyUntilFirstLine, runMpy } from './helpers/cli.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';
import type * as Api from '../dist/index.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/asyncio/${name}`, import.meta.url));

/** One `mpy` child for the programs that need no arguments or environment of their own. */
const batch = netProgramBatch();
/** A Node server that sends two lines' worth and closes. */
let lines: import('node:net').Server;
let linesPort: number;

beforeAll(async () => {
  buildOnce();
  lines = createServer((s) => s.end('first line\nrest'));
  await new Promise<void>((resolve) => lines.listen(0, '127.0.0.1', resolve));
  linesPort = (lines.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => lines.close(() => resolve())));

/** A port nothing listens on (bound by the OS, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** GET http://127.0.0.1:port/path, resolving with the body. */
function fetchText(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

describe('asyncio streams', () => {
  it('an echo server and four concurrent clients in one program', async () => {
    const r = await runMpy([fixture('echo.py')]);
    expect(r.stderr).toBe('');
    const lines = [0, 1, 2, 3].map((n) => `([b'echo ${n}.0\\n', b'echo ${n}.1\\n', b'echo ${n}.2\\n'], b'echo bulk:', 100001)`);
    expect(r.stdout).toBe(`${lines.join('\n')}\npeers on loopback [True, True, True, True]\nafter close: OSError\n`);
    expect(r.status).toBe(0);
  });

  it('an HTTP server on start_server answers concurrent clients and stops', async () => {
    const { child, line, output } = await mpyUntilFirstLine([fixture('http_app.py')]);
    expect(line).toMatch(/^listening \d+$/);
    const port = Number(line.split(' ')[1]);
    let slowDone = 0;
    const slow = [1, 2, 3].map(() =>
      fetchText(port, '/slow').then((body) => {
        slowDone++;
        return body;
      }),
    );
    // Answered while the three slow requests are still open on the same loop.
    expect(await Promise.all(['a', 'b', 'c'].map((n) => fetchText(port, `/hello/${n}`)))).toEqual(['hello a', 'hello b', 'hello c']);
    expect(slowDone).toBe(0);
    expect(await fetchText(port, '/release')).toBe('ok');
    expect(await Promise.all(slow)).toEqual(['released', 'released', 'released']);
    expect(await fetchText(port, '/stop')).toBe('bye');
    expect(await exited(child)).toBe(0);
    expect(output.stdout).toBe(`${line}\nstopped\n`);
    expect(output.stderr).toBe('');
  });

  it('a waiting server does not spin: one host wait covers an idle second', async () => {
    const r = await runMpy([fixture('idle.py')]);
    expect(r.stderr).toBe('');
    const calls = Number(/host calls while idle: (\d+)/.exec(r.stdout)?.[1]);
    // One poll that waits the whole second (two if the clock rounds it short)
    // (the CPU time it saves is measured in bench/asyncio-server.bench.mjs).
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(2);
    expect(r.status).toBe(0);
  });

  const openConnection = batch.add(
    () => `
import asyncio
async def main():
    r, w = await asyncio.open_connection("127.0.0.1", ${linesPort})
    print(await r.readline(), await r.readexactly(2))
    try:
        await r.readexactly(5)
    except EOFError:
        print("EOFError")
    print(await r.read())
    w.close()
    await w.wait_closed()
asyncio.run(main())
`,
  );
  it('open_connection to a Node server: read, readexactly and EOFError', async () => {
    const r = await openConnection();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("b'first line\\n' b're'\nEOFError\nb''\n");
  });
});

describe('asyncio tasks', () => {
  it('cancellation, timeouts, gather, Event, Lock, ThreadSafeFlag and the exception handler behave as on the Unix port', async () => {
    const r = await runMpy([fixture('semantics.py')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(readFileSync(fixture('semantics.expected'), 'utf8'));
    expect(r.status).toBe(0);
  });

  const hostAsyncio = batch.add(
    () => `
import asyncio, uasyncio
print(asyncio.__file__.startswith("/usr/lib/micropython/"))
for n in ("run", "run_until_complete", "ThreadSafeFlag", "StreamReader", "StreamWriter", "open_connection", "start_server"):
    assert getattr(uasyncio, n) is getattr(asyncio, n), n
print(asyncio.__version__)
`,
  );
  it('is the host asyncio, not the build frozen one; uasyncio has the same API', async () => {
    const r = await hostAsyncio();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('True\n(3, 0, 0)\n');
  });

  it('an asyncio module next to the script wins, as it does natively', async () => {
    const dir = tempDir('mpy-asyncio-shadow-');
    try {
      writeFileSync(join(dir, 'asyncio.py'), 'MINE = True\n');
      writeFileSync(join(dir, 'main.py'), 'import asyncio\nprint(asyncio.MINE)\n');
      const r = await runMpy([join(dir, 'main.py')]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('True\n');
    } finally {
      removeDir(dir);
    }
  });

  const uncaught = batch.add(
    () => `
import asyncio
async def bad():
    raise ValueError("lost")
async def main():
    asyncio.create_task(bad())
    await asyncio.sleep_ms(5)
    print("still running")
asyncio.run(main())
`,
  );
  it('an uncaught task exception with no handler is reported on stderr; the program goes on', async () => {
    const r = await uncaught();
    expect(r.stdout).toBe('still running\n');
    expect(r.stderr).toMatch(/^Task exception wasn't retrieved\nfuture: <Task> coro= <generator object 'bad' at [0-9a-f]+>\nTraceback/);
    expect(r.stderr).toMatch(/ValueError: lost\n$/);
  });
});

describe('asyncio in the embedding API', () => {
  it('serves and connects on loopback when network.listen and network.allow grant it', async () => {
    const { MicroPython } = (await import('../dist/index.js')) as typeof Api;
    const port = await freePort();
    const mp = await MicroPython.create({ network: { allow: [`127.0.0.1:${port}`], listen: ['127.0.0.1:*'] } });
    try {
      await mp.exec(`
import asyncio
async def serve(r, w):
    w.write((await r.readline()).upper())
    await w.drain()
    w.close()
async def main():
    srv = await asyncio.start_server(serve, "127.0.0.1", ${port})
    r, w = await asyncio.open_connection("127.0.0.1", ${port})
    w.write(b"ping\\n")
    await w.drain()
    line = await r.readline()
    w.close()
    srv.close()
    await srv.wait_closed()
    return line
`);
      expect(await mp.eval('asyncio.run(main())')).toEqual(new Uint8Array(Buffer.from('PING\n')));
    } finally {
      await mp.dispose();
    }
  });
});
