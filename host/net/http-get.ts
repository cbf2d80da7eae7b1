/**
 * The host's own HTTP GET (for the upip bootstrap): node:http/https, so
 * the body arrives exactly as sent (fetch would undo a Content-Encoding,
 * and a digest is over the bytes served), redirects followed, the index
 * mapping applied, size and time bounded.
 *
 * @module
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DEFAULT_MAX_REDIRECTS } from './options.js';
import type { IndexMapping } from './index-mapping.js';

/** Options of {@link httpGet}. */
export interface HttpGetOptions {
  /** Time limit in ms for the connection and between bytes. Default 30000. */
  readonly timeoutMs?: number;
  /** Refuse bodies larger than this. Default 16 MiB. */
  readonly maxBytes?: number;
  /** Index mapping to apply to each URL requested. */
  readonly mapping?: IndexMapping;
  /** Extra CA certificates (PEM). Default: Node's store (with NODE_EXTRA_CA_CERTS). */
  readonly ca?: string[];
}

/** A GET that failed: a status other than 200/404, too large, or a network error (`code` set). */
export class HttpGetError extends Error {
  /** The HTTP status, when the server answered. */
  readonly status: number | undefined;
  /** Node's error code for a network failure (ECONNREFUSED, ENOTFOUND, ...). */
  readonly code: string | undefined;

  /** @internal */
  constructor(message: string, status?: number, code?: string) {
    super(message);
    this.name = 'HttpGetError';
    this.status = status;
    this.code = code;
  }
}

function once(url: URL, options: HttpGetOptions): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { accept: '*/*', 'accept-encoding': 'identity' }, timeout: options.timeoutMs ?? 30_000, ca: options.ca });
    req.on('response', resolve);
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer from ${url.host} within ${options.timeoutMs ?? 30_000} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => reject(new HttpGetError(`${url.href}: ${err.message}`, undefined, err.code ?? 'EIO')));
    req.end();
  });
}

function body(res: IncomingMessage, url: URL, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let total = 0;
    res.on('data', (d: Buffer) => {
      total += d.length;
      if (total > maxBytes) res.destroy(new HttpGetError(`${url.href} is larger than ${maxBytes} bytes`));
      else parts.push(d);
    });
    res.on('end', () => resolve(Buffer.concat(parts, total)));
    res.on('error', (err: NodeJS.ErrnoException) => reject(err instanceof HttpGetError ? err : new HttpGetError(`${url.href}: ${err.message}`, undefined, err.code ?? 'EIO')));
    res.on('aborted', () => reject(new HttpGetError(`${url.href}: the server closed the connection mid-body`, undefined, 'ECONNRESET')));
  });
}

/**
 * GETs `url` (after the mapping), following up to 20 redirects.
 * @returns the body, or `undefined` for 404 and 410
 * @throws HttpGetError for other statuses, oversize bodies and network errors
 */
export async function httpGet(url: string, options: HttpGetOptions = {}): Promise<{ url: string; body: Buffer } | undefined> {
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    current = options.mapping?.map(current) ?? current;
    const res = await once(current, options);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if ([301, 302, 303, 307, 308].includes(status) && location && hop < DEFAULT_MAX_REDIRECTS) {
      res.resume();
      current = new URL(location, current);
      continue;
    }
    if (status === 404 || status === 410) {
      res.resume();
      return undefined;
    }
    if (status !== 200) {
      res.resume();
      throw new HttpGetError(`${current.href} answered HTTP ${status}`, status);
    }
    return { url: current.href, body: await body(res, current, options.maxBytes ?? 16 * 1024 * 1024) };
  }
}
