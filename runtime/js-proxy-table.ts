import type { EmscriptenModule } from '../wasm/emscripten-module.js';

/**
 * The glue's JS-object table lives on `globalThis` (its imports read
 * `proxy_js_ref` and friends as globals), so it must be set up before Python
 * touches any JS object. This mirrors the layout the glue's own loader creates:
 * slot 0 is what Python's `js` module reads (the glue puts `globalThis` there),
 * slot 1 `undefined`, new objects from slot 2.
 */
interface ProxyGlobals {
  proxy_js_ref: unknown[];
  proxy_js_ref_next: number;
  proxy_js_ref_map: Map<unknown, number>;
  proxy_js_map: Map<number, WeakRef<object>>;
  proxy_js_existing: unknown[];
  pyProxyFinalizationRegistry: FinalizationRegistry<number>;
  Module: EmscriptenModule;
}

const FIRST_FREE_SLOT = 2;

/**
 * Installs the JS-object table the glue's imports expect, for `module`.
 * @param globals slot 0: `globalThis` for the glue's own `js` bridge, or an
 *   empty object when Python must not reach the realm
 */
export function installProxyGlobals(module: EmscriptenModule, globals: object): void {
  const g = globalThis as unknown as ProxyGlobals;
  g.Module = module;
  g.proxy_js_ref = [globals, undefined];
  g.proxy_js_ref_next = FIRST_FREE_SLOT;
  g.proxy_js_ref_map = new Map<unknown, number>([[globals, 0]]);
  // The registry's own map: it may fire after a later interpreter of this thread installed its table.
  const proxies = new Map<number, WeakRef<object>>();
  g.proxy_js_map = proxies;
  g.proxy_js_existing = [undefined];
  g.pyProxyFinalizationRegistry = new FinalizationRegistry((ref: number) => {
    proxies.delete(ref);
    module.ccall('proxy_c_free_obj', null, ['number'], [ref]);
  });
}

/**
 * Remembers what `globalThis` holds for the glue now; the function returned
 * puts it back, so that an interpreter this thread is done with (an in-thread
 * embedded instance after dispose) can be collected, and whatever held the
 * globals before it finds them as it left them.
 */
export function saveProxyGlobals(): () => void {
  const g = globalThis as unknown as Record<string, unknown>;
  const saved = TABLE_KEYS.map((key) => [key, Object.getOwnPropertyDescriptor(g, key)] as const);
  return () => {
    for (const [key, descriptor] of saved) {
      if (descriptor) Object.defineProperty(g, key, descriptor);
      else delete g[key];
    }
  };
}

const TABLE_KEYS: readonly (keyof ProxyGlobals)[] = [
  'Module',
  'proxy_js_ref',
  'proxy_js_ref_next',
  'proxy_js_ref_map',
  'proxy_js_map',
  'proxy_js_existing',
  'pyProxyFinalizationRegistry',
];

/** Puts `obj` in the JS-object table and returns its slot (its id on the Python side). */
export function registerJsObject(obj: object): number {
  const g = globalThis as unknown as ProxyGlobals;
  const existing = g.proxy_js_ref_map.get(obj);
  if (existing !== undefined) return existing;
  const id = g.proxy_js_ref.length;
  g.proxy_js_ref.push(obj);
  g.proxy_js_ref_next = g.proxy_js_ref.length;
  g.proxy_js_ref_map.set(obj, id);
  return id;
}
