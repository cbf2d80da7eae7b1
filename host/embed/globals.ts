/**
 * `mp.globals`: the variables of an instance's `__main__`, read and written
 * with the value table of `eval` and `call`.
 *
 * @module
 */
import { encodeValue, type PyInput, type PyValue } from './codec.js';
import type { GlobalsRequest } from './protocol.js';

/** Sends one globals request in the instance's call order; `op` names it in errors. */
export type GlobalsSender = (op: string, req: GlobalsRequest) => Promise<unknown>;

const PYTHON_NAME = /^[\p{L}_][\p{L}\p{N}_]*$/u;

function checkName(name: unknown, method: string): string {
  if (typeof name !== 'string' || !PYTHON_NAME.test(name)) {
    throw new TypeError(`globals.${method}: ${JSON.stringify(name)} is not a Python variable name like 'counter'`);
  }
  return name;
}

/**
 * The global variables of `__main__` (what `exec` and `runFile` see). Calls
 * run in the instance's call order like every other call. Values cross by
 * the value table of `eval`: one that has no JS counterpart rejects with
 * `PythonError` (`TypeError`), an argument with no Python counterpart is a
 * `TypeError` before anything is sent.
 */
export class MicroPythonGlobals {
  readonly #send: GlobalsSender;
  readonly #owner: object | undefined;

  /**
   * @param send the instance's request function
   * @param owner the instance (its `PyHandle`s may be set as values)
   */
  constructor(send: GlobalsSender, owner?: object) {
    this.#send = send;
    this.#owner = owner;
  }

  /** The value of a global variable, or `undefined` when there is none by that name. `T` only types the result. */
  async get<T extends PyValue = PyValue>(name: string): Promise<T | undefined> {
    const found = (await this.#send('globals.get', { op: 'globals', action: 'get', name: checkName(name, 'get') })) as [boolean, T?];
    return found[0] ? found[1] : undefined;
  }

  /** Sets a global variable to a JS value converted to Python. */
  async set(name: string, value: PyInput): Promise<void> {
    const checked = checkName(name, 'set');
    await this.#send('globals.set', {
      op: 'globals',
      action: 'set',
      name: checked,
      value: encodeValue(value, `globals.set('${checked}')`, this.#owner),
    });
  }

  /** Whether a global variable of that name exists. */
  async has(name: string): Promise<boolean> {
    return (await this.#send('globals.has', { op: 'globals', action: 'has', name: checkName(name, 'has') })) as boolean;
  }

  /**
   * Deletes a global variable, as `del name` does.
   * @throws PythonError `NameError` when there is none by that name
   */
  async delete(name: string): Promise<void> {
    await this.#send('globals.delete', { op: 'globals', action: 'delete', name: checkName(name, 'delete') });
  }
}
