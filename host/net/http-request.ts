/**
 * Recognising an HTTP/1.x request in the first bytes a program writes to a
 * socket, and writing requests for the hops the host makes itself.
 *
 * A socket is "HTTP" once its first bytes form a complete request head:
 * `METHOD SP target SP HTTP/1.0|1.1 CRLF`, header lines, an empty line. It
 * is "raw" as soon as they cannot (a byte that does not fit, a head
 * larger than {@link MAX_HEAD_BYTES}, a chunked request body, CONNECT),
 * or when the program reads before finishing a head.
 *
 * @module
 */

import { proxyAuthorization } from './proxy.js';

/** The largest request or response head looked at. */
export const MAX_HEAD_BYTES = 64 * 1024;
const MAX_METHOD = 20;

/** A parsed request head. */
export interface RequestHead {
  readonly method: string;
  /** The request target as written (origin-form `/path?q` or absolute-form). */
  readonly target: string;
  /** `1.0` or `1.1`. */
  readonly version: string;
  /** Header fields in order, names as written. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** The head's bytes exactly as written, through the empty line. */
  readonly raw: Buffer;
  /** Body bytes that follow (Content-Length, 0 when absent). */
  readonly contentLength: number;
}

/** The outcome of looking at the bytes written so far. */
export type Sniffed = { readonly kind: 'more' } | { readonly kind: 'raw' } | { readonly kind: 'http'; readonly head: RequestHead };

function headEnd(buf: Buffer): number {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf < 0 && lf < 0) return -1;
  if (crlf < 0) return lf + 2;
  if (lf < 0) return crlf + 4;
  return Math.min(crlf + 4, lf + 2);
}

function methodPrefixOk(buf: Buffer): boolean {
  const n = Math.min(buf.length, MAX_METHOD + 1);
  for (let i = 0; i < n; i++) {
    const c = buf[i]!;
    if (c === 0x20) return i > 0;
    if (c < 0x41 || c > 0x5a) return false;
  }
  return n <= MAX_METHOD;
}

/** Splits a head into lines without their line ends. */
function lines(text: string): string[] {
  return text.split(/\r?\n/);
}

/**
 * Parses a head's header lines.
 * @returns the fields, or `undefined` when a line is not `name: value`
 */
export function parseHeaderLines(headerLines: readonly string[]): Array<[string, string]> | undefined {
  const out: Array<[string, string]> = [];
  for (const line of headerLines) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(line.slice(0, colon))) return undefined;
    out.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return out;
}

/** The value of the first header called `name` (case-insensitive). */
export function header(headers: ReadonlyArray<readonly [string, string]>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

/** Looks at the bytes written so far (see the module doc). */
export function sniffRequest(buf: Buffer): Sniffed {
  if (!methodPrefixOk(buf)) return { kind: 'raw' };
  const firstEnd = buf.indexOf('\n');
  if (firstEnd < 0) return buf.length > MAX_HEAD_BYTES ? { kind: 'raw' } : { kind: 'more' };
  const first = buf.subarray(0, firstEnd).toString('latin1').replace(/\r$/, '');
  const m = /^([A-Z]+) (\S+) HTTP\/1\.([01])$/.exec(first);
  if (!m || m[1] === 'CONNECT') return { kind: 'raw' };
  const end = headEnd(buf);
  if (end < 0) return buf.length > MAX_HEAD_BYTES ? { kind: 'raw' } : { kind: 'more' };
  if (end > MAX_HEAD_BYTES) return { kind: 'raw' };
  const raw = Buffer.from(buf.subarray(0, end));
  const headers = parseHeaderLines(lines(raw.toString('latin1')).slice(1));
  if (!headers || header(headers, 'transfer-encoding') !== undefined) return { kind: 'raw' };
  const cl = header(headers, 'content-length');
  if (cl !== undefined && !/^\d{1,15}$/.test(cl)) return { kind: 'raw' };
  return {
    kind: 'http',
    head: { method: m[1]!, target: m[2]!, version: `1.${m[3]}`, headers, raw, contentLength: cl === undefined ? 0 : Number(cl) },
  };
}

/**
 * The URL a request goes to: its absolute-form target, or the scheme and
 * the destination of the connection with the target. The Host header does
 * not choose the destination (the program connected somewhere already);
 * it is sent as written (see {@link OutgoingRequest.hostHeader}).
 * @returns `undefined` when no valid URL can be made
 */
export function requestUrl(head: RequestHead, scheme: 'http' | 'https', connectedAuthority: string): URL | undefined {
  try {
    if (/^https?:\/\//i.test(head.target)) return new URL(head.target);
    if (!head.target.startsWith('/')) return undefined;
    return new URL(`${scheme}://${connectedAuthority}${head.target}`);
  } catch {
    return undefined;
  }
}

/** Whether the request asks to switch protocols (`Upgrade`, e.g. a WebSocket handshake). */
function isUpgrade(headers: ReadonlyArray<readonly [string, string]>): boolean {
  return header(headers, 'upgrade') !== undefined;
}

/**
 * Whether the head must be rewritten to end the exchange with the response:
 * the host hands back one response per socket and reads it to end of
 * stream, so a persistent connection (HTTP/1.1's default, or any
 * Connection header) is turned into `Connection: close`. A request to
 * switch protocols is never rewritten: after a 101 the connection is the
 * program's own, byte for byte.
 */
export function needsClose(head: RequestHead): boolean {
  if (isUpgrade(head.headers)) return false;
  return head.version !== '1.0' || header(head.headers, 'connection') !== undefined || header(head.headers, 'keep-alive') !== undefined;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'host']);
const CREDENTIALS = new Set(['authorization', 'cookie', 'proxy-authorization']);
const BODY_HEADERS = new Set(['content-length', 'content-type', 'content-encoding', 'content-language', 'content-location']);

/** One request the host sends itself: the first, rewritten, or a redirect hop. */
export interface OutgoingRequest {
  readonly method: string;
  readonly url: URL;
  readonly version: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Whether the body headers and body of the original request go with it. */
  readonly withBody: boolean;
  /** Whether credentials go with it (false after a cross-origin redirect). */
  readonly withCredentials: boolean;
  /** The program's own Host header, kept while the origin stays the same; else Host names the URL's. */
  readonly hostHeader?: string;
}

/**
 * Writes a request head for `req`: origin-form target (absolute-form when
 * sent to a forward `proxy`, with its credentials), Host from the program
 * (same origin) or the URL, `Connection: close` (`Connection: Upgrade` for
 * a request to switch protocols), the original fields otherwise in their
 * order.
 */
export function serializeHead(req: OutgoingRequest, proxy?: URL): Buffer {
  const target = proxy ? `${req.url.origin}${req.url.pathname}${req.url.search}` : `${req.url.pathname}${req.url.search}`;
  const out = [`${req.method} ${target} HTTP/${req.version}`, `Host: ${req.hostHeader ?? req.url.host}`];
  const auth = proxy ? proxyAuthorization(proxy) : undefined;
  if (auth) out.push(`Proxy-Authorization: ${auth}`);
  for (const [name, value] of req.headers) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) continue;
    if (!req.withCredentials && CREDENTIALS.has(lower)) continue;
    if (!req.withBody && BODY_HEADERS.has(lower)) continue;
    out.push(`${name}: ${value}`);
  }
  out.push(isUpgrade(req.headers) ? 'Connection: Upgrade' : 'Connection: close', '', '');
  return Buffer.from(out.join('\r\n'), 'latin1');
}
