/**
 * The handle `mp.import(name)` returns: calls into one Python module.
 *
 * @module
 */
import type { PyInput, PyValue } from './codec.js';

/** What a module handle needs from its instance. */
export interface ModuleTarget {
  call(target: string, ...args: PyInput[]): Promise<PyValue>;
  callKw(target: string, args: readonly PyInput[], kwargs: Readonly<Record<string, PyInput>>): Promise<PyValue>;
  get(target: string): Promise<PyValue>;
}

/** An imported Python module of an instance. */
export class PythonModule {
  /** The module's dotted name. */
  readonly name: string;
  readonly #target: ModuleTarget;

  /**
   * @param target the instance
   * @param name the module's dotted name
   */
  constructor(target: ModuleTarget, name: string) {
    this.#target = target;
    this.name = name;
  }

  /** Calls `module.attr(*args)`; `attr` may be dotted (`Class.method`). See `MicroPython.call`. */
  call<T extends PyValue = PyValue>(attr: string, ...args: PyInput[]): Promise<T> {
    return this.#target.call(`${this.name}.${attr}`, ...args) as Promise<T>;
  }

  /** Calls `module.attr(*args, **kwargs)`. See `MicroPython.callKw`. */
  callKw<T extends PyValue = PyValue>(attr: string, args: readonly PyInput[], kwargs: Readonly<Record<string, PyInput>>): Promise<T> {
    return this.#target.callKw(`${this.name}.${attr}`, args, kwargs) as Promise<T>;
  }

  /** The value of `module.attr`, converted to JS. */
  get<T extends PyValue = PyValue>(attr: string): Promise<T> {
    return this.#target.get(`${this.name}.${attr}`) as Promise<T>;
  }
}
