/**
 * `mpy serve`: a package index over HTTP for upip, mip and `mpy install`,
 * from the distribution packages in one directory (PyPI JSON and index v2)
 * and from manifest trees (index v2). JSON documents are built once
 * per catalog and reused; files stream from disk; connections stay open
 * (HTTP/1.1 keep-alive) for clients that want it, and HTTP/1.0 clients
 * such as upip get a body closed by EOF.
 */
import { createHash } from 'node:crypto';
import { constants, lstatSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { ArchiveLimits } from '../archive/index.js';
import { type Catalog, type CatalogFile, fileStamp } from './catalog.js';
import { FileCache } from './file-cache.js';
import { LiveCatalog } from './live-catalog.js';
import { INDEX_PREFIX, route } from './routes.js';
import { LiveV2 } from './v2/live.js';
import type { V2Package } from './v2/model.js';

/** Options of {@link startIndexServer}. */
export interface ServeOptions {
  /** Directory holding the `.tar.gz` distribution packages. Default none (only `trees` are served). */
  dir?: string;
  /** Packages of manifest trees, served in index v2 (see v2/tree-packages.ts). Default none. */
  trees?: readonly V2Package[];
  /** TCP port; 0 picks a free one (see {@link IndexServer.url}). Default 8080. */
  port?: number;
  /** Address to listen on. Default `127.0.0.1`. */
  host?: string;
  /**
   * Server root URL written into file URLs (`<baseUrl>/files/<name>`), for a
   * server behind a proxy. Default: `http://<Host header>` of each request,
   * or the listening address when the header is missing or malformed.
   */
  baseUrl?: string;
  /** Receives one line per request. Default: no logging. */
  log?: (line: string) => void;
  /** Receives a line for each package that cannot be served. Default: no reporting. */
  warn?: (line: string) => void;
  /** Receives each problem of index v2 (a file listed as source, a name left out). Default: `warn`. */
  notice?: (line: string) => void;
  /** Archive limits used to read packages. Default `DEFAULT_LIMITS`. */
  limits?: Partial<ArchiveLimits>;
}

const HOST_HEADER = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** A running index server. */
export class IndexServer {
  #server: Server;
  #live: LiveCatalog | undefined;
  #v2: LiveV2;
  #options: ServeOptions;
  #url = '';
  #files = new FileCache();

  private constructor(server: Server, live: LiveCatalog | undefined, options: ServeOptions) {
    this.#server = server;
    this.#live = live;
    this.#options = options;
    this.#v2 = new LiveV2(options.trees ?? [], (line) => (options.notice ?? options.warn)?.(line));
  }

  /** @internal use {@link startIndexServer} */
  static async start(options: ServeOptions): Promise<IndexServer> {
    const dir = options.dir === undefined ? undefined : resolve(options.dir);
    const warned = new Set<string>();
    const report = (c: Catalog): void => {
      for (const p of c.problems) {
        const line = `${p.filename}: ${p.message}`;
        if (!warned.has(line)) options.warn?.(line);
        warned.add(line);
      }
    };
    const live = dir === undefined ? undefined : await LiveCatalog.open(dir, { limits: options.limits, onScan: report });
    if (live) report(live.current);
    const server = createServer({ keepAlive: true });
    const self = new IndexServer(server, live, { ...options, dir });
    server.on('request', (req, res) => self.#handle(req, res));
    server.keepAliveTimeout = 5000;
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
        server.off('error', fail);
        ok();
      });
    });
    const addr = server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    self.#url = `http://${host}:${addr.port}`;
    // Rendering index v2 compiles every module: do it before the first request.
    await self.#v2.files(live?.current).catch((err: unknown) => {
      void self.close();
      throw err;
    });
    return self;
  }

  /** The server root, e.g. `http://127.0.0.1:8080` (the real port when 0 was asked). */
  get url(): string {
    return this.#url;
  }

  /** The index URL to give upip or `mpy install` with `-i`: `<url>/pypi`. */
  get indexUrl(): string {
    return `${this.#url}${INDEX_PREFIX}`;
  }

  /** The catalog as of the last scan (empty when no package directory is served). */
  get catalog(): Catalog {
    return this.#live?.current ?? { dir: '', projects: new Map(), files: new Map(), problems: [] };
  }

  /** Packages served in index v2, as of the last rendering. */
  async v2Packages(): Promise<number> {
    return (await this.#v2.files(this.#live?.current)).packages;
  }

  /** Stops listening and closes every connection, idle or not. */
  async close(): Promise<void> {
    const closed = new Promise<void>((ok) => this.#server.close(() => ok()));
    this.#server.closeAllConnections();
    await closed;
  }

  #mode(req: IncomingMessage): { absolute: string } {
    if (this.#options.baseUrl) return { absolute: this.#options.baseUrl };
    const host = req.headers.host;
    return { absolute: host && HOST_HEADER.test(host) ? `http://${host}` : this.#url };
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const started = process.hrtime.bigint();
    if (this.#options.log) {
      res.once('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const bytes = res.getHeader('content-length') ?? '-';
        this.#options.log!(
          `${new Date().toISOString()} ${req.socket.remoteAddress ?? '-'} ${req.method} ${req.url} ${res.statusCode} ${bytes} ${ms.toFixed(1)}ms`,
        );
      });
    }
    this.#respond(req, res).catch((err: unknown) => {
      if (!res.headersSent) text(res, 500, `internal error: ${err instanceof Error ? err.message : String(err)}`);
      else res.destroy();
    });
  }

  async #respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return text(res, 405, 'only GET and HEAD');
    }
    const r = route(req.url ?? '/');
    switch (r.kind) {
      case 'forbidden':
        return text(res, 403, `forbidden: ${r.reason}`);
      case 'not-found':
        return text(res, 404, 'not found');
      case 'root': {
        const c = await this.#live?.fresh();
        const base = this.#mode(req).absolute;
        return text(
          res,
          200,
          `mpy package index: ${c?.projects.size ?? 0} projects\nindex URL: ${base}${INDEX_PREFIX}\nmip index (v2): ${base}\n`,
        );
      }
      case 'v2': {
        const { files } = await this.#v2.files(await this.#live?.fresh());
        const body = files.get(r.path);
        if (!body) return text(res, 404, `not in this index: /${r.path}`);
        const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
        res.setHeader('Content-Type', r.path.endsWith('.json') ? 'application/json' : 'application/octet-stream');
        res.setHeader('ETag', etag);
        res.setHeader('Cache-Control', r.path.startsWith('file/') ? 'public, max-age=31536000, immutable' : 'no-cache');
        if (req.headers['if-none-match'] === etag) return void res.writeHead(304).end();
        res.setHeader('Content-Length', body.length);
        return void res.writeHead(200).end(req.method === 'HEAD' ? undefined : body);
      }
      case 'project':
      case 'release': {
        if (!this.#live) return text(res, 404, 'this server has no distribution packages (PyPI JSON); use its index v2');
        await this.#live.fresh();
        const doc = this.#live.document(r.name, r.kind === 'release' ? r.version : undefined, this.#mode(req));
        if (!doc)
          return text(res, 404, r.kind === 'project' ? `no project ${JSON.stringify(r.name)}` : `no release ${r.name} ${r.version}`);
        res.setHeader('Content-Type', 'application/json');
        res.setHeader('ETag', doc.etag);
        res.setHeader('Cache-Control', 'no-cache');
        if (req.headers['if-none-match'] === doc.etag) return void res.writeHead(304).end();
        res.setHeader('Content-Length', doc.body.length);
        return void res.writeHead(200).end(req.method === 'HEAD' ? undefined : doc.body);
      }
      case 'file':
        return this.#sendFile(req, res, r.filename);
    }
  }

  async #sendFile(req: IncomingMessage, res: ServerResponse, filename: string): Promise<void> {
    if (!this.#live) return text(res, 404, `no file ${JSON.stringify(filename)}`);
    let found = this.#current(await this.#live.fresh(), filename);
    if (found === 'stale') {
      this.#live.invalidate();
      found = this.#current(await this.#live.fresh(), filename);
    }
    if (found === undefined || found === 'stale') return text(res, 404, `no file ${JSON.stringify(filename)}`);
    const file = found;
    const etag = `"${file.sha256}"`;
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.setHeader('Content-Length', file.size);
    if (req.headers['if-none-match'] === etag) {
      res.removeHeader('Content-Length');
      return void res.writeHead(304).end();
    }
    if (req.method === 'HEAD') return void res.writeHead(200).end();
    let bytes = this.#files.get(file.filename, file.stamp);
    let handle: FileHandle | undefined;
    if (!bytes) {
      handle = await open(file.path, constants.O_RDONLY | constants.O_NOFOLLOW);
      if (fileStamp(await handle.stat()) !== file.stamp) {
        await handle.close();
        this.#live!.invalidate();
        return text(res, 503, 'the file changed while being served; retry');
      }
      if (this.#files.fits(file.size)) {
        bytes = await handle.readFile().finally(() => handle!.close());
        this.#files.put(file.filename, file.stamp, bytes);
      }
    }
    res.writeHead(200);
    if (bytes) return void res.end(bytes);
    // The stream owns the handle from here (autoClose) and closes it at its end.
    const stream = handle!.createReadStream({ start: 0, end: file.size - 1 });
    stream.once('error', () => res.destroy());
    res.once('close', () => stream.destroy());
    stream.pipe(res);
  }

  /** The catalog entry of a served file, checked (lstat) to still be the file the catalog read. */
  #current(catalog: Catalog, filename: string): CatalogFile | 'stale' | undefined {
    const file = catalog.files.get(filename);
    if (!file) return undefined;
    try {
      const s = lstatSync(file.path);
      return s.isFile() && fileStamp(s) === file.stamp ? file : 'stale';
    } catch {
      return 'stale';
    }
  }
}

function text(res: ServerResponse, status: number, body: string): void {
  const bytes = Buffer.from(body.endsWith('\n') ? body : `${body}\n`);
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': bytes.length });
  res.end(bytes);
}

/**
 * Scans `options.dir` and starts serving it. Resolves once listening.
 * Packages added to the directory later are served from the next request on.
 */
export function startIndexServer(options: ServeOptions): Promise<IndexServer> {
  return IndexServer.start(options);
}
