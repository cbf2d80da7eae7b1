/**
 * A hand-written index server for installer tests: it serves whatever JSON
 * and bytes a test gives it (hostile archives, wrong digests, errors), which
 * `mpy serve` by design refuses to do.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One release the fake index offers. */
export interface FakeRelease {
  name: string;
  version: string;
  bytes: Uint8Array;
  /** Digest to advertise; default the true one; `null` for none. */
  sha256?: string | null;
}

/** A running fake index. */
export interface FakeIndex {
  /** Index URL (`.../pypi`). */
  index: string;
  /** Paths requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Starts a fake index on 127.0.0.1. `respond` may take over any request
 * (return true when it answered).
 */
export async function fakeIndex(
  releases: FakeRelease[],
  respond?: (path: string, res: import('node:http').ServerResponse) => boolean,
): Promise<FakeIndex> {
  const requests: string[] = [];
  let base = '';
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    if (respond?.(path, res)) return;
    const m = /^\/pypi\/([^/]+)\/json$/.exec(path);
    const f = /^\/files\/(.+)$/.exec(path);
    if (m) {
      const mine = releases.filter((r) => r.name === decodeURIComponent(m[1]!));
      if (!mine.length) return void res.writeHead(404).end('no');
      const entry = (r: FakeRelease) => [
        {
          url: `${base}/files/${r.name}-${r.version}.tar.gz`,
          filename: `${r.name}-${r.version}.tar.gz`,
          packagetype: 'sdist',
          ...(r.sha256 === null ? {} : { digests: { sha256: r.sha256 ?? createHash('sha256').update(r.bytes).digest('hex') } }),
        },
      ];
      const body = {
        info: { name: mine[0]!.name, version: mine.at(-1)!.version },
        releases: Object.fromEntries(mine.map((r) => [r.version, entry(r)])),
      };
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    }
    const r = f && releases.find((x) => `${x.name}-${x.version}.tar.gz` === decodeURIComponent(f[1]!));
    if (r) return void res.writeHead(200, { 'content-length': r.bytes.length }).end(Buffer.from(r.bytes));
    res.writeHead(404).end('no');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    index: `${base}/pypi`,
    requests,
    close: () =>
      new Promise((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

/** A URL of a port nothing listens on (bound, then released). */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((ok) => server.close(() => ok()));
  return `http://127.0.0.1:${port}/pypi`;
}
