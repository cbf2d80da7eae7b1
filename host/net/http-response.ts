/**
 * Reading just enough of a response head to decide whether to follow a
 * redirect. Responses that are handed back are never rewritten: Python gets
 * the server's bytes (status line, headers, body) exactly as received.
 *
 * @module
 */
import { MAX_HEAD_BYTES, header, parseHeaderLines, type OutgoingRequest } from './http-request.js';

/** A parsed response head. */
export interface ResponseHead {
  readonly status: number;
  readonly location: string | undefined;
}

/** The outcome of looking at the response bytes received so far. */
export type ResponseSniff = { readonly kind: 'more' } | { readonly kind: 'other' } | { readonly kind: 'head'; readonly head: ResponseHead };

/**
 * Looks at the start of a response. `other` means it is not a well-formed
 * HTTP/1.x head (or is too long): hand it back as it is.
 */
export function sniffResponse(buf: Buffer): ResponseSniff {
  if (buf.length >= 5 && buf.subarray(0, 5).toString('latin1') !== 'HTTP/') return { kind: 'other' };
  let end = buf.indexOf('\r\n\r\n');
  let skip = 4;
  const lf = buf.indexOf('\n\n');
  if (lf >= 0 && (end < 0 || lf < end)) {
    end = lf;
    skip = 2;
  }
  if (end < 0) return buf.length > MAX_HEAD_BYTES ? { kind: 'other' } : { kind: 'more' };
  const text = buf
    .subarray(0, end + skip)
    .toString('latin1')
    .split(/\r?\n/);
  const m = /^HTTP\/\d\.\d (\d{3})(?: .*)?$/.exec(text[0] ?? '');
  const headers = parseHeaderLines(text.slice(1));
  if (!m || !headers) return { kind: 'other' };
  return { kind: 'head', head: { status: Number(m[1]), location: header(headers, 'location') } };
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The request to make after a redirect, following fetch's rules: 303 (and
 * 301/302 after POST) become GET without a body; 307/308 repeat the method
 * and body, which needs `bodyReplayable`; credentials are dropped when the
 * origin changes.
 * @returns `undefined` when the response is not a redirect the host can follow
 */
export function redirectRequest(prev: OutgoingRequest, head: ResponseHead, bodyReplayable: boolean): OutgoingRequest | undefined {
  if (!REDIRECTS.has(head.status) || head.location === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(head.location, prev.url);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.hash = '';
  const toGet = head.status === 303 ? prev.method !== 'HEAD' : (head.status === 301 || head.status === 302) && prev.method === 'POST';
  const method = toGet ? 'GET' : prev.method;
  const withBody = toGet ? false : prev.withBody;
  if (withBody && !bodyReplayable) return undefined;
  return {
    method,
    url,
    version: prev.version,
    headers: prev.headers,
    withBody,
    withCredentials: prev.withCredentials && url.origin === prev.url.origin,
    hostHeader: url.origin === prev.url.origin ? prev.hostHeader : undefined,
  };
}
