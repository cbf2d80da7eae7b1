/**
 * The interpreter side of the network bridge: starts the network worker on
 * first use (unref'd: it never keeps the process alive), posts requests to
 * it and blocks in `Atomics.wait` until the reply is in the shared buffer
 * (see ./protocol.ts).
 *
 * @module
 */
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
import { compiledFile } from '../../base/package-files.js';
import { Errno } from './errno.js';
import { IndexMapping } from './index-mapping.js';
import { NetPolicy } from './policy.js';
import { checkProxySettings } from './proxy.js';
import { DEFAULT_TIMEOUT_MS, type NetOptions, workerConfig } from './options.js';
import { DATA_BYTES, HEADER_BYTES, type NetRequest, SHARED_BYTES, Slot, STATE_WAITING, type WorkerConfig, type WorkerInit } from './protocol.js';
import type { HostWaits } from '../../runtime/interrupt.js';

/** Extra wait beyond an operation's own limit before the worker is deemed stuck. */
const GRACE_MS = 5_000;
/**
 * The least time a worker gets to answer before it is deemed stuck: a
 * non-blocking operation answers at once, but a worker starved of CPU on a
 * loaded machine must not be ended (with every socket) for being slow.
 */
const MIN_ANSWER_MS = 30_000;

/** Operations that wait for the network and end early, with EINTR, for a KeyboardInterrupt. */
const CANCELLABLE: ReadonlySet<string> = new Set(['recv', 'accept', 'recvfrom', 'pollmany']);

type Unsequenced<T> = T extends unknown ? Omit<T, 'seq'> : never;
/** A request as the caller writes it (the bridge numbers it). */
export type BridgeRequest = Unsequenced<NetRequest>;

/** A reply: the result and a view of the reply data (valid until the next call). */
export interface BridgeReply {
  readonly result: number;
  readonly data: Uint8Array;
}

/** The compiled network worker. */
export function workerFile(): string {
  return compiledFile('host/net/worker.js');
}

/** @throws TypeError naming the first DNS server that is not `ip` or `ip:port` */
function checkDnsServers(servers: readonly string[]): void {
  const { Resolver } = createRequire(import.meta.url)('node:dns') as typeof import('node:dns');
  for (const server of servers) {
    try {
      new Resolver().setServers([server]);
    } catch {
      throw new TypeError(`DNS server "${server}" is not an IP address or ADDRESS:PORT`);
    }
  }
}

/** Counters for benchmarks and tests. */
export interface BridgeStats {
  /** Blocking calls made to the worker. */
  crossings: number;
  /** Bytes received through `recv`. */
  bytesIn: number;
}

/** The bridge of one interpreter (see the module doc). */
export class NetBridge {
  readonly #config: WorkerConfig;
  readonly #timeoutMs: number;
  readonly #shared = new SharedArrayBuffer(SHARED_BYTES);
  readonly #header = new Int32Array(this.#shared, 0, HEADER_BYTES / 4);
  readonly #data = new Uint8Array(this.#shared, HEADER_BYTES, DATA_BYTES);
  #worker: Worker | undefined;
  #seq = 0;
  #nextId = 1;
  #generation = 0;
  readonly #stats: BridgeStats = { crossings: 0, bytesIn: 0 };
  readonly #waits: HostWaits | undefined;

  /**
   * @param options see {@link NetOptions}
   * @param waits the interpreter's interruptible waits: a blocking `recv`
   *   then ends with -EINTR when a KeyboardInterrupt is pending
   * @throws Error when the CA file cannot be read, TypeError for a bad allow-list or index URL
   */
  constructor(options: NetOptions = {}, waits?: HostWaits) {
    this.#waits = waits;
    this.#config = workerConfig(options);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // Validate here, where the embedder sees the error, not in the worker.
    new NetPolicy(this.#config.allow);
    try {
      new NetPolicy(this.#config.listen);
    } catch (e) {
      throw new TypeError((e as Error).message.replace(/^network allow-list:/, 'network listen-list:'));
    }
    if (this.#config.indexUrl !== null) new IndexMapping(this.#config.indexUrl);
    if (this.#config.dnsServers !== null) checkDnsServers(this.#config.dnsServers);
    checkProxySettings(this.#config.proxy);
  }

  /** The time limit of a blocking operation with no timeout of its own. */
  get defaultTimeoutMs(): number {
    return this.#timeoutMs;
  }

  /** The shared data area: `send` payloads are copied here before {@link call}. */
  get sendBuffer(): Uint8Array {
    return this.#data;
  }

  /** Counters since the bridge started. */
  get stats(): Readonly<BridgeStats> {
    return this.#stats;
  }

  /** A new socket id (no worker needed yet). Ids of a restarted worker's sockets are refused. */
  newSocketId(): number {
    return (this.#generation << 20) | this.#nextId++;
  }

  /** Whether a socket id belongs to the current worker. */
  isCurrent(id: number): boolean {
    return id >>> 20 === this.#generation;
  }

  /**
   * Sends a request and blocks until the worker answers. Never throws: a
   * worker that does not answer within the operation's limit plus a grace
   * period is ended (its sockets are lost) and the call gives -ETIMEDOUT.
   * @param limitMs the longest the operation may take
   */
  call(request: BridgeRequest, limitMs: number): BridgeReply {
    this.#stats.crossings++;
    let worker: Worker;
    try {
      worker = this.#ensureWorker();
    } catch {
      return { result: -Errno.EIO, data: this.#data.subarray(0, 0) };
    }
    const seq = (this.#seq = (this.#seq % 0x7fffffff) + 1);
    Atomics.store(this.#header, Slot.State, STATE_WAITING);
    worker.postMessage({ ...request, seq });
    const answered = this.#waitForReply(request, Math.max(limitMs + GRACE_MS, MIN_ANSWER_MS));
    if (!answered || Atomics.load(this.#header, Slot.Seq) !== seq) {
      this.#restart();
      return { result: -Errno.ETIMEDOUT, data: this.#data.subarray(0, 0) };
    }
    const result = Atomics.load(this.#header, Slot.Result);
    const length = Atomics.load(this.#header, Slot.Length);
    if (request.op === 'recv' && result > 0) this.#stats.bytesIn += result;
    return { result, data: this.#data.subarray(0, length) };
  }

  /**
   * Waits for the reply to the posted request, up to `limitMs`. With
   * interruptible waits, a pending KeyboardInterrupt cancels a `recv` (the
   * worker then answers -EINTR at once, or with data that won the race).
   * @returns false when the limit passed
   */
  #waitForReply(request: BridgeRequest, limitMs: number): boolean {
    const waits = this.#waits;
    if (waits === undefined) return Atomics.wait(this.#header, Slot.State, STATE_WAITING, limitMs) !== 'timed-out';
    const end = Date.now() + limitMs;
    let cancelled = false;
    for (;;) {
      const seen = waits.snapshot();
      if (Atomics.load(this.#header, Slot.State) !== STATE_WAITING) return true;
      if (!cancelled && CANCELLABLE.has(request.op) && waits.pending()) {
        this.post({ op: 'cancel', id: 'id' in request ? request.id : 0 });
        cancelled = true;
      }
      const left = end - Date.now();
      if (left <= 0) return false;
      waits.waitFrom(seen, left);
    }
  }

  /** Sends a request that needs no answer (close). */
  post(request: BridgeRequest): void {
    this.#worker?.postMessage({ ...request, seq: 0 });
  }

  /** Ends the worker and every socket. The bridge starts a new worker if used again. */
  close(): void {
    void this.#worker?.terminate();
    this.#worker = undefined;
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const file = workerFile();
    // Loaded here, not at start-up (~2.5 ms): most programs never open a socket.
    const { Worker } = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
    const init: WorkerInit = { shared: this.#shared, config: this.#config, wake: this.#waits?.wake.buffer as SharedArrayBuffer | undefined };
    const worker = new Worker(file, { workerData: init });
    worker.unref();
    worker.on('error', () => {
      if (this.#worker === worker) this.#worker = undefined;
    });
    this.#worker = worker;
    return worker;
  }

  #restart(): void {
    this.close();
    this.#generation = (this.#generation + 1) & 0x3ff;
  }
}
