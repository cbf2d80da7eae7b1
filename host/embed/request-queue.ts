/**
 * The requests of one instance waiting for their turn, shared by both
 * transports (channel.ts, in-thread.ts): each call becomes a job with an
 * id, queued in call order; an abort signal drops a job still queued, or
 * lets the transport interrupt the one running.
 *
 * @module
 */
import type { Request } from './protocol.js';
import { abortReason, type JobResult, type SendOptions } from './transport.js';

/** One call of an instance, from the moment it is made until it settles. */
export interface Job {
  readonly id: number;
  readonly op: string;
  /** What the interpreter does; absent for a job done on the caller's side ({@link RequestQueue.addLocal}). */
  readonly req?: Request;
  readonly local?: () => void;
  readonly record: boolean;
  readonly signal: AbortSignal | undefined;
  resolve(result: JobResult): void;
  reject(error: Error): void;
  /** Removes the job's abort listener. */
  unlisten?: () => void;
}

/** Jobs in call order, with their ids and abort listeners. */
export class RequestQueue<J extends Job = Job> {
  readonly #jobs: J[] = [];
  #nextId = 1;
  /** Called when a job's signal aborts (the transport drops it or interrupts it); then its turn may come. */
  readonly #onAbort: (job: J) => void;
  /** Called after each job is queued: starts it when it is its turn. */
  readonly #pump: () => void;

  constructor(onAbort: (job: J) => void, pump: () => void) {
    this.#onAbort = onAbort;
    this.#pump = pump;
  }

  /** Queues a request; settles with its result. */
  add(op: string, req: Request, options: SendOptions = {}): Promise<JobResult> {
    const { signal, record = false } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<JobResult>((resolve, reject) => {
      // J only adds optional fields a transport sets later.
      const job: Job = { id: this.#nextId++, op, req, record, signal, resolve, reject };
      const queued = job as J;
      if (signal) {
        const onAbort = (): void => this.#onAbort(queued);
        signal.addEventListener('abort', onAbort, { once: true });
        job.unlisten = () => signal.removeEventListener('abort', onAbort);
      }
      this.#jobs.push(queued);
      this.#pump();
    });
  }

  /** Queues `action`, run on the caller's side when its turn comes. */
  addLocal(op: string, action: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const job: Job = { id: this.#nextId++, op, local: action, record: false, signal: undefined, resolve: () => resolve(), reject };
      this.#jobs.push(job as J);
      this.#pump();
    });
  }

  /** How many jobs wait. */
  get size(): number {
    return this.#jobs.length;
  }

  /** The next job, taken off the queue. */
  next(): J | undefined {
    return this.#jobs.shift();
  }

  /** Drops a queued job whose signal aborted (rejecting it with the signal's reason); false when it is not queued. */
  dropAborted(job: J): boolean {
    const at = this.#jobs.indexOf(job);
    if (at < 0) return false;
    this.#jobs.splice(at, 1);
    job.unlisten?.();
    job.reject(abortReason(job.signal!));
    return true;
  }

  /** Rejects every queued job with the error `why` makes for it, emptying the queue. */
  rejectAll(why: (job: J) => Error): void {
    for (const job of this.#jobs.splice(0)) {
      job.unlisten?.();
      job.reject(why(job));
    }
  }

  /** Runs a job made by {@link addLocal}, settling it with what its action did. */
  static runLocal(job: Job, action: () => void): void {
    try {
      action();
      job.resolve({ value: undefined, output: undefined });
    } catch (e) {
      job.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }
}
