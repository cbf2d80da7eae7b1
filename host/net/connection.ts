/**
 * One program socket, as the network worker keeps it.
 *
 * `connect` opens a real TCP connection (so refusals, timeouts and
 * unreachable hosts surface there, as on the Unix port), except to a
 * stand-in address of a mapped index (see ./index-mapping.ts), which stays
 * virtual until its first request. `wrap` runs the TLS handshake on it.
 * The first bytes written decide what the socket is (./http-request.ts):
 *
 * - an HTTP/1.x request: it becomes one {@link HttpExchange}, sent on the
 *   connection already open (or, when mapped, to the mapped index), with
 *   redirects followed and the response handed back byte for byte;
 * - anything else: a plain byte stream over the connection.
 *
 * @module
 */
import { isIP, type Socket } from 'node:net';
import { ERR, isFailure, type NetError, netErrorFromNode } from './errno.js';
import { type FirstHop, HttpExchange, writeWithin } from './http-exchange.js';
import { header, needsClose, requestUrl, serializeHead, sniffRequest, type OutgoingRequest, type RequestHead } from './http-request.js';
import { Inbound, type ReadResult } from './inbound.js';
import type { IndexMapping } from './index-mapping.js';
import { canonicalAddress } from './policy.js';
import { Poll } from './protocol.js';
import { startTls } from './tls-upgrade.js';
import { anyProxyFor } from './proxy.js';
import { admitAndResolve, admits, connectTcp, detachSocket, forwardProxy, openTcp, openUrl, type UpstreamContext } from './upstream.js';

/** What every connection of a worker shares. */
export interface ConnectionContext extends UpstreamContext {
  readonly mapping: IndexMapping | undefined;
  readonly maxRedirects: number;
  /** Host names learned by lookups, by address (for the allow-list). */
  readonly names: ReadonlyMap<string, string>;
  /** Called when the socket's readiness may have changed (for polls). */
  readonly changed?: () => void;
}

type Mode = 'new' | 'connecting' | 'sniff' | 'http' | 'raw' | 'closed';

interface TlsWish {
  readonly servername: string | null;
  readonly verify: boolean;
}

/** A program socket (see the module doc). */
export class Connection {
  readonly #ctx: ConnectionContext;
  /** Set by {@link cancelRead} while a `recv` is still getting ready. */
  #readCancelled = false;
  readonly #inbound: Inbound;
  #mode: Mode = 'new';
  #address = '';
  #port = 0;
  #name: string | undefined;
  #virtual = false;
  #tls: TlsWish | undefined;
  #socket: Socket | undefined;
  #connecting: Promise<0 | NetError> | undefined;
  #sniff: Buffer[] = [];
  #sniffBytes = 0;
  #exchange: HttpExchange | undefined;

  /** @param ctx shared settings of the worker */
  constructor(ctx: ConnectionContext) {
    this.#ctx = ctx;
    this.#inbound = new Inbound(ctx.changed);
  }

  /**
   * A connection a listener accepted: a plain byte stream from the start
   * (the host never interprets what a client sends to the program).
   */
  static accepted(ctx: ConnectionContext, socket: Socket): Connection {
    const c = new Connection(ctx);
    c.#address = socket.remoteAddress ?? '';
    c.#port = socket.remotePort ?? 0;
    c.#mode = 'raw';
    c.#adopt(socket);
    socket.resume();
    return c;
  }

  /** The local or remote end as `[address, port]`, when known. */
  endpoint(peer: boolean): [string, number] | undefined {
    const s = this.#socket;
    if (peer) {
      if (this.#mode === 'new' || this.#mode === 'closed') return undefined;
      return [s?.remoteAddress ?? this.#address, s?.remotePort ?? this.#port];
    }
    return s?.localAddress === undefined ? undefined : [s.localAddress, s.localPort ?? 0];
  }

  /**
   * Connects to `host:port` (an address, or a name resolved here).
   * @param timeoutMs 0 starts connecting and answers -EINPROGRESS at once
   * @returns 0 or the failure
   */
  async connect(host: string, port: number, timeoutMs: number): Promise<0 | NetError> {
    if (this.#mode === 'connecting') return ERR.EALREADY;
    if (this.#mode !== 'new') return ERR.EISCONN;
    if (!this.#isMapped(host) && anyProxyFor(this.#ctx.proxy, host, port)) {
      // Through a proxy: it resolves the name; the socket stays virtual
      // until its first bytes show whether it carries HTTP.
      if (!admits(host, port, this.#ctx)) return ERR.EACCES;
      const address = canonicalAddress(host);
      this.#name = address === undefined ? host : this.#ctx.names.get(address);
      this.#address = address ?? host;
      this.#port = port;
      this.#virtual = true;
      this.#mode = 'sniff';
      return 0;
    }
    // The allow-list is checked before any lookup (./policy.ts).
    let address = canonicalAddress(host);
    if (address === undefined) {
      this.#name = host;
      address = this.#ctx.mapping?.standIn(host);
      if (address === undefined) {
        const admitted = await admitAndResolve(host, port, this.#ctx);
        if (typeof admitted === 'number') return admitted;
        address = admitted;
      }
    } else {
      this.#name = this.#ctx.mapping?.hostOf(address) ?? this.#ctx.names.get(address);
    }
    this.#address = address;
    this.#port = port;
    if (this.#ctx.mapping?.hostOf(address) !== undefined) {
      this.#virtual = true;
      this.#mode = 'sniff';
      return 0;
    }
    if (!this.#ctx.policy.allows(this.#name ? [address, this.#name] : [address], port)) return ERR.EACCES;
    this.#mode = 'connecting';
    this.#connecting = connectTcp(address, port, timeoutMs > 0 ? timeoutMs : this.#ctx.timeoutMs).then((socket) => {
      if (this.#mode === 'closed') {
        if (typeof socket !== 'number') socket.destroy();
        return ERR.EBADF;
      }
      if (typeof socket === 'number') {
        this.#mode = 'new';
        this.#ctx.changed?.();
        return socket;
      }
      this.#adopt(socket);
      this.#mode = 'sniff';
      this.#ctx.changed?.();
      return 0;
    });
    if (timeoutMs === 0) return ERR.EINPROGRESS;
    return this.#connecting;
  }

  /** Whether `host` is a mapped index host or its stand-in address (./index-mapping.ts). */
  #isMapped(host: string): boolean {
    const mapping = this.#ctx.mapping;
    if (mapping === undefined) return false;
    const address = canonicalAddress(host);
    return address === undefined ? mapping.standIn(host) !== undefined : mapping.hostOf(address) !== undefined;
  }

  /**
   * Starts TLS: the handshake now on a real connection; on a virtual one,
   * the mark that its requests are https.
   * @returns 0 or the failure
   */
  async wrap(servername: string | null, verify: boolean, timeoutMs: number): Promise<0 | NetError> {
    const ready = await this.#ready();
    if (ready !== 0) return ready;
    if (this.#tls) return ERR.EINVAL;
    this.#tls = { servername, verify };
    if (this.#virtual) return 0;
    if (this.#mode !== 'sniff' && this.#mode !== 'raw') return ERR.EINVAL;
    if (this.#sniffBytes > 0) await this.#flushSniff();
    const plain = this.#release();
    if (!plain) return ERR.ENOTCONN;
    const secured = await startTls(plain, { servername, verify, timeoutMs: timeoutMs > 0 ? timeoutMs : this.#ctx.timeoutMs });
    if (typeof secured === 'number') {
      this.#mode = 'closed';
      return secured;
    }
    this.#adopt(secured);
    return 0;
  }

  /**
   * Writes bytes (see the module doc for what the first bytes decide).
   * @returns bytes accepted, or the failure
   */
  async send(data: Buffer, timeoutMs: number): Promise<number> {
    const ready = await this.#ready();
    if (ready !== 0) return ready === ERR.ENOTCONN ? ERR.EPIPE : ready;
    switch (this.#mode) {
      case 'sniff':
        return this.#sniffWrite(data, timeoutMs);
      case 'http':
        return this.#exchange!.write(data, timeoutMs);
      case 'raw':
        return this.#socket ? writeWithin(this.#socket, data, timeoutMs) : ERR.EPIPE;
      default:
        return ERR.EBADF;
    }
  }

  /**
   * Reads up to `max` bytes (a read before a whole request head was written
   * makes the socket a plain byte stream).
   * @returns bytes, 0 at end of stream, or the failure
   */
  async recv(max: number, timeoutMs: number): Promise<ReadResult> {
    this.#readCancelled = false;
    const ready = await this.#ready();
    if (ready !== 0) return ready;
    if (this.#mode === 'sniff') {
      const raw = await this.#goRaw();
      if (raw !== 0) return raw;
    }
    if (this.#readCancelled) return ERR.EINTR;
    return this.#inbound.read(max, timeoutMs);
  }

  /** Ends a waiting read at once with -EINTR; bytes not yet taken stay queued for the next read. */
  cancelRead(): void {
    this.#readCancelled = true;
    this.#inbound.cancel();
  }

  /** Readiness bits, as MicroPython's stream poll ({@link Poll}). */
  poll(): number {
    let bits = 0;
    if (this.#mode === 'closed') return Poll.HUP;
    if (this.#mode === 'new') return Poll.WR | Poll.HUP;
    if (this.#inbound.readable) bits |= Poll.RD;
    if (this.#mode !== 'connecting') bits |= Poll.WR;
    return bits;
  }

  /** Ends the sending direction (raw sockets). */
  shutdown(): void {
    if (this.#mode === 'raw') this.#socket?.end();
  }

  /** Closes the socket and anything it opened. */
  close(): void {
    this.#mode = 'closed';
    this.#exchange?.close();
    const socket = this.#release();
    socket?.destroy();
  }

  async #ready(): Promise<0 | NetError> {
    if (this.#mode === 'connecting') {
      const r = await this.#connecting!;
      if (r !== 0) return r;
    }
    if (this.#mode === 'new') return ERR.ENOTCONN;
    if (this.#mode === 'closed') return ERR.EBADF;
    return 0;
  }

  /** Takes a connected socket: its bytes go to the receive queue until an exchange takes it over. */
  #adopt(socket: Socket): void {
    this.#socket = socket;
    socket.on('data', (d: Buffer) => {
      if (this.#mode === 'sniff') void this.#goRaw();
      this.#inbound.push(d);
    });
    socket.on('end', () => this.#inbound.end());
    socket.on('error', (e) => this.#inbound.fail(netErrorFromNode(e)));
    socket.on('close', () => this.#inbound.end());
    this.#inbound.attach(socket);
  }

  /** Detaches the socket from this connection's listeners (an error listener stays). */
  #release(): Socket | undefined {
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) detachSocket(socket);
    return socket;
  }

  async #sniffWrite(data: Buffer, timeoutMs: number): Promise<number | NetError> {
    this.#sniff.push(Buffer.from(data));
    this.#sniffBytes += data.length;
    const seen = Buffer.concat(this.#sniff, this.#sniffBytes);
    this.#sniff = [seen];
    const verdict = sniffRequest(seen);
    if (verdict.kind === 'more') return data.length;
    if (verdict.kind === 'raw') {
      const r = await this.#goRaw();
      return r === 0 ? data.length : r;
    }
    this.#sniff = [];
    this.#sniffBytes = 0;
    const started = this.#startHttp(verdict.head);
    if (started !== 0) return started;
    const rest = seen.subarray(verdict.head.raw.length);
    if (rest.length > 0) {
      const w = await this.#exchange!.write(rest, timeoutMs);
      if (w < 0) return w;
    }
    return data.length;
  }

  #authority(): string {
    const host = this.#name ?? this.#address;
    const shown = isIP(host) === 6 ? `[${host}]` : host;
    const dflt = this.#tls ? 443 : 80;
    return this.#port === dflt ? shown : `${shown}:${this.#port}`;
  }

  #startHttp(head: RequestHead): 0 | NetError {
    const scheme = this.#tls ? 'https' : 'http';
    const url = requestUrl(head, scheme, this.#authority());
    if (url === undefined) {
      // Not a request the host can make: the bytes go out as they are.
      this.#sniff = [head.raw];
      this.#sniffBytes = head.raw.length;
      void this.#goRaw();
      return 0;
    }
    const mapped = this.#ctx.mapping?.map(url);
    const request: OutgoingRequest = {
      method: head.method,
      url: mapped ?? url,
      version: head.version,
      headers: head.headers,
      withBody: true,
      withCredentials: true,
      hostHeader: mapped ? undefined : header(head.headers, 'host'),
    };
    const verify = this.#tls?.verify ?? true;
    const ctx = {
      inbound: this.#inbound,
      maxRedirects: this.#ctx.maxRedirects,
      open: (target: URL) => openUrl(target, verify, this.#ctx),
      forwardProxy: (target: URL) => forwardProxy(target, this.#ctx),
    };
    let first: FirstHop | undefined;
    if (!mapped && !this.#virtual) {
      const socket = this.#release();
      if (!socket) return ERR.EPIPE;
      first = { socket, head: needsClose(head) || head.target !== `${url.pathname}${url.search}` ? serializeHead(request) : head.raw };
    } else {
      this.#release()?.destroy();
    }
    this.#mode = 'http';
    this.#exchange = new HttpExchange(ctx, request, head.contentLength, first);
    return 0;
  }

  /** Makes the socket a plain byte stream: sends what was held back (opening the real connection of a virtual socket). */
  async #goRaw(): Promise<0 | NetError> {
    if (this.#mode !== 'sniff') return 0;
    this.#mode = 'raw';
    if (this.#virtual) {
      this.#virtual = false;
      const opened = await openTcp(this.#name ?? this.#address, this.#port, this.#tls, this.#ctx);
      if (typeof opened === 'number') {
        this.#inbound.fail(opened);
        this.#sniff = [];
        this.#sniffBytes = 0;
        return opened;
      }
      if (this.#mode !== 'raw') {
        opened.destroy();
        return ERR.EBADF;
      }
      this.#adopt(opened);
    }
    return this.#flushSniff();
  }

  async #flushSniff(): Promise<0 | NetError> {
    const held = Buffer.concat(this.#sniff, this.#sniffBytes);
    this.#sniff = [];
    this.#sniffBytes = 0;
    if (held.length === 0 || !this.#socket) return 0;
    const w = await writeWithin(this.#socket, held, this.#ctx.timeoutMs);
    return isFailure(w) ? w : 0;
  }
}
