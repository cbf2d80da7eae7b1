/**
 * Starting TLS on a connected socket, verified by Node against its default
 * store: its roots plus NODE_EXTRA_CA_CERTS, which Node reads once, at
 * process start, for every thread.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, type TLSSocket } from 'node:tls';
import { ERR, type NetError, netErrorFromNode } from './errno.js';

/** Options of {@link startTls}. */
export interface TlsOptions {
  /** The name to send (SNI) and to check the certificate against; `null`: none (chain only). */
  readonly servername: string | null;
  /** Whether the certificate must verify. */
  readonly verify: boolean;
  /** Handshake time limit in ms. */
  readonly timeoutMs: number;
}

/**
 * Runs the TLS handshake over `socket`.
 * @returns the TLS socket, or the failure (an mbedTLS code for TLS
 *   failures, −errno for socket failures and timeouts)
 */
export function startTls(socket: Socket, options: TlsOptions): Promise<TLSSocket | NetError> {
  const name = options.servername;
  return new Promise((resolve) => {
    let done = false;
    const tls = tlsConnect({
      socket,
      // RFC 6066 forbids an address as SNI; the name is still checked below.
      servername: name !== null && isIP(name) === 0 ? name : undefined,
      rejectUnauthorized: options.verify,
      checkServerIdentity: (_host, cert) => (name === null ? undefined : checkServerIdentity(name, cert)),
    });
    const finish = (value: TLSSocket | NetError): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      tls.off('secureConnect', onSecure);
      if (typeof value === 'number') tls.destroy();
      resolve(value);
    };
    const onSecure = (): void => finish(tls);
    const timer = setTimeout(() => finish(ERR.ETIMEDOUT), options.timeoutMs);
    tls.once('secureConnect', onSecure);
    tls.on('error', (err) => finish(netErrorFromNode(err)));
    tls.once('close', () => finish(ERR.ECONNRESET));
  });
}
