/**
 * One HTTP request made for a program's socket, and its response handed
 * back byte for byte.
 *
 * The program's request is sent (verbatim when nothing needs changing),
 * its body streamed through as the program writes it. The response is read
 * only as far as its head: a redirect is followed on a new connection (up
 * to the limit, after which the last 3xx is handed back as received);
 * anything else is passed to the socket's receive queue unchanged, the
 * status line, the headers and the body exactly as the server sent them
 * (no content decoding: a gzip-encoded `.tar.gz` stays compressed), until
 * the server closes. The upstream socket is paused while the queue is full.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { ERR, type NetError, netErrorFromNode } from './errno.js';
import { serializeHead, type OutgoingRequest } from './http-request.js';
import { redirectRequest, sniffResponse } from './http-response.js';
import type { Inbound } from './inbound.js';
import { detachSocket } from './upstream.js';

/** Request bodies up to this size are kept to repeat them after a 307/308. */
const REPLAY_BODY_BYTES = 64 * 1024;

/** What an exchange needs from its socket. */
export interface ExchangeContext {
  /** Where the response goes. */
  readonly inbound: Inbound;
  /** Opens a connection for a URL (allow-list, DNS, TLS); resolves a socket or the failure. */
  readonly open: (url: URL) => Promise<Socket | NetError>;
  /** Redirects followed before the last 3xx is handed back. */
  readonly maxRedirects: number;
  /** The forward proxy a URL is sent to in absolute form, if any (see ./upstream.ts `forwardProxy`). */
  readonly forwardProxy?: (url: URL) => URL | undefined;
}

/** The first hop: a socket already connected to the right place, with the head to send on it. */
export interface FirstHop {
  readonly socket: Socket;
  readonly head: Buffer;
}

/** One request/response exchange (see the module doc). */
export class HttpExchange {
  readonly #ctx: ExchangeContext;
  #request: OutgoingRequest;
  readonly #bodyLength: number;
  #bodyWritten = 0;
  #replay: Buffer[] | null = [];
  #socket: Socket | undefined;
  #ready: Promise<void>;
  #headParts: Buffer[] = [];
  #headBytes = 0;
  #delivering = false;
  #hops = 0;
  #closed = false;
  #failure: NetError | 0 = 0;

  /**
   * Starts the exchange.
   * @param request the request as the host will make it
   * @param bodyLength the body's Content-Length
   * @param first the connection to use for the first hop, or `undefined` to open one for the URL
   */
  constructor(ctx: ExchangeContext, request: OutgoingRequest, bodyLength: number, first: FirstHop | undefined) {
    this.#ctx = ctx;
    this.#request = request;
    this.#bodyLength = bodyLength;
    this.#ready = this.#hop(first);
  }

  /**
   * Sends body bytes the program wrote (bytes past Content-Length go to the
   * wire too, as they would on a plain socket, but are never repeated).
   * @returns bytes accepted, or the failure
   */
  async write(data: Buffer, timeoutMs: number): Promise<number> {
    const inBody = Math.max(0, Math.min(data.length, this.#bodyLength - this.#bodyWritten));
    this.#bodyWritten += data.length;
    if (this.#replay !== null && inBody > 0) {
      if (this.#bodyWritten <= REPLAY_BODY_BYTES) this.#replay.push(Buffer.from(data.subarray(0, inBody)));
      else this.#replay = null;
    }
    await this.#ready;
    const socket = this.#socket;
    if (this.#failure !== 0) return this.#failure;
    if (this.#closed || socket === undefined || socket.destroyed || !socket.writable) return ERR.EPIPE;
    return writeWithin(socket, data, timeoutMs);
  }

  /** Whether the whole request body has been written. */
  get bodyComplete(): boolean {
    return this.#bodyWritten >= this.#bodyLength;
  }

  /** Stops the exchange and its connection. */
  close(): void {
    this.#closed = true;
    this.#drop();
  }

  async #hop(first: FirstHop | undefined): Promise<void> {
    let socket: Socket;
    let head: Buffer;
    if (first) {
      ({ socket, head } = first);
    } else {
      const opened = await this.#ctx.open(this.#request.url);
      if (this.#closed) {
        if (typeof opened !== 'number') opened.destroy();
        return;
      }
      if (typeof opened === 'number') {
        this.#failure = opened;
        this.#ctx.inbound.fail(opened);
        return;
      }
      socket = opened;
      head = serializeHead(this.#request, this.#ctx.forwardProxy?.(this.#request.url));
    }
    this.#socket = socket;
    this.#headParts = [];
    this.#headBytes = 0;
    socket.on('data', (d: Buffer) => this.#onData(socket, d));
    socket.on('end', () => this.#onEnd(socket));
    socket.on('error', (err) => this.#onError(socket, err));
    socket.on('close', () => this.#onEnd(socket));
    socket.write(head);
    if (this.#hops > 0) {
      if (this.#request.withBody) for (const part of this.#replay ?? []) socket.write(part);
    }
  }

  #onData(socket: Socket, chunk: Buffer): void {
    if (socket !== this.#socket) return;
    if (this.#delivering) {
      this.#ctx.inbound.push(chunk);
      return;
    }
    this.#headParts.push(chunk);
    this.#headBytes += chunk.length;
    const seen = Buffer.concat(this.#headParts, this.#headBytes);
    this.#headParts = [seen];
    const sniff = sniffResponse(seen);
    if (sniff.kind === 'more') return;
    if (sniff.kind === 'head' && this.#hops < this.#ctx.maxRedirects) {
      const replayable = this.#replay !== null && this.bodyComplete;
      const next = redirectRequest(this.#request, sniff.head, replayable);
      if (next) {
        this.#hops++;
        this.#request = next;
        this.#drop();
        this.#ready = this.#hop(undefined);
        return;
      }
    }
    this.#deliver(socket);
  }

  #deliver(socket: Socket): void {
    this.#delivering = true;
    this.#ctx.inbound.attach(socket);
    for (const part of this.#headParts) this.#ctx.inbound.push(part);
    this.#headParts = [];
  }

  #onEnd(socket: Socket): void {
    if (socket !== this.#socket || this.#closed) return;
    if (!this.#delivering) this.#deliver(socket);
    this.#ctx.inbound.end();
  }

  #onError(socket: Socket, err: Error): void {
    if (socket !== this.#socket || this.#closed) return;
    if (!this.#delivering) this.#deliver(socket);
    this.#ctx.inbound.fail(netErrorFromNode(err));
  }

  #drop(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) {
      detachSocket(socket);
      socket.destroy();
    }
  }
}

/**
 * Writes `data` to `socket`, waiting for the socket to drain when its
 * buffer is full, at most `timeoutMs`.
 * @returns `data.length`, or the failure
 */
export function writeWithin(socket: Socket, data: Buffer, timeoutMs: number): Promise<number> | number {
  if (socket.destroyed || !socket.writable) return ERR.EPIPE;
  if (socket.write(data)) return data.length;
  return new Promise((resolve) => {
    const done = (value: number): void => {
      clearTimeout(timer);
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      resolve(value);
    };
    const onDrain = (): void => done(data.length);
    const onClose = (): void => done(ERR.EPIPE);
    const timer = setTimeout(() => done(timeoutMs === 0 ? data.length : ERR.ETIMEDOUT), Math.max(timeoutMs, 0));
    socket.once('drain', onDrain);
    socket.once('close', onClose);
  });
}
