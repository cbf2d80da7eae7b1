/**
 * `PyHandle`: a Python object the codec cannot copy (a class instance, a
 * function, a generator ...), kept alive in the instance's worker and used
 * from JS by reference. `eval`, `call` and `get` give one with
 * `{ handle: true }`.
 *
 * @module
 */
import { encodeValue, handleStates, type HandleState, type PyInput, type PyValue } from './codec.js';
import { MicroPythonDisposedError } from './errors.js';
import type { HandleRequest } from './protocol.js';

/** Sends a handle request on its instance's queue; resolves to the reply's value. */
export type HandleSend = (op: string, req: HandleRequest, signal?: AbortSignal) => Promise<unknown>;

/** Options of the handle methods that run Python. */
export interface HandleCallOptions {
  /** Interrupts the call when aborted (see `CallOptions.signal` of `MicroPython`). */
  readonly signal?: AbortSignal;
}

const ATTRIBUTE = /^[\p{L}_][\p{L}\p{N}_]*$/u;

/**
 * Turns the value of a request sent with `handle: true` into what the caller
 * gets: the plain value, or a new handle of `owner`.
 */
export function unwrapHandleReply(reply: unknown, owner: object, send: HandleSend): PyValue | PyHandle {
  const { value, handle } = reply as { value?: PyValue; handle?: [number, string] };
  if (handle === undefined) return value ?? null;
  return new PyHandle({ id: handle[0], owner, released: false, label: `PyHandle(${handle[1]})` }, handle[1], send);
}

/**
 * A reference to a Python object that lives in a MicroPython instance. The
 * object stays alive (Python's garbage collector sees it as used) until
 * {@link release} or the instance's `dispose()`; a handle used after either
 * rejects, saying which. Calls go through the instance's queue like every
 * other call. Results are plain values when the codec can copy them, else
 * new handles.
 */
export class PyHandle implements AsyncDisposable {
  readonly #state: HandleState;
  readonly #send: HandleSend;
  /** The name of the object's Python type, e.g. `'Point'`, `'function'`, `'generator'`. */
  readonly type: string;

  /** Made by the instance; see {@link unwrapHandleReply}. */
  constructor(state: HandleState, type: string, send: HandleSend) {
    this.#state = state;
    this.#send = send;
    this.type = type;
    handleStates.set(this, state);
  }

  /** Whether {@link release} was called. */
  get released(): boolean {
    return this.#state.released;
  }

  /** Calls the object with JS arguments (a `PyHandle` of the same instance passes its object). */
  call(...args: PyInput[]): Promise<PyValue | PyHandle> {
    return this.callKw(args, {});
  }

  /** Calls the object with positional and keyword arguments. */
  async callKw(
    args: readonly PyInput[],
    kwargs: Readonly<Record<string, PyInput>>,
    options?: HandleCallOptions,
  ): Promise<PyValue | PyHandle> {
    const { id, owner } = this.#live('call');
    const req = {
      op: 'handle.call',
      ref: id,
      args: encodeValue(args, 'args', owner),
      kwargs: encodeValue(kwargs, 'kwargs', owner),
      handle: true,
    } as const;
    return this.#unwrap(await this.#run('call', req, options?.signal));
  }

  /** The attribute `attr` of the object: a plain value, or a new handle. */
  async get(attr: string, options?: HandleCallOptions): Promise<PyValue | PyHandle> {
    if (typeof attr !== 'string' || !ATTRIBUTE.test(attr)) {
      throw new TypeError(`${this.#state.label}.get: ${JSON.stringify(attr)} is not a Python attribute name`);
    }
    const { id } = this.#live('get');
    return this.#unwrap(await this.#run('get', { op: 'handle.get', ref: id, attr, handle: true }, options?.signal));
  }

  /** `repr()` of the object. */
  async repr(options?: HandleCallOptions): Promise<string> {
    const { id } = this.#live('repr');
    return (await this.#run('repr', { op: 'handle.repr', ref: id }, options?.signal)) as string;
  }

  /**
   * Lets Python collect the object (once nothing else refers to it). Further
   * use of this handle is an error. Idempotent; resolves at once when the
   * instance is gone (its objects went with it).
   */
  async release(): Promise<void> {
    if (this.#state.released) return;
    this.#state.released = true;
    try {
      await this.#send(`${this.#state.label}.release`, { op: 'handle.release', ref: this.#state.id });
    } catch (e) {
      if (!(e instanceof MicroPythonDisposedError)) throw e;
    }
  }

  /** Same as {@link release}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }

  #live(method: string): HandleState {
    if (this.#state.released) {
      throw new ReferenceError(`${this.#state.label}.${method}: this handle was released; get a new one (eval(..., { handle: true }))`);
    }
    return this.#state;
  }

  async #run(method: string, req: HandleRequest, signal: AbortSignal | undefined): Promise<unknown> {
    const op = `${this.#state.label}.${method}`;
    try {
      return await this.#send(op, req, signal);
    } catch (e) {
      if (!(e instanceof MicroPythonDisposedError) || e.message.startsWith(op)) throw e;
      throw new MicroPythonDisposedError(`${op}: ${e.message}; its Python objects are gone with it`, { cause: e.cause });
    }
  }

  #unwrap(reply: unknown): PyValue | PyHandle {
    return unwrapHandleReply(reply, this.#state.owner, this.#send);
  }
}
