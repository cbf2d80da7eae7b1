import type { EmscriptenModule } from '../wasm/emscripten-module.js';
import type { GlueTable } from '../wasm/glue-script.js';

/**
 * The glue's JS-object table (its imports read `proxy_js_ref` and friends;
 * `wasm/glue-script.ts` binds those names to one glue evaluation's own
 * {@link GlueTable}), set up before Python touches any JS object. This
 * mirrors the layout the glue's own loader creates: slot 0 is what Python's
 * `js` module reads (the glue puts `globalThis` there), slot 1 `undefined`,
 * new objects from slot 2.
 */
const FIRST_FREE_SLOT = 2;

/**
 * Installs the JS-object table the glue's imports expect, for `module`.
 * @param globals slot 0: `globalThis` for the glue's own `js` bridge, or an
 *   empty object when Python must not reach the realm
 */
export function installProxyTable(table: GlueTable, module: EmscriptenModule, globals: object): void {
  table.Module = module;
  table.proxy_js_ref = [globals, undefined];
  table.proxy_js_ref_next = FIRST_FREE_SLOT;
  table.proxy_js_ref_map = new Map<unknown, number>([[globals, 0]]);
  const proxies = new Map<number, WeakRef<object>>();
  table.proxy_js_map = proxies;
  table.proxy_js_existing = [undefined];
  table.pyProxyFinalizationRegistry = new FinalizationRegistry((ref: number) => {
    proxies.delete(ref);
    module.ccall('proxy_c_free_obj', null, ['number'], [ref]);
  });
}

/** Puts `obj` in the JS-object table and returns its slot (its id on the Python side). */
export function registerJsObject(table: GlueTable, obj: object): number {
  const existing = table.proxy_js_ref_map.get(obj);
  if (existing !== undefined) return existing;
  const id = table.proxy_js_ref.length;
  table.proxy_js_ref.push(obj);
  table.proxy_js_ref_next = table.proxy_js_ref.length;
  table.proxy_js_ref_map.set(obj, id);
  return id;
}

/** The table's slots past the fixed ones, as a boot image keeps them (runtime/boot-image.ts). */
export interface TableContents {
  /** The table's length; slots past the fixed ones that are not in `objects` are free. */
  readonly length: number;
  /** Where the glue looks for a free slot first. */
  readonly next: number;
  /** The objects, by slot. */
  readonly objects: ReadonlyMap<number, object>;
}

/**
 * What the table holds past its fixed slots, for a boot image: the objects
 * Python can reach by slot number. Undefined when the glue also holds
 * Python objects for JS (a boot image cannot carry those).
 */
export function tableContents(table: GlueTable): TableContents | undefined {
  if (table.proxy_js_map.size !== 0 || table.proxy_js_existing.length > 1) return undefined;
  const objects = new Map<number, object>();
  for (let slot = FIRST_FREE_SLOT; slot < table.proxy_js_ref.length; slot++) {
    const obj = table.proxy_js_ref[slot];
    if (obj !== undefined) objects.set(slot, obj as object);
  }
  return { length: table.proxy_js_ref.length, next: table.proxy_js_ref_next, objects };
}

/** Fills a freshly installed table ({@link installProxyTable}) as `contents` describes. */
export function restoreTableContents(table: GlueTable, contents: TableContents): void {
  table.proxy_js_ref.length = contents.length;
  for (const [slot, obj] of contents.objects) {
    table.proxy_js_ref[slot] = obj;
    table.proxy_js_ref_map.set(obj, slot);
  }
  table.proxy_js_ref_next = contents.next;
}
