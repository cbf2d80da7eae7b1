/**
 * The network worker's table of program sockets, by id: stream connections,
 * TCP listeners and UDP sockets, and the operations that pick the kind
 * (bind makes a listener or a UDP socket; any stream operation on a fresh
 * id makes a connection). Also the poll across several sockets.
 *
 * @module
 */
import { Connection, type ConnectionContext } from './connection.js';
import { Datagram } from './datagram.js';
import { ERR } from './errno.js';
import { Listener } from './listener.js';
import { parseSockaddr } from './lookup.js';
import type { NetPolicy } from './policy.js';
import { Poll, type SocketKind } from './protocol.js';
import { INTERRUPTED, type Readiness } from './readiness.js';
import { sockaddrOf } from './sockaddr.js';

type Endpoint = Connection | Listener | Datagram;

/** What a worker op answers: a result and optional reply bytes. */
export type Answer = [number, Buffer?];

/** Error and hang-up bits are reported whatever was asked for, as poll(2) does. */
const ALWAYS = Poll.ERR | Poll.HUP;

/**
 * An address as the program gave it: `host` and `port`, or (port < 0) `host`
 * is a hex `struct sockaddr`. An empty host is the wildcard address.
 */
function target(host: string, port: number, family: number): [string, number] | undefined {
  if (port >= 0) return [host === '' ? (family === 10 ? '::' : '0.0.0.0') : host, port];
  const addr = parseSockaddr(Buffer.from(host, 'hex'));
  return addr && [addr.address, addr.port];
}

/** The socket table (see the module doc). */
export class Sockets {
  readonly #ctx: ConnectionContext;
  readonly #readiness: Readiness;
  readonly #listenPolicy: NetPolicy;
  readonly #table = new Map<number, Endpoint>();

  /**
   * @param ctx what connections share
   * @param readiness the worker's change signal
   * @param listenPolicy where binding is allowed
   */
  constructor(ctx: ConnectionContext, readiness: Readiness, listenPolicy: NetPolicy) {
    this.#ctx = ctx;
    this.#readiness = readiness;
    this.#listenPolicy = listenPolicy;
  }

  /** The connection `id` (made on first use), or undefined when `id` is a listener or UDP socket. */
  connection(id: number): Connection | undefined {
    const found = this.#table.get(id);
    if (found === undefined) {
      const c = new Connection(this.#ctx);
      this.#table.set(id, c);
      return c;
    }
    return found instanceof Connection ? found : undefined;
  }

  /** Binds `id` as a TCP listener or a UDP socket, if the listen allow-list grants `host:port`. */
  async bind(id: number, kind: SocketKind, rawHost: string, rawPort: number, family: number): Promise<number> {
    const t = target(rawHost, rawPort, family);
    if (t === undefined) return ERR.EAFNOSUPPORT;
    const [host, port] = t;
    if (!this.#listenPolicy.allows([host], port)) return ERR.EACCES;
    const existing = this.#table.get(id);
    if (existing instanceof Connection) return ERR.EINVAL;
    const endpoint = existing ?? (kind === 'tcp' ? new Listener(this.#readiness) : new Datagram(this.#readiness));
    this.#table.set(id, endpoint);
    return endpoint instanceof Listener ? endpoint.bind(host, port) : endpoint.bind(host, port, family);
  }

  /** Marks listener `id` as accepting. */
  listen(id: number): number {
    const l = this.#table.get(id);
    return l instanceof Listener ? l.listen() : ERR.EINVAL;
  }

  /** Accepts a connection of listener `id` as socket `newId`; answers the peer's sockaddr. */
  async accept(id: number, newId: number, timeoutMs: number): Promise<Answer> {
    const l = this.#table.get(id);
    if (!(l instanceof Listener)) return [ERR.EINVAL];
    const socket = await l.accept(timeoutMs);
    if (typeof socket === 'number') return [socket];
    this.#table.set(newId, Connection.accepted(this.#ctx, socket));
    const peer = sockaddrOf(socket.remoteAddress, socket.remotePort);
    return [peer.length, peer];
  }

  /** The local or peer sockaddr of `id`. */
  name(id: number, peer: boolean): Answer {
    const e = this.#table.get(id);
    let addr: Buffer | undefined;
    if (e instanceof Connection) {
      const end = e.endpoint(peer);
      addr = end && sockaddrOf(end[0], end[1]);
    } else if (e && !peer) {
      addr = e.localName();
    }
    if (addr === undefined) return [peer ? ERR.ENOTCONN : ERR.EINVAL];
    return [addr.length, addr];
  }

  /** Sends a datagram from UDP socket `id` (made on first use) if the allow-list grants the destination. */
  async sendto(id: number, payload: Buffer, rawHost: string, rawPort: number, family: number): Promise<number> {
    const t = target(rawHost, rawPort, family);
    if (t === undefined) return ERR.EAFNOSUPPORT;
    const [host, port] = t;
    const name = this.#ctx.names.get(host);
    if (!this.#ctx.policy.allows(name ? [host, name] : [host], port)) return ERR.EACCES;
    const d = this.#datagram(id);
    if (d === undefined) return ERR.EOPNOTSUPP;
    return d.sendto(payload, host, port, family);
  }

  /** Receives a datagram: answers `[length, [sockaddr length, sockaddr, payload]]`, the payload cut to `max`. */
  async recvfrom(id: number, max: number, timeoutMs: number): Promise<Answer> {
    const d = this.#datagram(id);
    if (d === undefined) return [ERR.EOPNOTSUPP];
    const got = await d.recvfrom(timeoutMs);
    if (typeof got === 'number') return [got];
    const payload = got.payload.subarray(0, Math.max(0, max));
    return [payload.length, Buffer.concat([Buffer.from([got.from.length]), got.from, payload])];
  }

  /** Readiness bits of `id` (a fresh id reads as a new, unconnected TCP socket). */
  poll(id: number): number {
    return this.#table.get(id)?.poll() ?? Poll.WR | Poll.HUP;
  }

  /** Waits for any of `ids` to be ready for its `events`; answers how many are, and one revents byte each. */
  async pollMany(ids: readonly number[], events: readonly number[], timeoutMs: number): Promise<Answer> {
    const revents = Buffer.alloc(ids.length);
    const check = (): number => {
      let ready = 0;
      for (let i = 0; i < ids.length; i++) {
        const bits = this.poll(ids[i]!) & ((events[i] ?? 0) | ALWAYS);
        revents[i] = bits;
        if (bits !== 0) ready++;
      }
      return ready;
    };
    const ready = await this.#readiness.until(check, timeoutMs);
    if (ready === INTERRUPTED) return [ERR.EINTR];
    if (ready === 0) revents.fill(0);
    return [ready, revents];
  }

  /** The UDP socket `id` (made on first use), or undefined when `id` is of another kind. */
  #datagram(id: number): Datagram | undefined {
    const found = this.#table.get(id);
    if (found === undefined) {
      const d = new Datagram(this.#readiness);
      this.#table.set(id, d);
      return d;
    }
    return found instanceof Datagram ? found : undefined;
  }

  /**
   * Ends the program's wait at once with -EINTR (a KeyboardInterrupt is
   * waiting to be raised): a `recv` on connection `id`, or any accept,
   * recvfrom or poll (the program waits in one call at a time).
   */
  cancel(id: number): void {
    const found = this.#table.get(id);
    if (found instanceof Connection) found.cancelRead();
    this.#readiness.interrupt();
  }

  /** Closes every socket and forgets them all. */
  closeAll(): void {
    for (const id of [...this.#table.keys()]) this.close(id);
  }

  /** Closes `id` and forgets it. */
  close(id: number): void {
    this.#table.get(id)?.close();
    this.#table.delete(id);
  }
}
