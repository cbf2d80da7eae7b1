/**
 * A listening TCP socket of the program: a node:net server whose incoming
 * connections queue here until the program accepts them.
 *
 * Node binds and listens in one step, so the server starts listening at
 * `bind` (which is when the program learns the port and sees EADDRINUSE);
 * connections arriving before `listen` wait in the queue as they would in
 * the kernel's backlog.
 *
 * @module
 */
import { createServer, type Server, type Socket } from 'node:net';
import { ERR, type NetError, netErrorFromNode } from './errno.js';
import { Poll } from './protocol.js';
import { INTERRUPTED, type Readiness } from './readiness.js';
import { sockaddrOf } from './sockaddr.js';

/** Connections queued before new ones are refused (reset). */
const MAX_QUEUED = 4096;

/** A program's listening socket (see the module doc). */
export class Listener {
  readonly #readiness: Readiness;
  readonly #queue: Socket[] = [];
  #server: Server | undefined;
  #listening = false;
  #closed = false;

  /** @param readiness told when a connection is queued */
  constructor(readiness: Readiness) {
    this.#readiness = readiness;
  }

  /**
   * Binds (and starts listening on) `host:port`.
   * @returns 0 or the failure
   */
  bind(host: string, port: number): Promise<0 | NetError> {
    if (this.#server) return Promise.resolve(ERR.EINVAL);
    const server = createServer({ pauseOnConnect: true, allowHalfOpen: true });
    this.#server = server;
    server.on('connection', (socket: Socket) => {
      if (this.#closed || this.#queue.length >= MAX_QUEUED) {
        socket.destroy();
        return;
      }
      socket.on('error', () => undefined);
      this.#queue.push(socket);
      this.#readiness.changed();
    });
    return new Promise((resolve) => {
      server.once('error', (e) => {
        this.#server = undefined;
        resolve(netErrorFromNode(e));
      });
      server.listen({ host, port, backlog: 511 }, () => {
        server.removeAllListeners('error');
        server.on('error', () => undefined);
        resolve(0);
      });
    });
  }

  /** Starts accepting (connections were already queued since bind). */
  listen(): 0 | NetError {
    if (!this.#server) return ERR.EINVAL;
    this.#listening = true;
    return 0;
  }

  /**
   * Takes the oldest queued connection, waiting up to `timeoutMs` (0: -EAGAIN at once).
   * @returns the socket (paused) or the failure
   */
  async accept(timeoutMs: number): Promise<Socket | NetError> {
    if (!this.#listening || this.#closed) return ERR.EINVAL;
    const ready = await this.#readiness.until(() => (this.#queue.length > 0 || this.#closed ? 1 : 0), timeoutMs);
    if (ready === INTERRUPTED) return ERR.EINTR;
    const socket = this.#queue.shift();
    if (socket) return socket;
    if (this.#closed) return ERR.EBADF;
    return ready === 0 && timeoutMs === 0 ? ERR.EAGAIN : ERR.ETIMEDOUT;
  }

  /** The bound address as a sockaddr, or undefined before bind. */
  localName(): Buffer | undefined {
    const a = this.#server?.address();
    return a && typeof a === 'object' ? sockaddrOf(a.address, a.port) : undefined;
  }

  /** Readiness bits: readable while a connection waits. */
  poll(): number {
    if (this.#closed) return Poll.HUP;
    return this.#listening && this.#queue.length > 0 ? Poll.RD : 0;
  }

  /** Stops listening and drops queued connections. */
  close(): void {
    this.#closed = true;
    for (const s of this.#queue.splice(0)) s.destroy();
    this.#server?.close();
    this.#readiness.changed();
  }
}
