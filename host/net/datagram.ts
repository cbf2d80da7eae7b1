/**
 * A UDP socket of the program over node:dgram. The Node socket is made on
 * first use (bind, or a send, which binds to an ephemeral port as the
 * kernel does); received datagrams queue here, bounded, until read.
 *
 * @module
 */
import { createSocket, type Socket } from 'node:dgram';
import { ERR, type NetError, netErrorFromNode } from './errno.js';
import { AF_INET6 } from './lookup-answer.js';
import { Poll } from './protocol.js';
import { INTERRUPTED, type Readiness } from './readiness.js';
import { sockaddrOf } from './sockaddr.js';

/** Datagrams kept unread before new ones are dropped (as a full receive buffer drops them). */
const MAX_QUEUED = 1024;

/** A received datagram and where it came from. */
export interface Received {
  readonly payload: Buffer;
  readonly from: Buffer;
}

/** A program's UDP socket (see the module doc). */
export class Datagram {
  readonly #readiness: Readiness;
  readonly #queue: Received[] = [];
  #socket: Socket | undefined;
  #bound: Promise<0 | NetError> | undefined;
  #closed = false;

  /** @param readiness told when a datagram arrives */
  constructor(readiness: Readiness) {
    this.#readiness = readiness;
  }

  /**
   * Binds to `host:port` (port 0: an ephemeral port).
   * @returns 0 or the failure
   */
  bind(host: string, port: number, family: number): Promise<0 | NetError> {
    if (this.#bound) return Promise.resolve(ERR.EINVAL);
    const socket = createSocket(family === AF_INET6 ? 'udp6' : 'udp4');
    this.#socket = socket;
    socket.on('message', (payload, rinfo) => {
      if (this.#queue.length >= MAX_QUEUED) return;
      this.#queue.push({ payload, from: sockaddrOf(rinfo.address, rinfo.port) });
      this.#readiness.changed();
    });
    this.#bound = new Promise((resolve) => {
      socket.once('error', (e) => resolve(netErrorFromNode(e)));
      socket.bind({ address: host, port }, () => {
        socket.removeAllListeners('error');
        socket.on('error', () => undefined);
        resolve(0);
      });
    });
    return this.#bound;
  }

  /**
   * Sends one datagram to `address:port`, binding first if needed.
   * @returns bytes sent or the failure
   */
  async sendto(payload: Buffer, address: string, port: number, family: number): Promise<number> {
    if (this.#closed) return ERR.EBADF;
    if (!this.#bound) {
      const bound = await this.bind(family === AF_INET6 ? '::' : '0.0.0.0', 0, family);
      if (bound !== 0) return bound;
    } else {
      const bound = await this.#bound;
      if (bound !== 0) return bound;
    }
    const socket = this.#socket!;
    return new Promise((resolve) => {
      socket.send(payload, port, address, (e) => resolve(e ? netErrorFromNode(e) : payload.length));
    });
  }

  /**
   * Takes the oldest datagram, waiting up to `timeoutMs` (0: -EAGAIN at once).
   * @returns the datagram or the failure
   */
  async recvfrom(timeoutMs: number): Promise<Received | NetError> {
    if (this.#closed) return ERR.EBADF;
    const ready = await this.#readiness.until(() => (this.#queue.length > 0 || this.#closed ? 1 : 0), timeoutMs);
    if (ready === INTERRUPTED) return ERR.EINTR;
    const got = this.#queue.shift();
    if (got) return got;
    if (this.#closed) return ERR.EBADF;
    return timeoutMs === 0 ? ERR.EAGAIN : ERR.ETIMEDOUT;
  }

  /** The bound address as a sockaddr, or undefined while unbound. */
  localName(): Buffer | undefined {
    try {
      const a = this.#socket?.address();
      return a ? sockaddrOf(a.address, a.port) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Readiness bits: always writable; readable while a datagram waits. */
  poll(): number {
    if (this.#closed) return Poll.HUP;
    return Poll.WR | (this.#queue.length > 0 ? Poll.RD : 0);
  }

  /** Closes the Node socket and drops unread datagrams. */
  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
    try {
      this.#socket?.close();
    } catch {
      // Already closed, or never bound.
    }
    this.#readiness.changed();
  }
}
