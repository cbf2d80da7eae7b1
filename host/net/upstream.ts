/**
 * Opening connections the host makes on its own: to the target of a mapped
 * request, to a redirect's Location, and to the real host behind a
 * stand-in address. The allow-list applies to each.
 *
 * @module
 */
import { lookup } from 'node:dns/promises';
import { connect, isIP, type Socket } from 'node:net';
import { Errno, guestErrorFromNode } from './errno.js';
import type { NetPolicy } from './policy.js';
import { startTls } from './tls-upgrade.js';

/** What {@link openTcp} and {@link openUrl} need. */
export interface UpstreamContext {
  readonly policy: NetPolicy;
  readonly timeoutMs: number;
}

/**
 * Connects to `address:port` (an IP address) within `timeoutMs`.
 * @returns the socket, or a positive errno
 */
export function connectTcp(address: string, port: number, timeoutMs: number): Promise<Socket | number> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    let done = false;
    const finish = (value: Socket | number): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off('connect', onConnect);
      if (typeof value === 'number') socket.destroy();
      resolve(value);
    };
    const onConnect = (): void => finish(socket);
    const timer = setTimeout(() => finish(Errno.ETIMEDOUT), timeoutMs);
    socket.once('connect', onConnect);
    // An error listener stays for the socket's whole life (see callers).
    socket.on('error', (err) => finish(guestErrorFromNode(err)));
  });
}

/**
 * Resolves `host`, checks the allow-list, connects, and runs TLS when asked.
 * @returns the socket, or a guest error
 */
export async function openTcp(
  host: string,
  port: number,
  tls: { readonly servername: string | null; readonly verify: boolean } | undefined,
  ctx: UpstreamContext,
): Promise<Socket | number> {
  let address = host;
  if (isIP(host) === 0) {
    try {
      address = (await lookup(host)).address;
    } catch (err) {
      return guestErrorFromNode(err);
    }
  }
  if (!ctx.policy.allows([host, address], port)) return Errno.EACCES;
  const socket = await connectTcp(address, port, ctx.timeoutMs);
  if (typeof socket === 'number' || tls === undefined) return socket;
  return startTls(socket, { ...tls, timeoutMs: ctx.timeoutMs });
}

/** Opens a connection for an http(s) URL (TLS verified for https, unless `verify` is false). */
export function openUrl(url: URL, verify: boolean, ctx: UpstreamContext): Promise<Socket | number> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const https = url.protocol === 'https:';
  const port = url.port === '' ? (https ? 443 : 80) : Number(url.port);
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
