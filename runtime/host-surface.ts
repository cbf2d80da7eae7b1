/**
 * The shape of every JS object the host hands to Python: nothing Python can
 * walk from it leads to `Function`, `Object`, a prototype or the realm's
 * globals.
 *
 * The glue's JsProxy reads attributes with `base[attr]` (prototype chain
 * included) and calls a function found as an attribute with `f.call(self,
 * ...args)`. So a host module is a frozen null-prototype object holding only
 * primitives and sealed functions; a sealed function is a frozen arrow
 * function (no own `prototype`) whose prototype is {@link SEALED_CALLABLE}, a
 * frozen null-prototype object holding only `call`, itself sealed the same
 * way. `f.constructor`, `f.bind`, `f.__proto__`, `f.prototype` are all absent.
 *
 * @module
 */

/**
 * The prototype of every sealed function: only `call`, with the semantics of
 * `Function.prototype.call` (the glue calls methods through it).
 */
const SEALED_CALLABLE: object = Object.create(null) as object;
const sealedCall = {
  call(this: (...args: unknown[]) => unknown, thisArg: unknown, ...args: unknown[]): unknown {
    return Reflect.apply(this, thisArg, args);
  },
}.call;
Object.setPrototypeOf(sealedCall, SEALED_CALLABLE);
Object.defineProperty(SEALED_CALLABLE, 'call', { value: sealedCall, enumerable: false, writable: false, configurable: false });
Object.freeze(sealedCall);
Object.freeze(SEALED_CALLABLE);

/** `value` when Python may hold it as it is (a primitive), else `undefined` (Python sees `None`). */
function primitiveOnly(value: unknown): unknown {
  const kind = typeof value;
  return value === null || kind === 'string' || kind === 'number' || kind === 'boolean' ? value : undefined;
}

/**
 * Wraps `fn` so that Python can call it and reach nothing else through it. A
 * result other than a string, number, boolean or `null` reaches Python as
 * `None`: a host object would be a way into the realm.
 */
function sealFunction(fn: (...args: never[]) => unknown): (...args: never[]) => unknown {
  const sealed = (...args: never[]): unknown => primitiveOnly(fn(...args));
  Object.setPrototypeOf(sealed, SEALED_CALLABLE);
  return Object.freeze(sealed);
}

/**
 * Builds the object registered for Python from a table of host functions and
 * constants: frozen, null prototype, own properties only, every function
 * sealed ({@link sealFunction}).
 * @throws TypeError for a member that is neither a primitive nor a function (a
 *   host object would give Python a way into the realm)
 */
export function sealHostModule(name: string, members: Readonly<Record<string, unknown>>): object {
  const surface = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(members)) {
    if (typeof value === 'function') surface[key] = sealFunction(value as (...args: never[]) => unknown);
    else if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) surface[key] = value;
    else
      throw new TypeError(`host module ${name}: member ${key} is a ${typeof value}; only functions and primitives may be shown to Python`);
  }
  return Object.freeze(surface);
}

/** What slot 0 of the JS-object table (the `js` module's view) holds in a sandboxed interpreter: nothing. */
export const EMPTY_GLOBALS: object = Object.freeze(Object.create(null) as object);
