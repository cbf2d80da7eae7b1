/**
 * HTTP GET with the errors an installer needs: a 404 is an answer, not an
 * error; everything else that is not 200 is, and so is an unreachable host.
 * Carried by the host's own GET (host/net/http-get.ts): bodies exactly as
 * served (a .tar.gz sent with `Content-Encoding: gzip` stays compressed, so
 * its sha256 checks), connections kept alive and reused across requests.
 */
import { HttpGetError, httpGet as hostGet } from '../net/http-get.js';
import type { IndexMapping } from '../net/index-mapping.js';
import { InstallError, networkReason, throwIfCancelled } from './errors.js';

/** Options of {@link httpGet}. */
export interface GetOptions {
  /** Abort after this many milliseconds without progress. Default 60000. */
  timeoutMs?: number;
  /** Refuse bodies larger than this. Default 64 MiB. */
  maxBytes?: number;
  /** Called as body bytes arrive. Default none. */
  onBytes?: (n: number) => void;
  /** Abandons the request when aborted (InstallError `cancelled`). Default none. */
  signal?: AbortSignal;
  /** Index mapping (`MPY_INDEX_URL`) applied to the URL. Default none. */
  mapping?: IndexMapping;
}

/** A 200 answer, or `undefined` for 404/410. */
export interface GetResult {
  /** The final URL, after redirects. */
  url: string;
  body: Buffer;
}

/**
 * GETs `url`. Resolves `undefined` on 404 or 410.
 * @throws InstallError `index-unreachable` (network), `index-error` (other statuses, oversize),
 *   `download-failed` (the body broke off), `cancelled`
 */
export async function httpGet(url: string, options: GetOptions = {}): Promise<GetResult | undefined> {
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  try {
    return await hostGet(url, {
      timeoutMs: options.timeoutMs ?? 60_000,
      maxBytes,
      keepAlive: true,
      onBytes: options.onBytes,
      signal: options.signal,
      mapping: options.mapping,
      accept: 'application/json, */*',
    });
  } catch (err) {
    throwIfCancelled(options.signal);
    if (!(err instanceof HttpGetError)) throw err;
    switch (err.failure) {
      case 'too-large':
        throw new InstallError(
          'index-error',
          `${url} sends more than ${maxBytes} bytes`,
          'this is not a MicroPython package; check the index',
          err,
        );
      case 'broken-body':
        throw new InstallError(
          'download-failed',
          `download of ${url} broke off: the server closed the connection mid-body (${networkReason(err)})`,
          'try again; if it persists, the server or network is at fault',
          err,
        );
      case 'timeout':
        throw new InstallError(
          err.status === undefined ? 'index-unreachable' : 'download-failed',
          `timed out: ${err.message}`,
          'the server is slow or stuck; try again, or raise the limit with --timeout',
          err,
        );
      case 'bad-url':
        throw new InstallError('index-error', err.message, 'the index is broken or hostile; only http(s) URLs are followed', err);
      case 'status':
        throw new InstallError(
          'index-error',
          `${url} answered HTTP ${err.status}${err.detail ? `: ${err.detail}` : ''}`,
          'the index is failing; try again later or use another index with -i',
          err,
        );
      case 'network':
        throw new InstallError(
          'index-unreachable',
          `cannot reach ${url}: ${networkReason(err)}`,
          'check the index URL (-i) and that the server is running and reachable',
          err,
        );
    }
  }
}
