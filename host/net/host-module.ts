/**
 * `_mpy_net`: the JS module the Python socket and ssl modules
 * (runtime/lib/usocket.py, ussl.py, select.py) call. Buffers cross as
 * (address, length) in the wasm heap; every function returns a number or a
 * string and never throws (a JS exception would unwind through the VM).
 * Negative numbers are failures (./errno.ts); Python turns one into an
 * `OSError` with `_mpy_net.error(r)`, which also says why when the host
 * knows more than the number.
 *
 * Timeouts, in ms as Python passes them: -1 means "blocking, no timeout
 * set" (the bridge's default limit applies), 0 non-blocking, >0 the limit.
 *
 * @module
 */
import type { BridgeCalls, BridgeReply, NetBridge } from './bridge.js';
import { ERR, oserrorArgs } from './errno.js';
import { literalAnswer, lookupText } from './lookup-answer.js';
import { DATA_BYTES } from './protocol.js';
import { traceBridgeCalls, type TraceSink } from './trace.js';

/** The longest single host wait of a poll with no timeout; it waits again after each. */
const POLL_SLICE_MS = 30_000;

/** The function table registered as `_mpy_net`. */
export type NetModule = Record<string, (...args: never[]) => number | string>;

function limit(bridge: NetBridge, timeoutMs: number): number {
  return timeoutMs < 0 ? bridge.defaultTimeoutMs : timeoutMs;
}

/** Sockets a program may hold open at once; past it, `OSError(EMFILE)` (the Unix port's default soft RLIMIT_NOFILE). */
const MAX_OPEN_SOCKETS = 1024;

/**
 * Builds `_mpy_net` over a bridge.
 * @param heap the wasm heap, fetched fresh on each call (for reading what Python sends)
 * @param writableHeap heap bytes a call may write for Python (see Interpreter.writableHeap)
 * @param beforeBlock called before a call that may wait (the program's output must not wait with it)
 * @param trace where to write a line per bridge call (`MPY_DEBUG=net`, ./trace.ts); `undefined`: no tracing, at no cost
 */
export function createNetModule(
  bridge: NetBridge,
  heap: () => Uint8Array,
  writableHeap: (address: number, length: number) => Uint8Array,
  beforeBlock: () => void = () => {},
  trace?: TraceSink,
): NetModule {
  // The last failed call and why it failed, for error().
  let failed: BridgeReply | undefined;
  const calls: BridgeCalls = trace === undefined ? bridge : traceBridgeCalls(bridge, trace);
  const net: BridgeCalls = {
    call: (request, limitMs) => {
      const reply = calls.call(request, limitMs);
      failed = reply.result < 0 ? reply : undefined;
      return reply;
    },
    post: (request) => calls.post(request),
  };
  const guard = <A extends unknown[]>(name: string, fn: (...args: A) => number | string): ((...args: A) => number | string) => {
    return (...args: A) => {
      try {
        return fn(...args);
      } catch (e) {
        failed = {
          result: ERR.EIO,
          data: new Uint8Array(0),
          why: `_mpy_net.${name} failed in the host: ${e instanceof Error ? e.message : String(e)}`,
        };
        return ERR.EIO;
      }
    };
  };
  const stale = (id: number): boolean => !bridge.isCurrent(id);
  // Each socket Python holds is a host socket (a descriptor of this process, up to 1 MiB queued):
  // bounded as the Unix port's descriptors are, by the default soft RLIMIT_NOFILE.
  const open = new Set<number>();
  const full = (): boolean => {
    if (open.size < MAX_OPEN_SOCKETS) return false;
    for (const id of open) if (stale(id)) open.delete(id);
    if (open.size < MAX_OPEN_SOCKETS) return false;
    failed = { result: ERR.EMFILE, data: new Uint8Array(0), why: `${MAX_OPEN_SOCKETS} sockets are open (close some)` };
    return true;
  };
  // A socket of a worker that was replaced: EBADF, saying why.
  const lost = (): number => {
    failed = { result: ERR.EBADF, data: new Uint8Array(0), why: 'the socket was closed when the network worker was restarted' };
    return ERR.EBADF;
  };
  const blocking = <A extends unknown[]>(name: string, fn: (...args: A) => number | string) =>
    guard(name, (...args: A) => {
      beforeBlock();
      return fn(...args);
    });
  const one = (id: number, timeoutMs: number, addr: number, len: number): number => {
    const n = Math.min(len, DATA_BYTES);
    bridge.sendBuffer.set(heap().subarray(addr, addr + n));
    const t = limit(bridge, timeoutMs);
    return net.call({ op: 'send', id, length: n, timeoutMs: t }, t).result;
  };
  return {
    /**
     * Lookup: text lines `family hex-sockaddr`, or a negative getaddrinfo
     * code. An address literal is answered here, without a crossing.
     */
    getaddrinfo: blocking('getaddrinfo', (host: string, port: number, family: number): number | string => {
      const literal = literalAnswer(String(host), family | 0);
      if (literal !== undefined) return typeof literal === 'number' ? literal : lookupText(literal, port | 0);
      const { result, data } = net.call({ op: 'lookup', host: String(host), port: port | 0, family: family | 0 }, bridge.defaultTimeoutMs);
      return result < 0 ? result : Buffer.from(data).toString('latin1');
    }),
    socket: guard('socket', (): number => {
      if (full()) return ERR.EMFILE;
      const id = bridge.newSocketId();
      open.add(id);
      return id;
    }),
    /** port >= 0: `host` is a name or address; port < 0: `host` is a hex `struct sockaddr`. */
    connect: blocking('connect', (id: number, host: string, port: number, timeoutMs: number): number => {
      if (stale(id)) return lost();
      const t = limit(bridge, timeoutMs);
      return net.call({ op: 'connect', id, host: String(host), port, timeoutMs: t }, t).result;
    }),
    wrap: blocking('wrap', (id: number, servername: string | null, verify: number, timeoutMs: number): number => {
      if (stale(id)) return lost();
      const t = limit(bridge, timeoutMs);
      const name = servername === null || servername === undefined ? null : String(servername);
      return net.call({ op: 'wrap', id, servername: name, verify: verify !== 0, timeoutMs: t }, t).result;
    }),
    /** Sends once (up to one chunk) or, with `all`, everything; returns bytes sent or an error. */
    send: blocking('send', (id: number, addr: number, len: number, timeoutMs: number, all: number): number => {
      if (stale(id)) return lost();
      if (!all) return one(id, timeoutMs, addr, len);
      let done = 0;
      while (done < len) {
        const r = one(id, timeoutMs, addr + done, len - done);
        if (r < 0) return done > 0 && timeoutMs === 0 ? done : r;
        done += r;
      }
      return done;
    }),
    /** Receives up to `len` bytes into the heap at `addr` (one crossing). */
    recv: blocking('recv', (id: number, addr: number, len: number, timeoutMs: number): number => {
      if (stale(id)) return lost();
      const t = limit(bridge, timeoutMs);
      const { result, data } = net.call({ op: 'recv', id, max: Math.min(len, DATA_BYTES), timeoutMs: t }, t);
      if (result > 0) writableHeap(addr, data.length).set(data);
      return result;
    }),
    poll: guard('poll', (id: number): number => (stale(id) ? 0 : net.call({ op: 'poll', id }, 0).result)),
    /** kind 0: TCP (listener), 1: UDP. port < 0: `host` is a hex sockaddr. */
    bind_to: blocking('bind_to', (id: number, kind: number, host: string, port: number, family: number): number => {
      if (stale(id)) return lost();
      const op = { op: 'bind', id, kind: kind === 1 ? 'udp' : 'tcp', host: String(host), port, family } as const;
      return net.call(op, bridge.defaultTimeoutMs).result;
    }),
    listen: guard('listen', (id: number, backlog: number): number =>
      stale(id) ? lost() : net.call({ op: 'listen', id, backlog }, 0).result,
    ),
    /** `NEWID HEX-PEER-SOCKADDR`, or a negative error. */
    accept: blocking('accept', (id: number, timeoutMs: number): number | string => {
      if (stale(id)) return lost();
      if (full()) return ERR.EMFILE;
      const newId = bridge.newSocketId();
      const t = limit(bridge, timeoutMs);
      const { result, data } = net.call({ op: 'accept', id, newId, timeoutMs: t }, t);
      if (result < 0) return result;
      open.add(newId);
      return `${newId} ${Buffer.from(data).toString('hex')}`;
    }),
    /** The hex sockaddr of the local (peer 0) or remote end, or a negative error. */
    getname: guard('getname', (id: number, peer: number): number | string => {
      if (stale(id)) return lost();
      const { result, data } = net.call({ op: 'name', id, peer: peer !== 0 }, 0);
      return result < 0 ? result : Buffer.from(data).toString('hex');
    }),
    /** One datagram of `len` bytes at `addr` to `host:port` (port < 0: hex sockaddr). */
    sendto: blocking('sendto', (id: number, addr: number, len: number, host: string, port: number, family: number): number => {
      if (stale(id)) return lost();
      if (len > DATA_BYTES) return ERR.EMSGSIZE;
      bridge.sendBuffer.set(heap().subarray(addr, addr + len));
      return net.call({ op: 'sendto', id, host: String(host), port, family, length: len }, bridge.defaultTimeoutMs).result;
    }),
    /** One datagram into the heap at `addr` (cut to `len`): `LENGTH HEX-SENDER-SOCKADDR`, or a negative error. */
    recvfrom: blocking('recvfrom', (id: number, addr: number, len: number, timeoutMs: number): number | string => {
      if (stale(id)) return lost();
      const t = limit(bridge, timeoutMs);
      const { result, data } = net.call({ op: 'recvfrom', id, max: Math.min(len, DATA_BYTES - 64), timeoutMs: t }, t);
      if (result < 0) return result;
      const nameLength = data[0]!;
      const received = data.subarray(1 + nameLength, 1 + nameLength + result);
      writableHeap(addr, received.length).set(received);
      return `${result} ${Buffer.from(data.subarray(1, 1 + nameLength)).toString('hex')}`;
    }),
    /**
     * Waits until one of the sockets in `spec` (`ID:EVENTS` comma-separated)
     * is ready, up to `timeoutMs` (<0: without limit), writing one revents
     * byte per socket at `out`; returns how many are ready.
     */
    pollmany: blocking('pollmany', (spec: string, out: number, timeoutMs: number): number => {
      const ids: number[] = [];
      const events: number[] = [];
      for (const item of String(spec).split(',')) {
        const [id, ev] = item.split(':').map(Number);
        ids.push(id!);
        events.push(ev!);
      }
      for (;;) {
        const slice = timeoutMs < 0 ? POLL_SLICE_MS : timeoutMs;
        const { result, data } = net.call({ op: 'pollmany', ids, events, timeoutMs: slice }, slice);
        if (result < 0) return result;
        if (result > 0 || timeoutMs >= 0) {
          writableHeap(out, ids.length).set(data.subarray(0, ids.length));
          return result;
        }
      }
    }),
    shutdown: guard('shutdown', (id: number): number => (stale(id) ? lost() : net.call({ op: 'shutdown', id }, 0).result)),
    close: guard('close', (id: number): number => {
      open.delete(id);
      if (!stale(id)) net.post({ op: 'close', id });
      return 0;
    }),
    /**
     * The arguments of the `OSError` for the failure `r`: `"CODE"` or
     * `"CODE TEXT"` (./errno.ts `oserrorArgs`), with why the last call
     * failed when it failed with `r` and the host knows.
     */
    error: guard('error', (r: number): string => oserrorArgs(r, failed?.result === r ? failed.why : undefined)),
    /** `recv_crossings crossings bytes_in`, for benchmarks and tests. */
    stats: guard('stats', (): string => `${bridge.stats.recvCrossings} ${bridge.stats.crossings} ${bridge.stats.bytesIn}`),
  };
}
