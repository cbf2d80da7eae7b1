/**
 * `CONNECT` tunnels through an HTTP(S) proxy (./proxy.ts says when one is
 * used), for TLS and raw byte streams. Kept apart from ./proxy.ts so that
 * reading the settings at start-up loads neither node:net nor node:tls.
 *
 * @module
 */
import { connect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ERR, type NetError, netErrorFromNode } from './errno.js';
import { proxyAuthorization, proxyEndpoint } from './proxy.js';

/** A failed tunnel: what the proxy answered, or why it could not be asked. */
export class ProxyTunnelError extends Error {
  /** What Python raises for it (ECONNREFUSED when the proxy refused the tunnel, else the socket's error). */
  readonly error: NetError;

  /** @internal */
  constructor(message: string, error: NetError) {
    super(message);
    this.name = 'ProxyTunnelError';
    this.error = error;
  }
}

/**
 * Opens a `CONNECT host:port` tunnel through `proxy` within `timeoutMs`.
 * @returns the socket, positioned after the proxy's 2xx answer
 * @throws ProxyTunnelError naming the proxy and what went wrong
 */
export function openTunnel(proxy: URL, host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<Socket> {
  const target = `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
  const { host: proxyHost, port: proxyPort } = proxyEndpoint(proxy);
  const auth = proxyAuthorization(proxy);
  return new Promise((resolve, reject) => {
    const secure = proxy.protocol === 'https:';
    const socket: Socket = secure
      ? tlsConnect({ host: proxyHost, port: proxyPort, servername: isIP(proxyHost) === 0 ? proxyHost : undefined })
      : connect({ host: proxyHost, port: proxyPort });
    let seen = Buffer.alloc(0);
    let done = false;
    const fail = (message: string, error: NetError): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(new ProxyTunnelError(`proxy ${proxyHost}:${proxyPort}: ${message}`, error));
    };
    const onAbort = (): void => fail('cancelled', ERR.EIO);
    const timer = setTimeout(() => fail(`no answer to CONNECT ${target} within ${timeoutMs} ms`, ERR.ETIMEDOUT), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (err: NodeJS.ErrnoException) => fail(`${err.code ?? 'error'}: ${err.message}`, netErrorFromNode(err)));
    socket.once('close', () => fail(`closed the connection during CONNECT ${target}`, ERR.ECONNRESET));
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`);
    });
    const onData = (d: Buffer): void => {
      seen = Buffer.concat([seen, d]);
      const end = seen.indexOf('\r\n\r\n');
      if (end < 0) {
        if (seen.length > 16 * 1024) fail('answered CONNECT with an oversized head', ERR.EIO);
        return;
      }
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(seen.subarray(0, end).toString('latin1'));
      if (!status || status[1]![0] !== '2') {
        fail(`refused CONNECT ${target}: ${seen.subarray(0, seen.indexOf('\r\n')).toString('latin1')}`, ERR.ECONNREFUSED);
        return;
      }
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('data', onData);
      socket.removeAllListeners('close');
      socket.removeAllListeners('error');
      socket.on('error', () => {});
      const rest = seen.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve(socket);
    };
    socket.on('data', onData);
  });
}
