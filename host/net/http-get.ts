/**
 * The host's own HTTP GET, for the upip bootstrap and `mpy install`:
 * node:http/https, so the body arrives exactly as sent (fetch would undo a
 * Content-Encoding, and a digest is over the bytes served), redirects
 * followed, the index mapping applied, HTTP(S)_PROXY and NO_PROXY honoured
 * (./proxy.ts), size and time bounded, cancellable.
 *
 * @module
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { checkProxySettings, proxyAuthorization, proxyEndpoint, proxyFor, proxySettingsFromEnv, type ProxySettings } from './proxy.js';
import { openTunnel } from './proxy-tunnel.js';
import { DEFAULT_MAX_REDIRECTS } from './options.js';
import type { IndexMapping } from './index-mapping.js';

/** Options of {@link httpGet}. */
export interface HttpGetOptions {
  /** Time limit in ms for the connection and between bytes. Default 30000. */
  readonly timeoutMs?: number;
  /** Refuse bodies larger than this. Default 16 MiB. */
  readonly maxBytes?: number;
  /** Index mapping to apply to each URL requested. Default none. */
  readonly mapping?: IndexMapping;
  /** Reuse connections (Node's global keep-alive agent). Default false: one connection per request. */
  readonly keepAlive?: boolean;
  /** Called as body bytes arrive. Default none. */
  readonly onBytes?: (n: number) => void;
  /** Abandons the request when aborted (rejects with the signal's reason). Default none. */
  readonly signal?: AbortSignal;
  /** The Accept header. Default `*\/*`. */
  readonly accept?: string;
  /** Proxies to use; `null` for none. Default: from `process.env` (HTTP_PROXY, HTTPS_PROXY, NO_PROXY). */
  readonly proxy?: ProxySettings | null;
}

/**
 * How a GET failed: `network` (no connection: refused, unknown host),
 * `timeout` (no answer, or a body that stalled, within the time limit),
 * `status` (an answer other than 200/404/410), `broken-body` (the server
 * closed the connection mid-body), `too-large` (a body over the limit),
 * `bad-url` (the URL, or a redirect's Location, is malformed or not http(s)).
 */
export type HttpGetFailure = 'network' | 'timeout' | 'status' | 'broken-body' | 'too-large' | 'bad-url';

/** A failed GET. */
export class HttpGetError extends Error {
  /** How it failed. */
  readonly failure: HttpGetFailure;
  /** The HTTP status, when the server answered. */
  readonly status: number | undefined;
  /** Node's error code for a network failure or broken body (ECONNREFUSED, ENOTFOUND, ...). */
  readonly code: string | undefined;
  /** For `status`: the start of the answer's body, as text (at most 200 characters). */
  readonly detail: string;

  /** @internal */
  constructor(failure: HttpGetFailure, message: string, details: { status?: number; code?: string; detail?: string } = {}) {
    super(message);
    this.name = 'HttpGetError';
    this.failure = failure;
    this.status = details.status;
    this.code = details.code;
    this.detail = details.detail ?? '';
  }
}

const ERROR_DETAIL_BYTES = 1024;

/** A response and whether its connection went quiet past the time limit. */
interface Answer {
  readonly res: IncomingMessage;
  readonly timedOut: () => boolean;
}

function proxySettings(options: HttpGetOptions): ProxySettings | null {
  if (options.proxy !== undefined) return options.proxy;
  try {
    const settings = proxySettingsFromEnv(process.env);
    checkProxySettings(settings);
    return settings;
  } catch (err) {
    throw new HttpGetError('bad-url', (err as Error).message);
  }
}

/** Starts the request: directly, to an http proxy in absolute form, or through a CONNECT tunnel. */
async function send(url: URL, options: HttpGetOptions, timeoutMs: number): Promise<ClientRequest> {
  const https = url.protocol === 'https:';
  const port = url.port === '' ? (https ? 443 : 80) : Number(url.port);
  const proxy = proxyFor(proxySettings(options), https ? 'https' : 'http', url.hostname, port);
  const base: RequestOptions = {
    agent: options.keepAlive ? undefined : false,
    headers: { accept: options.accept ?? '*/*', 'accept-encoding': 'identity' },
    timeout: timeoutMs,
    signal: options.signal,
  };
  if (proxy === undefined) return (https ? httpsRequest : httpRequest)(url, base);
  if (!https) {
    const auth = proxyAuthorization(proxy);
    const { host, port: proxyPort } = proxyEndpoint(proxy);
    return (proxy.protocol === 'https:' ? httpsRequest : httpRequest)({
      ...base,
      agent: false,
      host,
      port: proxyPort,
      path: url.href,
      headers: { ...base.headers, host: url.host, ...(auth ? { 'proxy-authorization': auth } : {}) },
    });
  }
  const name = url.hostname.replace(/^\[|\]$/g, '');
  let tunnel: Socket;
  try {
    tunnel = await openTunnel(proxy, name, port, timeoutMs, options.signal);
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason;
    const e = err as Error & { errno?: number };
    throw new HttpGetError(/within \d+ ms/.test(e.message) ? 'timeout' : 'network', `${url.href}: ${e.message}`, { code: 'EPROXY' });
  }
  const secure = tlsConnect({ socket: tunnel, host: name, servername: isIP(name) === 0 ? name : undefined });
  return httpsRequest(url, { ...base, agent: undefined, createConnection: () => secure });
}

async function once(url: URL, options: HttpGetOptions): Promise<Answer> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timedOut = false;
  const req = await send(url, options, timeoutMs);
  return new Promise((resolve, reject) => {
    req.on('response', (res) => resolve({ res, timedOut: () => timedOut }));
    req.on('timeout', () => {
      timedOut = true;
      req.destroy(Object.assign(new Error(`no data from ${url.host} for ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (options.signal?.aborted) reject(options.signal.reason);
      else if (timedOut) reject(new HttpGetError('timeout', `${url.href}: no answer within ${timeoutMs} ms`, { code: 'ETIMEDOUT' }));
      else reject(new HttpGetError('network', `${url.href}: ${err.message}`, { code: err.code ?? 'EIO' }));
    });
    req.end();
  });
}

function body({ res, timedOut }: Answer, url: URL, options: HttpGetOptions, maxBytes: number): Promise<Buffer> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let total = 0;
    const tooLarge = (): HttpGetError => new HttpGetError('too-large', `${url.href} is larger than ${maxBytes} bytes`, { status: 200 });
    if (Number(res.headers['content-length'] ?? NaN) > maxBytes) {
      res.destroy();
      reject(tooLarge());
      return;
    }
    res.on('data', (d: Buffer) => {
      total += d.length;
      if (total > maxBytes) {
        res.destroy();
        reject(tooLarge());
        return;
      }
      parts.push(d);
      options.onBytes?.(d.length);
    });
    res.on('end', () => resolve(Buffer.concat(parts, total)));
    const broke = (err: NodeJS.ErrnoException): void => {
      if (options.signal?.aborted) reject(options.signal.reason);
      else if (timedOut()) {
        reject(
          new HttpGetError('timeout', `${url.href}: the body stalled after ${total} bytes (no data for ${timeoutMs} ms)`, {
            status: 200,
            code: 'ETIMEDOUT',
          }),
        );
      } else reject(new HttpGetError('broken-body', `${url.href}: ${err.message}`, { status: 200, code: err.code ?? 'EIO' }));
    };
    res.on('error', broke);
    res.on('aborted', () => broke(Object.assign(new Error('the server closed the connection mid-body'), { code: 'ECONNRESET' })));
  });
}

/** Up to {@link ERROR_DETAIL_BYTES} of an error answer's body, for the message. */
async function errorDetail(res: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res) {
      parts.push(chunk as Buffer);
      total += (chunk as Buffer).length;
      if (total >= ERROR_DETAIL_BYTES) break;
    }
  } catch {
    // The detail is a courtesy.
  }
  res.destroy();
  return Buffer.concat(parts).subarray(0, ERROR_DETAIL_BYTES).toString('utf8').slice(0, 200).trim();
}

/**
 * Reads an http(s) URL: the one asked for, or a redirect's Location relative to `from`.
 * @throws HttpGetError `bad-url` when it is malformed or of another scheme
 */
function httpUrl(text: string, from: URL | undefined): URL {
  const what = from ? `${from.href} redirected to ${JSON.stringify(text)}` : JSON.stringify(text);
  let url: URL;
  try {
    url = new URL(text, from);
  } catch {
    throw new HttpGetError('bad-url', `${what}, which is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HttpGetError(
      'bad-url',
      `${from ? `${what}, a ${url.protocol} URL` : `${what} is a ${url.protocol} URL`}; only http and https are followed`,
    );
  }
  return url;
}

/**
 * GETs `url` (after the mapping), following up to 20 redirects.
 * @returns the final URL and the body exactly as sent, or `undefined` for 404 and 410
 * @throws HttpGetError for other statuses, oversize bodies and network errors;
 *   the signal's reason when it aborts
 */
export async function httpGet(url: string, options: HttpGetOptions = {}): Promise<{ url: string; body: Buffer } | undefined> {
  let current = httpUrl(url, undefined);
  for (let hop = 0; ; hop++) {
    current = options.mapping?.map(current) ?? current;
    const answer = await once(current, options);
    const { res } = answer;
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if ([301, 302, 303, 307, 308].includes(status) && location && hop < DEFAULT_MAX_REDIRECTS) {
      res.resume();
      current = httpUrl(location, current);
      continue;
    }
    if (status === 404 || status === 410) {
      res.resume();
      return undefined;
    }
    if (status !== 200) {
      const detail = await errorDetail(res);
      throw new HttpGetError('status', `${current.href} answered HTTP ${status}`, { status, detail });
    }
    return { url: current.href, body: await body(answer, current, options, options.maxBytes ?? 16 * 1024 * 1024) };
  }
}
