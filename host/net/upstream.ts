/**
 * Opening connections the host makes on its own: to the target of a mapped
 * request, to a redirect's Location, and to the real host behind a
 * stand-in address. The allow-list applies to each.
 *
 * @module
 */
import { connect, type Socket } from 'node:net';
import { ERR, type NetError, netErrorFromNode } from './errno.js';
import { canonicalAddress, type NetPolicy } from './policy.js';
import { proxyEndpoint, proxyFor, type ProxySettings } from './proxy.js';
import { openTunnel, ProxyTunnelError } from './proxy-tunnel.js';
import { resolveName } from './resolver.js';
import { startTls } from './tls-upgrade.js';

/** What {@link openTcp} and {@link openUrl} need. */
export interface UpstreamContext {
  readonly policy: NetPolicy;
  readonly timeoutMs: number;
  /** DNS servers to ask instead of the system resolver, or `null` (./resolver.ts). */
  readonly dnsServers: readonly string[] | null;
  /** HTTP proxies, or `null` (./proxy.ts). */
  readonly proxy: ProxySettings | null;
}

/** Whether the allow-list admits `host:port` as written (no lookup; for destinations a proxy resolves). */
export function admits(host: string, port: number, ctx: UpstreamContext): boolean {
  return ctx.policy.allows([canonicalAddress(host) ?? host], port);
}

/**
 * Where a connection to `host:port` goes: an address is checked as it is
 * (canonical form); a name is checked against the allow-list first and
 * resolved only when allowed, so a denied name never reaches a resolver.
 * @returns the canonical address to connect to, or the failure (EACCES when denied)
 */
export async function admitAndResolve(host: string, port: number, ctx: UpstreamContext): Promise<string | NetError> {
  const address = canonicalAddress(host);
  if (address !== undefined) return ctx.policy.allows([address], port) ? address : ERR.EACCES;
  if (!ctx.policy.allows([host], port)) return ERR.EACCES;
  try {
    const found = await resolveName(host, 0, ctx.dnsServers);
    return canonicalAddress(found[0]!.address) ?? found[0]!.address;
  } catch (err) {
    return netErrorFromNode(err);
  }
}

/**
 * Connects to `address:port` (an IP address) within `timeoutMs`.
 * @returns the socket, or the failure
 */
export function connectTcp(address: string, port: number, timeoutMs: number): Promise<Socket | NetError> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    let done = false;
    const finish = (value: Socket | NetError): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off('connect', onConnect);
      if (typeof value === 'number') socket.destroy();
      resolve(value);
    };
    const onConnect = (): void => finish(socket);
    const timer = setTimeout(() => finish(ERR.ETIMEDOUT), timeoutMs);
    socket.once('connect', onConnect);
    // An error listener stays for the socket's whole life (see callers).
    socket.on('error', (err) => finish(netErrorFromNode(err)));
  });
}

/**
 * Checks the allow-list, resolves `host`, connects, and runs TLS when asked.
 * @returns the socket, or the failure
 */
export async function openTcp(
  host: string,
  port: number,
  tls: { readonly servername: string | null; readonly verify: boolean } | undefined,
  ctx: UpstreamContext,
): Promise<Socket | NetError> {
  const proxy = proxyFor(ctx.proxy, tls ? 'https' : 'http', host, port);
  if (proxy !== undefined) {
    if (!admits(host, port, ctx)) return ERR.EACCES;
    let tunnel: Socket;
    try {
      tunnel = await openTunnel(proxy, host, port, ctx.timeoutMs);
    } catch (err) {
      return err instanceof ProxyTunnelError ? err.error : ERR.EIO;
    }
    return tls === undefined ? tunnel : startTls(tunnel, { ...tls, timeoutMs: ctx.timeoutMs });
  }
  const address = await admitAndResolve(host, port, ctx);
  if (typeof address === 'number') return address;
  const socket = await connectTcp(address, port, ctx.timeoutMs);
  if (typeof socket === 'number' || tls === undefined) return socket;
  return startTls(socket, { ...tls, timeoutMs: ctx.timeoutMs });
}

/**
 * The proxy a plain-http URL is sent to in absolute form, or `undefined`
 * when it goes directly (https goes through a tunnel, see {@link openTcp}).
 */
export function forwardProxy(url: URL, ctx: UpstreamContext): URL | undefined {
  if (url.protocol !== 'http:') return undefined;
  return proxyFor(ctx.proxy, 'http', url.hostname.replace(/^\[|\]$/g, ''), url.port === '' ? 80 : Number(url.port));
}

/**
 * Opens a connection for an http(s) URL (TLS verified for https, unless
 * `verify` is false): to the destination, through a CONNECT tunnel, or, for
 * plain http with a proxy, to the proxy ({@link forwardProxy}).
 */
export async function openUrl(url: URL, verify: boolean, ctx: UpstreamContext): Promise<Socket | NetError> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const https = url.protocol === 'https:';
  const port = url.port === '' ? (https ? 443 : 80) : Number(url.port);
  const forward = forwardProxy(url, ctx);
  if (forward !== undefined) {
    if (!admits(host, port, ctx)) return ERR.EACCES;
    const endpoint = proxyEndpoint(forward);
    const socket = await connectTcp(endpoint.host, endpoint.port, ctx.timeoutMs);
    if (typeof socket === 'number' || forward.protocol !== 'https:') return socket;
    return startTls(socket, { servername: endpoint.host, verify: true, timeoutMs: ctx.timeoutMs });
  }
  return openTcp(host, port, https ? { servername: host, verify } : undefined, ctx);
}

/**
 * Takes a socket away from its current owner: removes every `data`, `end`,
 * `close` and `error` listener and leaves a no-op `error` listener, so an
 * error arriving after the hand-over is not thrown as an uncaught exception.
 */
export function detachSocket(socket: Socket): void {
  for (const event of ['data', 'end', 'close', 'error']) socket.removeAllListeners(event);
  socket.on('error', () => {});
}
