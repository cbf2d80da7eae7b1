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
import { NetBridge } from './bridge.js';
import { Errno } from './errno.js';
import { DATA_BYTES } from './protocol.js';

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
 */
export function createNetModule(bridge: NetBridge, heap: () => Uint8Array): NetModule {
  const stale = (id: number): boolean => !bridge.isCurrent(id);
  const one = (id: number, timeoutMs: number, addr: number, len: number): number => {
    const n = Math.min(len, DATA_BYTES);
    bridge.sendBuffer.set(heap().subarray(addr, addr + n));
    const t = limit(bridge, timeoutMs);
    return bridge.call({ op: 'send', id, length: n, timeoutMs: t }, t).result;
  };
  return {
    /** Lookup: text lines `family hex-sockaddr`, or a negative getaddrinfo code. */
    getaddrinfo: guard((host: string, port: number, family: number): number | string => {
      const { result, data } = bridge.call({ op: 'lookup', host: String(host), port: port | 0, family: family | 0 }, bridge.defaultTimeoutMs);
      return result < 0 ? result : Buffer.from(data).toString('latin1');
    }),
    socket: guard((): number => bridge.newSocketId()),
    /** port >= 0: `host` is a name or address; port < 0: `host` is a hex `struct sockaddr`. */
    connect: guard((id: number, host: string, port: number, timeoutMs: number): number => {
      if (stale(id)) return -Errno.EBADF;
      const t = limit(bridge, timeoutMs);
      return bridge.call({ op: 'connect', id, host: String(host), port, timeoutMs: t }, t).result;
    }),
    wrap: guard((id: number, servername: string | null, verify: number, timeoutMs: number): number => {
      if (stale(id)) return -Errno.EBADF;
      const t = limit(bridge, timeoutMs);
      const name = servername === null || servername === undefined ? null : String(servername);
      return bridge.call({ op: 'wrap', id, servername: name, verify: verify !== 0, timeoutMs: t }, t).result;
    }),
    /** Sends once (up to one chunk) or, with `all`, everything; returns bytes sent or an error. */
    send: guard((id: number, addr: number, len: number, timeoutMs: number, all: number): number => {
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
    recv: guard((id: number, addr: number, len: number, timeoutMs: number): number => {
      if (stale(id)) return -Errno.EBADF;
      const t = limit(bridge, timeoutMs);
      const { result, data } = bridge.call({ op: 'recv', id, max: Math.min(len, DATA_BYTES), timeoutMs: t }, t);
      if (result > 0) heap().set(data, addr);
      return result;
    }),
    poll: guard((id: number): number => (stale(id) ? 0 : bridge.call({ op: 'poll', id }, 0).result)),
    shutdown: guard((id: number): number => (stale(id) ? -Errno.EBADF : bridge.call({ op: 'shutdown', id }, 0).result)),
    close: guard((id: number): number => {
      if (!stale(id)) bridge.post({ op: 'close', id });
      return 0;
    }),
    /** `crossings bytes_in`, for benchmarks. */
    stats: guard((): string => `${bridge.stats.crossings} ${bridge.stats.bytesIn}`),
  };
}
