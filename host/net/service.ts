/**
 * The network service: owns every program socket and runs node:net,
 * node:tls and node:dns on the event loop of the thread it runs in,
 * answering the interpreter thread through the shared buffer (see
 * ./protocol.ts). It runs in a network worker (./worker.ts), or, for the
 * `mpy` command, on the command's main thread, which is idle while the
 * program runs (a thread started after the command changed V8's flags costs
 * ~100 ms more to start: see host/cli/program-worker-entry.ts).
 *
 * @module
 */
import type { Connection, ConnectionContext } from './connection.js';
import { ERR } from './errno.js';
import { IndexMapping } from './index-mapping.js';
import { parseSockaddr, resolveHost, splitHostPort } from './lookup.js';
import { lookupText } from './lookup-answer.js';
import { NetPolicy } from './policy.js';
import { DATA_BYTES, HEADER_BYTES, Slot, STATE_DONE, STATE_WAITING, type NetRequest, type ServiceInit } from './protocol.js';
import { Readiness } from './readiness.js';
import { Sockets } from './sockets.js';

/** Where the requests come from: the worker's `parentPort`, or a `MessagePort` from the interpreter thread. */
export interface NetRequestSource {
  on(event: 'message', listener: (request: NetRequest) => void): unknown;
}

/** A running network service. */
export interface NetService {
  /** Answers the call the interpreter waits for, if any, with EIO and `e` as the reason. */
  failWaitingCall(e: unknown): void;
  /** Closes every socket and answers nothing more (the interpreter's bridge has let this service go). */
  closeAll(): void;
}

/** A stream operation on a listener or a UDP socket. */
class WrongKind extends Error {}

/** Serves the requests `source` delivers for the interpreter `init` describes. */
export function serveNetwork(source: NetRequestSource, init: ServiceInit): NetService {
  const { shared, config, wake } = init;
  const wakeWord = wake === undefined ? undefined : new Int32Array(wake);
  const header = new Int32Array(shared, 0, HEADER_BYTES / 4);
  const data = Buffer.from(shared, HEADER_BYTES, DATA_BYTES);

  const names = new Map<string, string>();
  const readiness = new Readiness();
  const ctx: ConnectionContext = {
    policy: new NetPolicy(config.allow),
    mapping: config.indexUrl === null ? undefined : new IndexMapping(config.indexUrl),
    timeoutMs: config.connectTimeoutMs,
    maxRedirects: config.maxRedirects,
    names,
    dnsServers: config.dnsServers,
    proxy: config.proxy,
    changed: () => readiness.changed(),
  };
  const sockets = new Sockets(ctx, readiness, new NetPolicy(config.listen));

  /** Set once the bridge let this service go: a late answer must not land in a newer service's call. */
  let closed = false;

  function reply(seq: number, result: number, bytes?: Uint8Array): void {
    if (closed) return;
    let length = 0;
    if (bytes !== undefined) {
      length = Math.min(bytes.length, DATA_BYTES);
      data.set(bytes.subarray(0, length));
    }
    header[Slot.Result] = result;
    header[Slot.Length] = length;
    header[Slot.Seq] = seq;
    Atomics.store(header, Slot.State, STATE_DONE);
    Atomics.notify(header, Slot.State);
    if (wakeWord !== undefined) {
      Atomics.add(wakeWord, 0, 1);
      Atomics.notify(wakeWord, 0);
    }
  }

  function connection(id: number): Connection {
    const c = sockets.connection(id);
    if (c === undefined) throw new WrongKind();
    return c;
  }

  /** Lookup reply: lines of `family port hex-sockaddr`, as text. */
  async function lookupReply(host: string, port: number, family: number): Promise<[number, Buffer?]> {
    const [name, realPort] = splitHostPort(host, port, ctx.mapping);
    const found = await resolveHost(name, family, { mapping: ctx.mapping, policy: ctx.policy, names, dnsServers: ctx.dnsServers });
    if (typeof found === 'number') return [found];
    const bytes = Buffer.from(lookupText(found, realPort), 'latin1');
    return [bytes.length, bytes];
  }

  async function dispatch(req: NetRequest): Promise<[number, Buffer?]> {
    switch (req.op) {
      case 'lookup':
        return lookupReply(req.host, req.port, req.family);
      case 'connect': {
        let host = req.host;
        let port = req.port;
        if (port < 0) {
          const addr = parseSockaddr(Buffer.from(host, 'hex'));
          if (addr === undefined) return [ERR.EAFNOSUPPORT];
          ({ address: host, port } = addr);
        }
        return [await connection(req.id).connect(host, port, req.timeoutMs)];
      }
      case 'wrap':
        return [await connection(req.id).wrap(req.servername, req.verify, req.timeoutMs)];
      case 'send':
        // Copied out before the reply lets the interpreter reuse the buffer.
        return [await connection(req.id).send(Buffer.from(data.subarray(0, req.length)), req.timeoutMs)];
      case 'recv': {
        const got = await connection(req.id).recv(Math.min(req.max, DATA_BYTES), req.timeoutMs);
        return typeof got === 'number' ? [got] : [got.length, got];
      }
      case 'poll':
        return [sockets.poll(req.id)];
      case 'shutdown':
        sockets.connection(req.id)?.shutdown();
        return [0];
      case 'close':
        sockets.close(req.id);
        return [0];
      case 'bind':
        return [await sockets.bind(req.id, req.kind, req.host, req.port, req.family)];
      case 'listen':
        return [sockets.listen(req.id)];
      case 'accept':
        return sockets.accept(req.id, req.newId, req.timeoutMs);
      case 'name':
        return sockets.name(req.id, req.peer);
      case 'sendto':
        return [await sockets.sendto(req.id, Buffer.from(data.subarray(0, req.length)), req.host, req.port, req.family)];
      case 'recvfrom':
        return sockets.recvfrom(req.id, req.max, req.timeoutMs);
      case 'pollmany':
        return sockets.pollMany(req.ids, req.events, req.timeoutMs);
      case 'cancel':
        sockets.cancel(req.id);
        return [0];
    }
  }

  /** A failure with the reason as reply text (Python shows it in the OSError). */
  function replyFailure(seq: number, e: unknown): void {
    const why = `the network worker failed: ${e instanceof Error ? e.message : String(e)}`;
    reply(seq, ERR.EIO, Buffer.from(why, 'utf8'));
  }

  source.on('message', (req: NetRequest) => {
    dispatch(req).then(
      ([result, bytes]) => {
        if (req.seq !== 0) reply(req.seq, result, bytes);
      },
      (e: unknown) => {
        if (req.seq === 0) return;
        if (e instanceof WrongKind) reply(req.seq, ERR.ENOTCONN);
        else replyFailure(req.seq, e);
      },
    );
  });

  return {
    failWaitingCall(e) {
      const asked = Atomics.load(header, Slot.Asked);
      if (Atomics.load(header, Slot.State) === STATE_WAITING && header[Slot.Seq] !== asked) replyFailure(asked, e);
    },
    closeAll() {
      closed = true;
      sockets.closeAll();
    },
  };
}
