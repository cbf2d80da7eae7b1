/**
 * The main side of trusted JS modules (`registerJsModule`, instances created
 * with `js: true`): the functions stay on this thread and Python calls them
 * over a port. A call from Python blocks the interpreter's thread until the
 * function returns; a function returning a promise answers at once with a
 * token that Python awaits (a coroutine), and the settlement follows on the
 * port when it comes. Arguments and results are copied by the codec.
 *
 * @module
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { decodeValue, encodeValue } from './codec.js';

/** What the worker needs to call in (part of its `workerData`). */
export interface JsCallsInit {
  readonly port: MessagePort;
  /** One Int32, bumped and notified after every message to the worker. */
  readonly signal: SharedArrayBuffer;
}

/** A call from Python. */
export interface JsCallMessage {
  readonly seq: number;
  readonly module: string;
  readonly member: string;
  /** The arguments as tagged JSON text (a list). */
  readonly args: string;
}

/** An answer to the worker: to call `seq`, or the settlement of promise `settled`. Both carry JSON text `{"ok": V}`, `{"promise": N}` or `{"error": TEXT}`. */
export type JsReplyMessage = { readonly seq: number; readonly reply: string } | { readonly settled: number; readonly reply: string };

/** What the worker builds a registered module from. */
export interface JsModuleShape {
  readonly functions: string[];
  /** The other members as tagged JSON text (an object). */
  readonly values: string;
}

interface Registered {
  readonly object: object;
  readonly functions: Map<string, (...args: unknown[]) => unknown>;
}

function errorText(e: unknown): string {
  return JSON.stringify({ error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
}

function okText(value: unknown): string {
  try {
    return `{"ok":${encodeValue(value === undefined ? null : value, 'the result')}}`;
  } catch (e) {
    return errorText(e);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

/** The registered modules of one instance and the port their calls come in on. */
export class JsModuleHost {
  readonly #port: MessagePort;
  readonly #signal: Int32Array;
  readonly #modules = new Map<string, Registered>();
  readonly #worker: JsCallsInit;
  #nextPromise = 0;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    this.#port = port1;
    this.#signal = new Int32Array(signal);
    this.#worker = { port: port2, signal };
    port1.on('message', (m: JsCallMessage) => this.#onCall(m));
    port1.unref();
  }

  /** The worker's end (transfer its port). */
  get workerSide(): JsCallsInit {
    return this.#worker;
  }

  /**
   * Keeps `object`'s functions for calls from Python and returns the shape of
   * the module Python gets: its own enumerable functions, and its other own
   * enumerable members copied as values.
   * @throws TypeError for a member the codec cannot copy
   */
  register(name: string, object: object): JsModuleShape {
    if ((typeof object !== 'object' && typeof object !== 'function') || object === null) {
      throw new TypeError(`registerJsModule: the module ${name} must be an object of functions and values`);
    }
    const functions = new Map<string, (...args: unknown[]) => unknown>();
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(object)) {
      if (typeof value === 'function') functions.set(key, value as (...args: unknown[]) => unknown);
      else values[key] = value;
    }
    const encoded = encodeValue(values, name);
    this.#modules.set(name, { object, functions });
    return { functions: [...functions.keys()], values: encoded };
  }

  /** Stops answering. */
  close(): void {
    this.#port.close();
  }

  #post(message: JsReplyMessage): void {
    this.#port.postMessage(message);
    Atomics.add(this.#signal, 0, 1);
    Atomics.notify(this.#signal, 0);
  }

  /**
   * `_mpy_jscall` for an interpreter in this very thread (`thread:
   * 'current'`): a call runs the function at once. A function that returns a
   * promise raises JsError in Python: the promise could only settle once this
   * thread's event loop runs again, after the Python call has ended.
   */
  inThreadCallModule(): Record<string, (...args: never[]) => unknown> {
    const noPromises = JSON.stringify({ error: 'no JS promise can settle while Python runs in the calling thread (thread: current)' });
    return {
      call: (module: string, member: string, args: string): string => {
        try {
          const result = this.#invoke(String(module), String(member), String(args));
          if (!isThenable(result)) return okText(result);
          return errorText(
            new TypeError(
              `${module}.${member} returned a promise, which cannot settle while Python runs in the calling thread; ` +
                "create the instance without thread: 'current' to await JS promises",
            ),
          );
        } catch (e) {
          return errorText(e);
        }
      },
      poll: (): string => noPromises,
      wait: (): string => noPromises,
    };
  }

  /** Calls a registered function with the tagged-JSON arguments. */
  #invoke(moduleName: string, member: string, args: string): unknown {
    const module = this.#modules.get(moduleName);
    const fn = module?.functions.get(member);
    if (!module || !fn) throw new TypeError(`${moduleName}.${member} is not a registered JS function`);
    return fn.apply(module.object, decodeValue(args) as unknown[]);
  }

  #onCall(m: JsCallMessage): void {
    let reply: string;
    try {
      const result = this.#invoke(m.module, m.member, m.args);
      if (isThenable(result)) {
        const token = ++this.#nextPromise;
        reply = `{"promise":${token}}`;
        Promise.resolve(result).then(
          (value) => this.#post({ settled: token, reply: okText(value) }),
          (e: unknown) => this.#post({ settled: token, reply: errorText(e) }),
        );
      } else {
        reply = okText(result);
      }
    } catch (e) {
      reply = errorText(e);
    }
    this.#post({ seq: m.seq, reply });
  }
}
