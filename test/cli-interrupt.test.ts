import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, tcpServer } from './fixtures/net/servers.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMpyInterrupted } from './helpers/interrupt.js';
import { ensureOptimisedWasm } from './helpers/wasm-build.js';
import { findOptimisedWasm } from '../wasm/optimised-wasm.js';

const READY = 'import sys\nsys.stderr.write("ready\\n")\n';

/** The program's body inside try/finally, after telling the test it is ready. */
function guarded(body: string): string {
  // Imports come first: an import may run Python (the host's resolver), where an early interrupt would land.
  return `import sys, time\ntry:\n    sys.stderr.write("ready\\n")\n${body.replace(/^/gm, '    ')}\nfinally:\n    print("cleanup ran")\n`;
}

/** The Unix port's report of an uncaught KeyboardInterrupt raised at `line` of `file`. */
function traceback(file: string, line: number): string {
  return `Traceback (most recent call last):\n  File "${file}", line ${line}, in <module>\nKeyboardInterrupt: \n`;
}

let dir: string;
let silent: Running;

beforeAll(async () => {
  ensureOptimisedWasm();
  dir = mkdtempSync(join(tmpdir(), 'mpy-interrupt-'));
  // Accepts connections and never writes.
  silent = await tcpServer((socket) => socket.on('error', () => {}));
}, 120_000);

afterAll(async () => {
  await silent.close();
  rmSync(dir, { recursive: true, force: true });
});

function script(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('SIGINT raises KeyboardInterrupt in the running program', () => {
  // Tracebacks and line numbers are those the native Unix port 1.27 prints for the same programs.
  it("during a CPU loop: finally runs, the traceback is the Unix port's, status 130", async () => {
    const file = script('loop.py', guarded('while True:\n    pass'));
    const r = await runMpyInterrupted([file]);
    expect(r.stdout).toBe('cleanup ran\n');
    expect(r.stderr).toBe(`ready\n${traceback(file, 5)}`);
    expect(r.status).toBe(130);
  });

  it('during time.sleep(10)', async () => {
    const file = script('sleep.py', guarded('time.sleep(10)'));
    const r = await runMpyInterrupted([file]);
    expect(r.stdout).toBe('cleanup ran\n');
    expect(r.stderr).toBe(`ready\n${traceback(file, 4)}`);
    expect(r.status).toBe(130);
  });

  it('during input() on a pipe nobody writes to', async () => {
    const file = script('input.py', guarded('print(input())'));
    const r = await runMpyInterrupted([file]);
    expect(r.stdout).toBe('cleanup ran\n');
    expect(r.stderr).toBe(`ready\n${traceback(file, 4)}`);
    expect(r.status).toBe(130);
  });

  it('during a blocking recv on a silent loopback server', async () => {
    const body = `import socket\ns = socket.socket()\ns.connect(("127.0.0.1", ${silent.port}))\nsys.stderr.write("ready\\n")\ns.recv(10)`;
    const file = script('recv.py', `import sys\ntry:\n${body.replace(/^/gm, '    ')}\nfinally:\n    print("cleanup ran")\n`);
    const r = await runMpyInterrupted([file]);
    expect(r.stdout).toBe('cleanup ran\n');
    expect(r.stderr).toBe(`ready\n${traceback(file, 7)}`);
    expect(r.status).toBe(130);
  });

  it('during a blocking accept on a listening socket', async () => {
    const body = 'import socket\ns = socket.socket()\ns.bind(("127.0.0.1", 0))\ns.listen(1)\nsys.stderr.write("ready\\n")\ns.accept()';
    const file = script('accept.py', `import sys\ntry:\n${body.replace(/^/gm, '    ')}\nfinally:\n    print("cleanup ran")\n`);
    const r = await runMpyInterrupted([file], { env: { MPY_NET_LISTEN: '127.0.0.1:*' } });
    expect(r.stdout).toBe('cleanup ran\n');
    expect(r.stderr).toBe(`ready\n${traceback(file, 8)}`);
    expect(r.status).toBe(130);
  });

  it('while asyncio waits on a socket poll and a timer', async () => {
    const program = [
      'import sys, asyncio, socket',
      'async def main():',
      '    s = socket.socket()',
      '    s.bind(("127.0.0.1", 0))',
      '    s.listen(1)',
      '    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)',
      '    sys.stderr.write("ready\\n")',
      '    await asyncio.sleep(10)',
      'try:',
      '    asyncio.run(main())',
      'except KeyboardInterrupt:',
      '    print("interrupted")',
    ].join('\n');
    const r = await runMpyInterrupted([script('asyncio-wait.py', program)], { env: { MPY_NET_LISTEN: '127.0.0.1:*' } });
    expect(r.stdout).toBe('interrupted\n');
    expect(r.status).toBe(0);
  });

  it('with -c, the traceback names <stdin> as the Unix port does', async () => {
    const r = await runMpyInterrupted(['-c', `${READY}while True:\n    pass`]);
    expect(r.stderr).toBe(`ready\n${traceback('<stdin>', 4)}`);
    expect(r.status).toBe(130);
  });

  it('a program that catches KeyboardInterrupt keeps going', async () => {
    const program = `import sys\ncaught = 0\nwhile caught < 3:\n    try:\n        sys.stderr.write("ready\\n")\n        while True:\n            pass\n    except KeyboardInterrupt:\n        caught += 1\n        print("caught", caught)\nprint("kept going")\n`;
    const r = await runMpyInterrupted([script('catch.py', program)]);
    expect(r.sent).toBe(3);
    expect(r.stdout).toBe('caught 1\ncaught 2\ncaught 3\nkept going\n');
    expect(r.status).toBe(0);
  });

  it('a second SIGINT while the first is not taken ends the process with 130', async () => {
    // A scheduled callback runs with the scheduler locked: the VM does not raise
    // the pending KeyboardInterrupt there, so the program ignores it. It tells the
    // test when the first one is pending by reading the state the build step found.
    const { pendingAddress } = findOptimisedWasm()!.manifest.interrupt!;
    const program = [
      'import sys, micropython, uctypes',
      `pending = uctypes.bytearray_at(${pendingAddress}, 4)`,
      'def stuck(_):',
      '    sys.stderr.write("ready\\n")',
      '    told = False',
      '    while True:',
      '        if not told and pending != b"\\0\\0\\0\\0":',
      '            told = True',
      '            sys.stderr.write("ready\\n")',
      'micropython.schedule(stuck, None)',
      'for _ in range(2):',
      '    pass',
      'print("not reached")',
    ].join('\n');
    const r = await runMpyInterrupted([script('stuck.py', program)]);
    expect(r.sent).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('ready\nready\n');
    expect(r.status).toBe(130);
  });
});
