/**
 * The wire between the interpreter thread and the network worker.
 *
 * Requests travel by `postMessage` (small, structured). Replies travel
 * through one SharedArrayBuffer per bridge: a header of Int32 slots
 * ({@link Slot}) and a data area of {@link DATA_BYTES}. The interpreter
 * thread sets `State` to {@link STATE_WAITING} and `Asked` to the request's
 * sequence number, posts the request and blocks in `Atomics.wait` on
 * `State`; the worker writes the reply (result, data length, data, the
 * request's sequence number), stores {@link STATE_DONE} and calls
 * `Atomics.notify`. Exactly one blocking request is outstanding at a time
 * (the interpreter is blocked), so one buffer serves every socket. Payloads
 * of `send` go the other way through the same data area: the interpreter
 * copies them in before posting and the worker copies them out before
 * replying.
 *
 * A result is a count, 0, or a failure (host/net/errno.ts: −errno or an
 * mbedTLS code; `lookup` answers getaddrinfo codes). A failed reply may
 * carry data: UTF-8 text saying why, when the host knows more than the
 * number (the worker could not start, stopped, or hit a bug); Python shows
 * it in the `OSError`. A worker that cannot start or stops answers the
 * waiting call that way and sets `Gone` (./worker-boot.ts), so the
 * interpreter never waits on a worker that is no more.
 *
 * @module
 */

import type { ProxySettings } from './proxy.js';

/** Bytes moved per crossing, both ways: the data area of the shared buffer. */
export const DATA_BYTES = 64 * 1024;
/** Bytes of the header (seven Int32 slots). */
export const HEADER_BYTES = 28;
/** Total size of the shared buffer. */
export const SHARED_BYTES = HEADER_BYTES + DATA_BYTES;

/** Int32 slot indices of the header. */
export const Slot = {
  /** {@link STATE_WAITING} or {@link STATE_DONE}. */
  State: 0,
  /** The reply's result: a count, 0 or a negative error. */
  Result: 1,
  /** Bytes of reply data in the data area. */
  Length: 2,
  /** The sequence number of the request answered. */
  Seq: 3,
  /** The sequence number of the request the interpreter waits for (written by the interpreter). */
  Asked: 4,
  /** 1 once the worker has stopped or could not start: the bridge starts a new one for the next call. */
  Gone: 5,
  /** The number of the current worker: a replaced one's boot code leaves the buffer alone. */
  Owner: 6,
} as const;

/** `State` while the interpreter waits. */
export const STATE_WAITING = 0;
/** `State` once the reply is written. */
export const STATE_DONE = 1;

/** Host-side settings the worker needs, fixed for its lifetime. */
export interface WorkerConfig {
  /** Allowed `host:port` patterns; `null` allows everything. */
  readonly allow: readonly string[] | null;
  /** `host:port` patterns a program may bind and listen on; `null` allows everything. */
  readonly listen: readonly string[] | null;
  /** Target of the index mapping (`MPY_INDEX_URL`), or `null` for none. */
  readonly indexUrl: string | null;
  /** Redirects followed per HTTP request before the last 3xx is handed back. */
  readonly maxRedirects: number;
  /** Timeout in ms for connections the worker opens itself (mapped requests, redirects). */
  readonly connectTimeoutMs: number;
  /** DNS servers to ask instead of the system resolver, or `null` (./resolver.ts). */
  readonly dnsServers: readonly string[] | null;
  /** HTTP proxies for the program's connections, or `null` (./proxy.ts). */
  readonly proxy: ProxySettings | null;
}

/** What the network service (./service.ts) is started with, in whichever thread it runs. */
export interface ServiceInit {
  readonly shared: SharedArrayBuffer;
  readonly config: WorkerConfig;
  /**
   * The interpreter's wake word (runtime/interrupt.ts), rung after each reply
   * too: the interpreter then waits on that one word for a reply or an
   * interrupt. Absent: it waits on `State` alone.
   */
  readonly wake?: SharedArrayBuffer;
}

/** What the network worker is started with (`workerData`). */
export interface WorkerInit extends ServiceInit {
  /** The file URL of the worker's service module (worker.js), which ./worker-boot.ts loads. */
  readonly entry: string;
}

/** Fields every request carries. */
interface Base {
  /** Sequence number, echoed in the reply; 0 for requests that get no reply. */
  readonly seq: number;
}

/**
 * A request to the worker. `timeoutMs`: -1 waits without limit (the caller
 * bounds it), 0 answers at once (non-blocking: EAGAIN), >0 gives ETIMEDOUT
 * after that long.
 */
export type NetRequest =
  | (Base & { readonly op: 'lookup'; readonly host: string; readonly port: number; readonly family: number })
  | (Base & { readonly op: 'connect'; readonly id: number; readonly host: string; readonly port: number; readonly timeoutMs: number })
  | (Base & {
      readonly op: 'wrap';
      readonly id: number;
      readonly servername: string | null;
      readonly verify: boolean;
      readonly timeoutMs: number;
    })
  | (Base & { readonly op: 'send'; readonly id: number; readonly length: number; readonly timeoutMs: number })
  | (Base & { readonly op: 'recv'; readonly id: number; readonly max: number; readonly timeoutMs: number })
  | (Base & { readonly op: 'poll'; readonly id: number })
  /** Binds `id` (an IP address and port) as a TCP listener or a UDP socket. */
  | (Base & {
      readonly op: 'bind';
      readonly id: number;
      readonly kind: SocketKind;
      readonly host: string;
      readonly port: number;
      readonly family: number;
    })
  | (Base & { readonly op: 'listen'; readonly id: number; readonly backlog: number })
  /** Takes a connection of listener `id` as the new socket `newId`; reply data: the peer's sockaddr. */
  | (Base & { readonly op: 'accept'; readonly id: number; readonly newId: number; readonly timeoutMs: number })
  /** Reply data: the sockaddr of the local (`peer` false) or remote end. */
  | (Base & { readonly op: 'name'; readonly id: number; readonly peer: boolean })
  /** Sends one datagram of `length` bytes from the data area. */
  | (Base & {
      readonly op: 'sendto';
      readonly id: number;
      readonly host: string;
      readonly port: number;
      readonly family: number;
      readonly length: number;
    })
  /** Receives one datagram: reply data is a length byte, the sender's sockaddr, then the payload; result is the payload length. */
  | (Base & { readonly op: 'recvfrom'; readonly id: number; readonly max: number; readonly timeoutMs: number })
  /**
   * Waits until one of `ids` is ready for its `events` or `timeoutMs` passes;
   * reply data: one byte of revents per id, result: how many are ready.
   */
  | (Base & { readonly op: 'pollmany'; readonly ids: readonly number[]; readonly events: readonly number[]; readonly timeoutMs: number })
  | (Base & { readonly op: 'shutdown'; readonly id: number })
  | (Base & { readonly op: 'close'; readonly id: number })
  /** Ends a waiting `recv` on the socket at once with -EINTR (the interpreter was interrupted); no reply of its own. */
  | (Base & { readonly op: 'cancel'; readonly id: number });

/** What a bound socket is. */
export type SocketKind = 'tcp' | 'udp';

/** `poll` result bits, as MicroPython's `MP_STREAM_POLL_*`. */
export const Poll = { RD: 0x0001, WR: 0x0004, ERR: 0x0008, HUP: 0x0010 } as const;
