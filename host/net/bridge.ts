/**
 * The interpreter side of the network bridge: starts the network service on
 * first use, or earlier when told ({@link NetBridge.prestart}): by default
 * in a network worker (unref'd: it never keeps the process alive), or where
 * a {@link NetServiceStarter} puts it; posts requests to it and blocks in
 * `Atomics.wait` until the reply is in the shared buffer (see ./protocol.ts).
 *
 * Never silent about the worker itself: when it cannot be started, cannot
 * load, stops, or does not answer, the call fails with EIO (ETIMEDOUT for no
 * answer) and {@link BridgeReply.why} says what happened; Python shows it
 * in the `OSError`.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { compiledFile } from '../../base/package-files.js';
import { ERR, type NetError, type NetResult } from './errno.js';
import { DEFAULT_TIMEOUT_MS, type NetOptions, validateNetOptions, workerConfig } from './options.js';
import {
  DATA_BYTES,
  HEADER_BYTES,
  type NetRequest,
  type ServiceInit,
  SHARED_BYTES,
  Slot,
  STATE_DONE,
  STATE_WAITING,
  type WorkerConfig,
} from './protocol.js';
import { type BootData, WORKER_BOOT_SOURCE } from './worker-boot.js';
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
  /** A count, 0, or a failure (./errno.ts). */
  readonly result: NetResult;
  readonly data: Uint8Array;
  /** For a failure, why, when the host knows more than the number (the worker failed). */
  readonly why?: string;
}

/** What a caller of the bridge needs to make calls (and what a tracer wraps, ./trace.ts). */
export interface BridgeCalls {
  /** See {@link NetBridge.call}. */
  call(request: BridgeRequest, limitMs: number): BridgeReply;
  /** See {@link NetBridge.post}. */
  post(request: BridgeRequest): void;
}

/** The interpreter's end of a running network service. */
export interface NetServiceEndpoint {
  /** Delivers a request to the service. */
  postMessage(request: NetRequest): void;
  /** Lets the service go: it closes every socket. */
  close(): void;
}

/**
 * Starts a network service for `init` somewhere other than a worker of its
 * own (the `mpy` command: its main thread). It must serve the requests it
 * is given with `serveNetwork` (./service.ts) and close the sockets on `close`.
 */
export type NetServiceStarter = (init: ServiceInit) => NetServiceEndpoint;

/** The compiled network worker (its service module; ./worker-boot.ts loads it). */
function workerFile(): string {
  return compiledFile('host/net/worker.js');
}

/** Counters for benchmarks and tests. */
export interface BridgeStats {
  /** Blocking calls made to the worker. */
  crossings: number;
  /** Of those, `recv` calls. */
  recvCrossings: number;
  /** Bytes received through `recv`. */
  bytesIn: number;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The bridge of one interpreter (see the module doc). */
export class NetBridge implements BridgeCalls {
  readonly #config: WorkerConfig;
  readonly #timeoutMs: number;
  readonly #entry: string | undefined;
  readonly #startService: NetServiceStarter | undefined;
  readonly #shared = new SharedArrayBuffer(SHARED_BYTES);
  readonly #header = new Int32Array(this.#shared, 0, HEADER_BYTES / 4);
  readonly #data = new Uint8Array(this.#shared, HEADER_BYTES, DATA_BYTES);
  #service: NetServiceEndpoint | undefined;
  #seq = 0;
  #nextId = 1;
  #generation = 0;
  readonly #stats: BridgeStats = { crossings: 0, recvCrossings: 0, bytesIn: 0 };
  readonly #waits: HostWaits | undefined;

  /**
   * @param options see {@link NetOptions}
   * @param waits the interpreter's interruptible waits: a blocking `recv`
   *   then ends with -EINTR when a KeyboardInterrupt is pending
   * @param workerEntry the file URL of the worker's service module; default
   *   the package's own (another one is for tests of a failing worker)
   * @param startService runs the service elsewhere than in a worker of its own
   * @throws TypeError for a bad allow-list, listen-list, index URL, DNS server or proxy
   */
  constructor(options: NetOptions = {}, waits?: HostWaits, workerEntry?: string, startService?: NetServiceStarter) {
    validateNetOptions(options);
    this.#waits = waits;
    this.#config = workerConfig(options);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#entry = workerEntry;
    this.#startService = startService;
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
   * worker that cannot start or stops fails the call with EIO; one that does
   * not answer within the operation's limit plus a grace period is ended
   * (its sockets are lost) and the call fails with ETIMEDOUT; either way
   * {@link BridgeReply.why} says so.
   * @param limitMs the longest the operation may take
   */
  call(request: BridgeRequest, limitMs: number): BridgeReply {
    this.#stats.crossings++;
    if (request.op === 'recv') this.#stats.recvCrossings++;
    // A worker that stopped since the last call is replaced (its sockets are gone).
    if (Atomics.load(this.#header, Slot.Gone) !== 0) this.#restart();
    this.#seq = (this.#seq % 0x7fffffff) + 1;
    const seq = this.#seq;
    // Set before the worker exists: its boot code answers `Asked` if it fails to load.
    Atomics.store(this.#header, Slot.State, STATE_WAITING);
    Atomics.store(this.#header, Slot.Asked, seq);
    let service: NetServiceEndpoint;
    try {
      service = this.#ensureService();
    } catch (e) {
      Atomics.store(this.#header, Slot.State, STATE_DONE);
      return this.#failed(ERR.EIO, `the network worker could not start: ${messageOf(e)}`);
    }
    service.postMessage({ ...request, seq });
    const limit = Math.max(limitMs + GRACE_MS, MIN_ANSWER_MS);
    const answered = this.#waitForReply(request, limit);
    if (!answered || Atomics.load(this.#header, Slot.Seq) !== seq) {
      this.#restart();
      return this.#failed(
        ERR.ETIMEDOUT,
        `the network worker did not answer within ${Math.round(limit / 1000)} s; it was restarted and its sockets are closed`,
      );
    }
    const result = Atomics.load(this.#header, Slot.Result);
    const data = this.#data.subarray(0, Atomics.load(this.#header, Slot.Length));
    if (result < 0) {
      if (Atomics.load(this.#header, Slot.Gone) !== 0) this.#restart();
      return data.length > 0 ? { result, data: data.subarray(0, 0), why: Buffer.from(data).toString('utf8') } : { result, data };
    }
    if (request.op === 'recv') this.#stats.bytesIn += result;
    return { result, data };
  }

  #failed(result: NetError, why: string): BridgeReply {
    return { result, data: this.#data.subarray(0, 0), why };
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

  /**
   * Starts the worker now, when it is not running, so that its start-up
   * (a thread's, tens of ms) overlaps the interpreter's own work instead of
   * delaying the first socket call. A worker that cannot start is reported
   * by that first call, as without this.
   */
  prestart(): void {
    if (this.#service !== undefined) return;
    try {
      this.#ensureService();
    } catch {
      // The first call tries again and says why it failed.
    }
  }

  /** Sends a request that needs no answer (close). */
  post(request: BridgeRequest): void {
    this.#service?.postMessage({ ...request, seq: 0 });
  }

  /** Ends the worker and every socket. The bridge starts a new worker if used again. */
  close(): void {
    this.#service?.close();
    this.#service = undefined;
  }

  #ensureService(): NetServiceEndpoint {
    if (this.#service) return this.#service;
    const init: ServiceInit = {
      shared: this.#shared,
      config: this.#config,
      wake: this.#waits?.wake.buffer as SharedArrayBuffer | undefined,
    };
    this.#service = this.#startService?.(init) ?? this.#startWorker(init);
    return this.#service;
  }

  #startWorker(service: ServiceInit): NetServiceEndpoint {
    const entry = this.#entry ?? pathToFileURL(workerFile()).href;
    // Loaded here, not at start-up (~2.5 ms): most programs never open a socket.
    const { Worker } = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
    const init: BootData = {
      ...service,
      entry,
      layout: { headerBytes: HEADER_BYTES, slots: Slot, stateWaiting: STATE_WAITING, stateDone: STATE_DONE, failure: ERR.EIO },
      owner: Atomics.add(this.#header, Slot.Owner, 1) + 1,
    };
    const worker = new Worker(WORKER_BOOT_SOURCE, { eval: true, workerData: init });
    worker.unref();
    const endpoint: NetServiceEndpoint = {
      postMessage: (request) => worker.postMessage(request),
      close: () => void worker.terminate(),
    };
    worker.on('error', () => {
      if (this.#service === endpoint) this.#service = undefined;
    });
    return endpoint;
  }

  #restart(): void {
    this.close();
    Atomics.store(this.#header, Slot.Gone, 0);
    this.#generation = (this.#generation + 1) & 0x3ff;
  }
}
