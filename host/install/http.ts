/**
 * HTTP GET with the errors an installer needs: a 404 is an answer, not an
 * error; everything else that is not 200 is, and so is an unreachable host.
 * Node's fetch keeps connections alive and reuses them across requests.
 */
import { InstallError, networkReason, throwIfCancelled } from './errors.js';

/** Options of {@link httpGet}. */
export interface GetOptions {
  /** Abort after this many milliseconds. Default 60000. */
  timeoutMs?: number;
  /** Refuse bodies larger than this. Default 64 MiB. */
  maxBytes?: number;
  /** Called as body bytes arrive. Default none. */
  onBytes?: (n: number) => void;
  /** Abandons the request when aborted (InstallError `cancelled`). Default none. */
  signal?: AbortSignal;
}

/** A 200 answer, or `undefined` for 404/410. */
export interface GetResult {
  /** The final URL, after redirects. */
  url: string;
  body: Buffer;
}

/**
 * GETs `url`. Resolves `undefined` on 404 or 410.
 * @throws InstallError `index-unreachable` (network) or `index-error` (other statuses, oversize)
 */
export async function httpGet(url: string, options: GetOptions = {}): Promise<GetResult | undefined> {
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  let res: Response;
  try {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 60_000);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    res = await fetch(url, { signal, headers: { accept: 'application/json, */*' } });
  } catch (err) {
    throwIfCancelled(options.signal);
    throw new InstallError('index-unreachable', `cannot reach ${url}: ${networkReason(err)}`, 'check the index URL (-i) and that the server is running and reachable', err);
  }
  if (res.status === 404 || res.status === 410) {
    await res.body?.cancel();
    return undefined;
  }
  if (res.status !== 200) {
    const detail = (await res.text().catch(() => '')).slice(0, 200).trim();
    throw new InstallError('index-error', `${url} answered HTTP ${res.status}${detail ? `: ${detail}` : ''}`, 'the index is failing; try again later or use another index with -i');
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new InstallError('index-error', `${url} is ${declared} bytes, over the ${maxBytes}-byte limit`, 'this is not a MicroPython package; check the index');
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    const reader = res.body?.getReader();
    for (let r = await reader?.read(); r && !r.done; r = await reader!.read()) {
      const chunk = r.value;
      total += chunk.length;
      if (total > maxBytes) {
        await reader!.cancel();
        throw new InstallError('index-error', `${url} sends more than ${maxBytes} bytes`, 'this is not a MicroPython package; check the index');
      }
      chunks.push(Buffer.from(chunk));
      options.onBytes?.(chunk.length);
    }
  } catch (err) {
    if (err instanceof InstallError) throw err;
    throwIfCancelled(options.signal);
    throw new InstallError('download-failed', `download of ${url} broke off: ${networkReason(err)}`, 'try again; if it persists, the server or network is at fault', err);
  }
  return { url: res.url || url, body: Buffer.concat(chunks, total) };
}
