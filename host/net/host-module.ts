/**
 * `_mpy_net`: the JS module the Python socket and ssl modules
 * (runtime/lib/usocket.py, ussl.py) call. Buffers cross as (address,
 * length) in the wasm heap; every function returns a number or a string
 * and never throws (a JS exception would unwind through the VM). Negative
 * numbers are errors: -errno, or an mbedTLS code (below -4095).
 *
 * Timeouts, in ms as Python passes them: -1 means "blocking, no timeout
 * set" (the bridge's default limit applies), 0 non-blocking, >0 the limit.
 *
 * @module
 */
import type { NetBridge } from './bridge.js';
import { Errno } from './errno.js';
import { DATA_BYTES } from './protocol.js';

/** The longest single host wait of a poll with no timeout; it waits again after each. */
const POLL_SLICE_MS = 30_000;

/** The function table registered as `_mpy_net`. */
export type NetModule = Record<string, (...args: never[]) => number | string>;

function limit(bridge: NetBridge, timeoutMs: number): number {
  return timeoutMs < 0 ? bridge.defaultTimeoutMs : timeoutMs;
}

function guard<A extends unknown[]>(fn: (...args: A) => number | string): (...args: A) => number | string {
  return (...args: A) => {
    try {
      return fn(...args);
    } catch {
      return -Errno.EIO;
    }
  };
}

/**
 * Builds `_mpy_net` over a bridge.
 * @param heap the wasm heap, fetched fresh on each call
 * @param beforeBlock called before a call that may wait (the program's output must not wait with it)
 */
export function createNetModule(bridge: NetBridge, heap: () => Uint8Array, beforeBlock: () => void = () => {}): NetModule {
  const stale = (id: number): boolean => !bridge.isCurrent(id);
  const blocking = <A extends unknown[]>(fn: (...args: A) => number | string) =>
    guard((...args: A) => {
      beforeBlock();
      return fn(...args);
    });
  const one = (id: number, timeoutMs: number, addr: number, len: number): number => {
    const n = Math.min(len, DATA_BYTES);
    bridge.sendBuffer.set(heap().subarray(addr, addr + n));
    const t = limit(bridge, timeoutMs);
    return bridge.call({ op: 'send', id, length: n, timeoutMs: t }, t).result;
  };
  return {
    /** Lookup: text lines `family hex-sockaddr`, or a negative getaddrinfo code. */
    getaddrinfo: blocking((host: string, port: number, family: number): number | string => {
      const { result, data } = bridge.call(
        { op: 'lookup', host: String(host), port: port | 0, family: family | 0 },
        bridge.defaultTimeoutMs,
      );
      return result < 0 ? result : Buffer.from(data).toString('latin1');
    }),
    socket: guard((): number => bridge.newSocketId()),
    /** port >= 0: `host` is a name or address; port < 0: `host` is a hex `struct sockaddr`. */
    connect: blocking((id: number, host: string, port: number, timeoutMs: number): number => {
      if (stale(id)) return -Errno.EBADF;
      const t = limit(bridge, timeoutMs);
      return bridge.call({ op: 'connect', id, host: String(host), port, timeoutMs: t }, t).result;
    }),
    wrap: blocking((id: number, servername: string | null, verify: number, timeoutMs: number): number => {
      if (stale(id)) return -Errno.EBADF;
      const t = limit(bridge, timeoutMs);
      const name = servername === null || servername === undefined ? null : String(servername);
      return bridge.call({ op: 'wrap', id, servername: name, verify: verify !== 0, timeoutMs: t }, t).result;
    }),
    /** Sends once (up to one chunk) or, with `all`, everything; returns bytes sent or an error. */
    send: blocking((id: number, addr: number, len: number, timeoutMs: number, all: number): number => {
      if (stale(id)) return -Errno.EBADF;
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
    recv: blocking((id: number, addr: number, len: number, timeoutMs: number): number => {
      if (stale(id)) return -Errno.EBADF;
      const t = limit(bridge, timeoutMs);
      const { result, data } = bridge.call({ op: 'recv', id, max: Math.min(len, DATA_BYTES), timeoutMs: t }, t);
      if (result > 0) heap().set(data, addr);
      return result;
    }),
    poll: guard((id: number): number => (stale(id) ? 0 : bridge.call({ op: 'poll', id }, 0).result)),
    /** kind 0: TCP (listener), 1: UDP. port < 0: `host` is a hex sockaddr. */
    bind_to: blocking((id: number, kind: number, host: string, port: number, family: number): number => {
      if (stale(id)) return -Errno.EBADF;
      const op = { op: 'bind', id, kind: kind === 1 ? 'udp' : 'tcp', host: String(host), port, family } as const;
      return bridge.call(op, bridge.defaultTimeoutMs).result;
    }),
    listen: guard((id: number, backlog: number): number =>
      stale(id) ? -Errno.EBADF : bridge.call({ op: 'listen', id, backlog }, 0).result,
    ),
    /** `NEWID HEX-PEER-SOCKADDR`, or a negative error. */
    accept: blocking((id: number, timeoutMs: number): number | string => {
      if (stale(id)) return -Errno.EBADF;
      const newId = bridge.newSocketId();
      const t = limit(bridge, timeoutMs);
      const { result, data } = bridge.call({ op: 'accept', id, newId, timeoutMs: t }, t);
      return result < 0 ? result : `${newId} ${Buffer.from(data).toString('hex')}`;
    }),
    /** The hex sockaddr of the local (peer 0) or remote end, or a negative error. */
    getname: guard((id: number, peer: number): number | string => {
      if (stale(id)) return -Errno.EBADF;
      const { result, data } = bridge.call({ op: 'name', id, peer: peer !== 0 }, 0);
      return result < 0 ? result : Buffer.from(data).toString('hex');
    }),
    /** One datagram of `len` bytes at `addr` to `host:port` (port < 0: hex sockaddr). */
    sendto: blocking((id: number, addr: number, len: number, host: string, port: number, family: number): number => {
      if (stale(id)) return -Errno.EBADF;
      if (len > DATA_BYTES) return -Errno.EMSGSIZE;
      bridge.sendBuffer.set(heap().subarray(addr, addr + len));
      return bridge.call({ op: 'sendto', id, host: String(host), port, family, length: len }, bridge.defaultTimeoutMs).result;
    }),
    /** One datagram into the heap at `addr` (cut to `len`): `LENGTH HEX-SENDER-SOCKADDR`, or a negative error. */
    recvfrom: blocking((id: number, addr: number, len: number, timeoutMs: number): number | string => {
      if (stale(id)) return -Errno.EBADF;
      const t = limit(bridge, timeoutMs);
      const { result, data } = bridge.call({ op: 'recvfrom', id, max: Math.min(len, DATA_BYTES - 64), timeoutMs: t }, t);
      if (result < 0) return result;
      const nameLength = data[0]!;
      heap().set(data.subarray(1 + nameLength, 1 + nameLength + result), addr);
      return `${result} ${Buffer.from(data.subarray(1, 1 + nameLength)).toString('hex')}`;
    }),
    /**
     * Waits until one of the sockets in `spec` (`ID:EVENTS` comma-separated)
     * is ready, up to `timeoutMs` (<0: without limit), writing one revents
     * byte per socket at `out`; returns how many are ready.
     */
    pollmany: blocking((spec: string, out: number, timeoutMs: number): number => {
      const ids: number[] = [];
      const events: number[] = [];
      for (const item of String(spec).split(',')) {
        const [id, ev] = item.split(':').map(Number);
        ids.push(id!);
        events.push(ev!);
      }
      for (;;) {
        const slice = timeoutMs < 0 ? POLL_SLICE_MS : timeoutMs;
        const { result, data } = bridge.call({ op: 'pollmany', ids, events, timeoutMs: slice }, slice);
        if (result < 0) return result;
        if (result > 0 || timeoutMs >= 0) {
          heap().set(data.subarray(0, ids.length), out);
          return result;
        }
      }
    }),
    shutdown: guard((id: number): number => (stale(id) ? -Errno.EBADF : bridge.call({ op: 'shutdown', id }, 0).result)),
    close: guard((id: number): number => {
      if (!stale(id)) bridge.post({ op: 'close', id });
      return 0;
    }),
    /** `crossings bytes_in`, for benchmarks. */
    stats: guard((): string => `${bridge.stats.crossings} ${bridge.stats.bytesIn}`),
  };
}
