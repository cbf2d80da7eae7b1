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
 *   address, each optionally with `:PORT`, or an IPv4 range (`10.0.0.0/8`,
 *   as Python's requests reads it).
 * - Plain HTTP is sent to the proxy in absolute form (`GET http://host/path`);
 *   TLS and any other byte stream go through a `CONNECT host:port` tunnel.
 *   The destination's name is resolved by the proxy, not here.
 *
 * @module
 */

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

/**
 * The settings without the proxies that cannot be used, and what is wrong
 * with each (for a warning: the variables are shared with other tools,
 * which may accept proxies this host does not, such as `socks5://`).
 */
export function usableProxies(settings: ProxySettings | null): { settings: ProxySettings | null; problems: string[] } {
  if (settings === null) return { settings, problems: [] };
  const problems: string[] = [];
  const keep = (value: string | null, name: string): string | null => {
    if (value === null) return null;
    try {
      proxyUrl(value, name);
      return value;
    } catch (err) {
      problems.push((err as Error).message);
      return null;
    }
  };
  const http = keep(settings.http, 'HTTP_PROXY');
  const https = keep(settings.https, 'HTTPS_PROXY');
  return { settings: http === null && https === null ? null : { ...settings, http, https }, problems };
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
function proxyUrl(value: string, what = 'proxy'): URL {
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

function ipv4Number(address: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  return octets.some((o) => o > 255) ? undefined : octets.reduce((n, o) => n * 256 + o, 0);
}

/** Whether an IPv4 `address` lies in `cidr` (`10.0.0.0/8`). */
function inCidr(address: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/') as [string, string];
  const a = ipv4Number(address);
  const b = ipv4Number(base);
  const n = Number(bits);
  if (a === undefined || b === undefined || !/^\d{1,2}$/.test(bits) || n > 32) return false;
  const size = 2 ** (32 - n);
  return Math.floor(a / size) === Math.floor(b / size);
}

function bypassed(noProxy: readonly string[], host: string, port: number): boolean {
  const name = host
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  return noProxy.some((raw) => {
    if (raw === '*') return true;
    if (raw.includes('/')) return inCidr(name, raw);
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
