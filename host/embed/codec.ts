/**
 * The value encoding between JS and the embedded interpreter: JSON with tags,
 * produced and read on the Python side by `runtime/lib/_mpy_embed.py`.
 *
 * | Python | wire | JS |
 * |---|---|---|
 * | None | `null` | `null` |
 * | bool | `true`/`false` | boolean |
 * | int, abs ≤ 2^53 − 1 | number | number |
 * | int beyond that | `{"t":"i","v":"digits"}` | bigint |
 * | float (finite) | number | number |
 * | nan, inf, -inf | `{"t":"f","v":"nan"}` | `NaN`, `±Infinity` |
 * | (JS to Python) integral number beyond 2^53 | `{"t":"f","v":"1e+20"}` | float |
 * | str | string | string |
 * | bytes, bytearray, memoryview | `{"t":"b","v":hex}` | Uint8Array |
 * | list, tuple | array | array |
 * | dict with only str keys | `{"t":"o","v":{...}}` | plain object |
 * | any other dict | `{"t":"m","v":[[k, v], ...]}` | Map |
 * | set, frozenset | `{"t":"s","v":[...]}` | Set |
 *
 * JS to Python is the same table read the other way, plus: `undefined` is
 * None, an integral number within ±(2^53 − 1) is an int (so `2.0` arrives as
 * `2`), any other number a float (pass a bigint for a big int), an ArrayBuffer or any ArrayBufferView is bytes, a JS array
 * used as a dict key or set member becomes a tuple. Anything else (functions,
 * symbols, class instances, cycles) is a TypeError before the call is sent,
 * except a live `PyHandle` of the same instance, which is its Python object
 * (`{"t":"h","v":id}`).
 *
 * @module
 */

import type { PyHandle } from './py-handle.js';

/** A value that comes back from Python (see the module table). */
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | { [key: string]: PyValue }
  | Map<PyValue, PyValue>
  | Set<PyValue>;

/** A JS value that can be passed to Python as an argument (see the module table). */
export type PyInput =
  | PyHandle
  | undefined
  | null
  | boolean
  | number
  | bigint
  | string
  | ArrayBuffer
  | ArrayBufferView
  | readonly PyInput[]
  | { readonly [key: string]: PyInput }
  | ReadonlyMap<PyInput, PyInput>
  | ReadonlySet<PyInput>;

/** What the codec needs to know of a `PyHandle` (py-handle.ts keeps it current). */
export interface HandleState {
  readonly id: number;
  /** The instance whose worker holds the object. */
  readonly owner: object;
  released: boolean;
  /** Names the handle in messages, e.g. `PyHandle(Point)`. */
  readonly label: string;
}

/** The state of each `PyHandle`, by handle object. */
export const handleStates = new WeakMap<object, HandleState>();

type Wire = null | boolean | number | string | Wire[] | { t: string; v: unknown };

const MAX_DEPTH = 200;

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function handleWire(state: HandleState, owner: object | undefined, where: string): Wire {
  if (state.released) throw new TypeError(`${where}: ${state.label} was released and cannot be passed to Python`);
  if (owner === undefined) throw new TypeError(`${where}: a PyHandle cannot be passed here`);
  if (state.owner !== owner) throw new TypeError(`${where}: ${state.label} belongs to another MicroPython instance`);
  return { t: 'h', v: state.id };
}

function toWire(value: unknown, depth: number, where: string, owner?: object): Wire {
  if (depth > MAX_DEPTH) throw new TypeError(`${where}: value nests more than ${MAX_DEPTH} levels deep (a cycle?)`);
  switch (typeof value) {
    case 'undefined':
      return null;
    case 'boolean':
    case 'string':
      return value;
    case 'number':
      if (Number.isNaN(value)) return { t: 'f', v: 'nan' };
      if (!Number.isFinite(value)) return { t: 'f', v: value > 0 ? 'inf' : '-inf' };
      // An integral double beyond 2^53 is not an exact integer: it stays a float.
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) return { t: 'f', v: value.toExponential() };
      return value;
    case 'bigint':
      return value >= -Number.MAX_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER ? Number(value) : { t: 'i', v: value.toString() };
    case 'object':
      break;
    default:
      throw new TypeError(`${where}: a ${typeof value} cannot be passed to Python`);
  }
  if (value === null) return null;
  const handle = handleStates.get(value);
  if (handle) return handleWire(handle, owner, where);
  const next = depth + 1;
  const walk = (x: unknown, at: string): Wire => toWire(x, next, at, owner);
  if (Array.isArray(value)) return value.map((x, i) => walk(x, `${where}[${i}]`));
  if (value instanceof ArrayBuffer) return { t: 'b', v: hex(new Uint8Array(value)) };
  if (ArrayBuffer.isView(value)) {
    return { t: 'b', v: hex(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
  }
  if (value instanceof Map) {
    return { t: 'm', v: [...value].map(([k, x]) => [walk(k, `${where} key`), walk(x, `${where}.get(…)`)]) };
  }
  if (value instanceof Set) return { t: 's', v: [...value].map((x) => walk(x, `${where} member`)) };
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
    throw new TypeError(`${where}: a ${name} instance cannot be passed to Python; pass plain data`);
  }
  const out: Record<string, Wire> = {};
  for (const [k, x] of Object.entries(value)) out[k] = walk(x, `${where}.${k}`);
  return { t: 'o', v: out };
}

/**
 * Encodes a JS value as tagged JSON text for `_mpy_embed.decode`.
 * @param where names the value in error messages, e.g. `argument 1`
 * @param owner the instance the value goes to (a `PyHandle` must belong to it)
 * @throws TypeError for a value with no Python counterpart
 */
export function encodeValue(value: unknown, where = 'value', owner?: object): string {
  return JSON.stringify(toWire(value, 0, where, owner));
}

function fromWire(wire: unknown): PyValue {
  if (wire === null || typeof wire !== 'object') return wire as PyValue;
  if (Array.isArray(wire)) return wire.map(fromWire);
  const { t, v } = wire as { t: string; v: unknown };
  switch (t) {
    case 'o': {
      const out: Record<string, PyValue> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        Object.defineProperty(out, k, { value: fromWire(x), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'm':
      return new Map((v as [unknown, unknown][]).map(([k, x]) => [fromWire(k), fromWire(x)]));
    case 's':
      return new Set((v as unknown[]).map(fromWire));
    case 'i':
      return BigInt(v as string);
    case 'f':
      return v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v);
    case 'b': {
      const buf = Buffer.from(v as string, 'hex');
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength).slice();
    }
    default:
      throw new Error(`mpy: unknown value tag ${JSON.stringify(t)} from _mpy_embed`);
  }
}

/** Decodes tagged JSON text from `_mpy_embed.encode` into a JS value. */
export function decodeValue(text: string): PyValue {
  return fromWire(JSON.parse(text));
}

/** Decodes a tagged value already parsed from JSON (part of a larger message). */
export function decodeParsed(parsed: unknown): PyValue {
  return fromWire(parsed);
}
