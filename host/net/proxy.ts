/**
 * HTTP proxies, configured as npm, pip and curl read them:
 * `HTTP_PROXY`/`http_proxy` for http destinations, `HTTPS_PROXY`/
 * `https_proxy` for https (and TLS) ones, `NO_PROXY`/`no_proxy` for the
 * destinations reached directly. Lower-case names win over upper-case.
 *
 * - A proxy is an `http://` or `https://[user:password@]host[:port]` URL
 *   (a bare `host:port` means http; the port defaults to 80 or 443; an
 *   https proxy is itself reached over verified TLS). Credentials go as
 *   `Proxy-Authorization: Basic`.
 * - `NO_PROXY` is a comma- or space-separated list: `*` (no proxy at
 *   all), a host name that matches itself and every name below it
 *   (`example.com` and `.example.com` both match `a.example.com`), an IP
 *   address, each optionally with `:PORT`.
 * - Plain HTTP is sent to the proxy in absolute form (`GET http://host/path`);
 *   TLS and any other byte stream go through a `CONNECT host:port` tunnel.
 *   The destination's name is resolved by the proxy, not here.
 *
 * @module
 */
import { connect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Errno, guestErrorFromNode } from './errno.js';

/** Proxy settings, as {@link proxySettingsFromEnv} reads them. */
export interface ProxySettings {
  /** Proxy URL for http destinations. */
  readonly http: string | null;
  /** Proxy URL for https and other TLS destinations. */
  readonly https: string | null;
  /** Destinations reached directly (see the module doc). */
  readonly noProxy: readonly string[];
}

/** The two kinds of destination. */
export type ProxyScheme = 'http' | 'https';

function pick(env: NodeJS.ProcessEnv, name: string): string | null {
  return env[name.toLowerCase()] || env[name.toUpperCase()] || null;
}

/**
 * Reads the proxy variables (see {@link checkProxySettings} for their validity).
 * @returns the settings, or `null` when no proxy is set
 */
export function proxySettingsFromEnv(env: NodeJS.ProcessEnv): ProxySettings | null {
  const http = pick(env, 'http_proxy');
  const https = pick(env, 'https_proxy');
  if (http === null && https === null) return null;
  const noProxy = (pick(env, 'no_proxy') ?? '').split(/[\s,]+/).filter(Boolean);
  return { http, https, noProxy };
}

/** @throws TypeError naming the variable whose value is not an http proxy URL */
export function checkProxySettings(settings: ProxySettings | null): void {
  if (settings?.http) proxyUrl(settings.http, 'HTTP_PROXY');
  if (settings?.https) proxyUrl(settings.https, 'HTTPS_PROXY');
}

/**
 * Parses a proxy setting.
 * @param what the setting's name, for the error
 * @throws TypeError when it is not an http URL or host:port
 */
export function proxyUrl(value: string, what = 'proxy'): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new TypeError(`${what} "${value}" is not a proxy URL (e.g. http://proxy.example:3128)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TypeError(`${what} "${value}": a proxy URL must be http:// or https://`);
  return url;
}

function bypassed(noProxy: readonly string[], host: string, port: number): boolean {
  const name = host
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  return noProxy.some((raw) => {
    if (raw === '*') return true;
    const m = /^(\[[^\]]+\]|[^:]+|[0-9a-f:]+)(?::(\d+))?$/i.exec(raw.trim());
    if (!m) return false;
    if (m[2] !== undefined && Number(m[2]) !== port) return false;
    const entry = m[1]!
      .toLowerCase()
      .replace(/^\[|\]$/g, '')
      .replace(/^\*?\./, '')
      .replace(/\.$/, '');
    return name === entry || name.endsWith(`.${entry}`);
  });
}

/**
 * The proxy to use for a destination, or `undefined` to connect directly.
 * @param host the destination's name or address (brackets allowed)
 */
export function proxyFor(settings: ProxySettings | null, scheme: ProxyScheme, host: string, port: number): URL | undefined {
  if (settings === null) return undefined;
  const value = scheme === 'https' ? settings.https : settings.http;
  if (value === null || bypassed(settings.noProxy, host, port)) return undefined;
  return proxyUrl(value);
}

/** Whether any proxy would be used for `host:port` (the scheme not known yet). */
export function anyProxyFor(settings: ProxySettings | null, host: string, port: number): boolean {
  return proxyFor(settings, 'http', host, port) !== undefined || proxyFor(settings, 'https', host, port) !== undefined;
}

/** The `Proxy-Authorization` value for a proxy URL with credentials, or `undefined`. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (proxy.username === '' && proxy.password === '') return undefined;
  const user = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return `Basic ${Buffer.from(user).toString('base64')}`;
}

/** The `host:port` of a proxy URL, as node:net connects to it. */
export function proxyEndpoint(proxy: URL): { host: string; port: number } {
  return {
    host: proxy.hostname.replace(/^\[|\]$/g, ''),
    port: proxy.port !== '' ? Number(proxy.port) : proxy.protocol === 'https:' ? 443 : 80,
  };
}

/** A failed tunnel: what the proxy answered, or why it could not be asked. */
export class ProxyTunnelError extends Error {
  /** The guest errno it maps to (ECONNREFUSED when the proxy refused the tunnel, else the socket's). */
  readonly errno: number;

  /** @internal */
  constructor(message: string, errno: number) {
    super(message);
    this.name = 'ProxyTunnelError';
    this.errno = errno;
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
    const fail = (message: string, errno: number): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(new ProxyTunnelError(`proxy ${proxyHost}:${proxyPort}: ${message}`, errno));
    };
    const onAbort = (): void => fail('cancelled', Errno.EIO);
    const timer = setTimeout(() => fail(`no answer to CONNECT ${target} within ${timeoutMs} ms`, Errno.ETIMEDOUT), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (err: NodeJS.ErrnoException) => fail(`${err.code ?? 'error'}: ${err.message}`, guestErrorFromNode(err)));
    socket.once('close', () => fail(`closed the connection during CONNECT ${target}`, Errno.ECONNRESET));
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`);
    });
    const onData = (d: Buffer): void => {
      seen = Buffer.concat([seen, d]);
      const end = seen.indexOf('\r\n\r\n');
      if (end < 0) {
        if (seen.length > 16 * 1024) fail('answered CONNECT with an oversized head', Errno.EIO);
        return;
      }
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(seen.subarray(0, end).toString('latin1'));
      if (!status || status[1]![0] !== '2') {
        fail(`refused CONNECT ${target}: ${seen.subarray(0, seen.indexOf('\r\n')).toString('latin1')}`, Errno.ECONNREFUSED);
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
