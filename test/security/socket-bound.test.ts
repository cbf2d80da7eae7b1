// Each socket a sandboxed program holds is a socket of the host process (a
// descriptor, and up to 1 MiB queued): without a bound, a program allowed
// one destination could open them until the host process ran out of
// descriptors. The bound is the Unix port's default soft RLIMIT_NOFILE.
import { describe, expect, it } from 'vitest';
import { ensureDist } from '../helpers/dist.js';
import type * as Api from '../../dist/index.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython } = (await import('../../dist/index.js')) as typeof Api;

const BOUND = 1024;

describe.each(['worker', 'current'] as const)('open sockets (thread: %s)', (thread) => {
  it(`are bounded at ${BOUND}: the next is OSError(EMFILE) until one is closed`, async () => {
    await using mp = await MicroPython.create({ thread, network: { allow: ['127.0.0.1:1'] } });
    await mp.exec(`import socket
S = [socket.socket() for _ in range(${BOUND})]
try:
    S.append(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
    ERR = None
except OSError as e:
    ERR = e.errno
S.pop().close()
S.append(socket.socket())`);
    expect(await mp.eval('(ERR, len(S))')).toEqual([24, BOUND]); // EMFILE (Linux numbering; MicroPython's errno has no name for it);
    await mp.exec('for s in S: s.close()');
    expect(await mp.eval('len([socket.socket() for _ in range(10)])')).toBe(10);
  });
});
