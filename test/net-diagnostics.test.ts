/**
 * What the network layer tells when something goes wrong in the host: a
 * network worker that cannot start or stops (Python gets an OSError saying
 * why, never a hang), and `MPY_DEBUG=net`, the trace of every bridge call,
 * from the `mpy` command and from an embedded instance.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, type SessionStdio } from '../runtime/session.js';
import { DEFAULT_MICROPYPATH, GUEST_LIB_DIR, RUNTIME_LIB_DIR } from '../runtime/guest-layout.js';
import { mountHostFilesystem } from '../host/fs/mounts.js';
import type { NetBridge } from '../host/net/bridge.js';
import { netHostModules } from '../host/net/session-modules.js';
import { ROOT } from './helpers/dist.js';
import { buildOnce, runPython } from './fixtures/net/run.js';
import { lineEcho, tcpServer, type Running } from './fixtures/net/servers.js';

let echo: Running;
let closedPort: number;
const scratch = mkdtempSync(join(tmpdir(), 'mpy-net-diag-'));

beforeAll(async () => {
  buildOnce();
  echo = await tcpServer(lineEcho);
  const gone = await tcpServer(() => {});
  closedPort = gone.port;
  await gone.close();
});

afterAll(async () => {
  await echo.close();
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * Runs `code` in an in-process session whose network worker is the service
 * module at `entry`; returns what it printed. `prestart`: the worker is
 * started before Python runs, as for `mpy -m upip`.
 */
async function runWithWorker(entry: string, code: string, prestart = false): Promise<string> {
  let text = '';
  const decoder = new TextDecoder();
  const stdio: SessionStdio = {
    write: (_fd, bytes) => {
      text += decoder.decode(bytes);
    },
    read: () => 0,
    flush: () => {},
  };
  let bridge: NetBridge | undefined;
  const session = await Session.start({
    stdio,
    path: ['', ...DEFAULT_MICROPYPATH.split(':')],
    prepareFilesystem: (fs) =>
      mountHostFilesystem(fs, { kind: 'host-mirror', runtimeLib: { guest: GUEST_LIB_DIR, host: RUNTIME_LIB_DIR } }),
    hostModules: netHostModules(
      {},
      (started) => {
        bridge = started;
        if (prestart) started.prestart();
      },
      entry,
    ),
  });
  try {
    session.runCode(code);
  } finally {
    bridge?.close();
  }
  return text;
}

const CONNECT_TWICE = (port: number): string => `
import socket
for attempt in range(2):
    try:
        socket.socket().connect(("127.0.0.1", ${port}))
        print("connected")
    except OSError as e:
        print(e.errno, e.args[1] if len(e.args) > 1 else "(no reason)")
`;

describe('a network worker that fails', () => {
  it('cannot start (its module is missing): OSError(EIO) saying so, at once, on every call', async () => {
    const missing = pathToFileURL(join(scratch, 'no-such-worker.mjs')).href;
    const out = await runWithWorker(missing, CONNECT_TWICE(echo.port));
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^5 the network worker could not start: Cannot find module '.*no-such-worker\.mjs'/);
  });

  it('fails while loading: OSError(EIO) with its error', async () => {
    const broken = join(scratch, 'broken-worker.mjs');
    writeFileSync(broken, "throw new Error('the service module is broken');\n");
    const out = await runWithWorker(pathToFileURL(broken).href, CONNECT_TWICE(echo.port));
    expect(out.trim().split('\n')).toEqual([
      '5 the network worker could not start: the service module is broken',
      '5 the network worker could not start: the service module is broken',
    ]);
  });

  it('stops during a call: OSError(EIO) saying it stopped; the next call gets a new worker', async () => {
    const dying = join(scratch, 'dying-worker.mjs');
    writeFileSync(dying, "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => process.exit(3));\n");
    const out = await runWithWorker(
      pathToFileURL(dying).href,
      `${CONNECT_TWICE(echo.port)}
s = socket.socket()
for attempt in range(2):
    try:
        s.connect(("127.0.0.1", ${echo.port}))
    except OSError as e:
        print(e.errno, e.args[1])
`,
    );
    const stopped = '5 the network worker stopped (exit status 3); its sockets are closed';
    expect(out.trim().split('\n')).toEqual([stopped, stopped, stopped, '9 the socket was closed when the network worker was restarted']);
  });

  it('a host function that throws answers EIO with its error (the bytes it was moving are lost), and the socket stays usable', async () => {
    const r = await runPython(`
import socket, _mpy_net
s = socket.socket()
s.connect(("127.0.0.1", ${echo.port}))
s.write(b"one\\n")
r = _mpy_net.recv(s._id, 0x7FFFFFF0, 100, -1)
print(r, _mpy_net.error(r))
s.write(b"two\\n")
print(s.readline())
`);
    expect(r.stderr).toBe('');
    const [first, second] = r.stdout.split('\n');
    expect(first).toMatch(/^-5 5 _mpy_net\.recv failed in the host: \S/);
    expect(second).toBe("b'echo: TWO\\n'");
  });

  it('started before the first call (as for -m upip), and failing to load: the first call still says why', async () => {
    const broken = join(scratch, 'broken-early-worker.mjs');
    writeFileSync(broken, "throw new Error('the early service module is broken');\n");
    const out = await runWithWorker(pathToFileURL(broken).href, CONNECT_TWICE(echo.port), true);
    expect(out.trim().split('\n')).toEqual([
      '5 the network worker could not start: the early service module is broken',
      '5 the network worker could not start: the early service module is broken',
    ]);
  });

  it('the real worker, for comparison, connects, started at the first call or before it', async () => {
    const real = pathToFileURL(join(ROOT, 'dist', 'host', 'net', 'worker.js')).href;
    expect((await runWithWorker(real, CONNECT_TWICE(echo.port))).trim().split('\n')).toEqual(['connected', 'connected']);
    expect((await runWithWorker(real, CONNECT_TWICE(echo.port), true)).trim().split('\n')).toEqual(['connected', 'connected']);
  });
});

const TALK = (port: number, closed: number): string => `
import socket
s = socket.socket()
s.connect(("127.0.0.1", ${port}))
s.write(b"hello\\n")
print(s.readline())
s.close()
try:
    socket.socket().connect(("127.0.0.1", ${closed}))
except OSError as e:
    print("refused", e.errno)
`;

describe('MPY_DEBUG=net', () => {
  it('traces each bridge call of the mpy command to stderr: op, arguments, result or error name, time', async () => {
    const r = await runPython(TALK(echo.port, closedPort), { MPY_DEBUG: 'net' });
    expect(r.stdout).toBe("b'echo: HELLO\\n'\nrefused 111\n");
    expect(r.status).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines.every((l) => l.startsWith('mpy net: '))).toBe(true);
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`^mpy net: connect id=(\\d+) host=127\\.0\\.0\\.1 port=${echo.port} timeoutMs=\\d+ -> 0 \\(\\d+\\.\\d\\d ms\\)$`),
      ),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^mpy net: send id=\d+ length=6 timeoutMs=\d+ -> 6 \(\d+\.\d\d ms\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^mpy net: recv id=\d+ max=\d+ timeoutMs=\d+ -> [1-9]\d* \(\d+\.\d\d ms\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^mpy net: close id=\d+ \(posted\)$/));
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`^mpy net: connect id=\\d+ host=127\\.0\\.0\\.1 port=${closedPort} .* -> ECONNREFUSED \\(-111\\) \\(`),
      ),
    );
  });

  it('is off by default, and for other MPY_DEBUG topics', async () => {
    for (const env of [{ MPY_DEBUG: undefined }, { MPY_DEBUG: 'other' }]) {
      const r = await runPython(TALK(echo.port, closedPort), env);
      expect(r.stdout).toBe("b'echo: HELLO\\n'\nrefused 111\n");
      expect(r.stderr).toBe('');
    }
  });

  it('traces an embedded instance too', async () => {
    const script = join(scratch, 'embedded.mjs');
    writeFileSync(
      script,
      `import { MicroPython } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'index.js')).href)};
const mp = await MicroPython.create({ network: { allow: ['127.0.0.1:*'] } });
await mp.exec(${JSON.stringify(TALK(echo.port, closedPort))});
await mp.dispose();
`,
    );
    const child = spawn(process.execPath, [script], { env: { ...process.env, MPY_DEBUG: 'net' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.stdout.resume();
    const status = await new Promise((ok) => child.on('close', ok));
    expect(status).toBe(0);
    expect(stderr).toMatch(new RegExp(`^mpy net: connect id=\\d+ host=127\\.0\\.0\\.1 port=${echo.port} timeoutMs=\\d+ -> 0 \\(`, 'm'));
    expect(stderr).toMatch(/^mpy net: recv id=\d+ max=\d+ timeoutMs=\d+ -> [1-9]\d* \(/m);
    expect(stderr).toMatch(/-> ECONNREFUSED \(-111\)/);
  });
});

describe('the one errno table', () => {
  it("gives Python's host modules every name of the build's errno module, with the same number", async () => {
    const r = await runPython(`
import errno, _mpy_errno
names = [n for n in dir(errno) if n.startswith("E")]
print(len(names) > 20, [n for n in names if getattr(errno, n) != getattr(_mpy_errno, n, None)], _mpy_errno.EINTR)
`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('True [] 4\n');
  });
});
