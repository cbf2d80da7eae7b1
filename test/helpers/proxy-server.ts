/**
 * A forward HTTP proxy on 127.0.0.1 for proxy tests: absolute-form requests
 * are forwarded, `CONNECT host:port` opens a tunnel; every request line is
 * recorded, so a test can see what went through it.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/** A running proxy. */
export interface ProxyServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `METHOD TARGET` of each request, in order (`CONNECT 127.0.0.1:443`, `GET http://…`). */
  readonly seen: string[];
  /** The Proxy-Authorization header of each request ('' when absent). */
  readonly auth: string[];
  close(): Promise<void>;
}

/** Starts a proxy. */
export async function proxyServer(): Promise<ProxyServer> {
  const seen: string[] = [];
  const auth: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url}`);
    auth.push(req.headers['proxy-authorization'] ?? '');
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const upstream = request(req.url!, { method: req.method, headers }, (answer) => {
      const forwarded = { ...answer.headers };
      for (const hop of ['transfer-encoding', 'connection', 'keep-alive']) delete forwarded[hop];
      res.writeHead(answer.statusCode ?? 502, forwarded);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end('proxy: upstream failed'));
    req.pipe(upstream);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    auth.push(req.headers['proxy-authorization'] ?? '');
    sockets.add(client);
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(req.url ?? '');
    if (!m) return void client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    const upstream = connect(Number(m[2]), m[1]!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    auth,
    close: () =>
      new Promise((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}
