/**
 * The second wall around a sandboxed interpreter: the glue imports through
 * which Python makes new JS objects, replaced so that they make none.
 *
 * `jsffi.to_js` and `jsffi.create_proxy` turn Python data into a fresh JS
 * array, object or proxy in this realm and hand it to Python, whose
 * `constructor.constructor` is the realm's `Function`; `create_promise` and
 * `js_then_continue` hand Python a fresh `Promise`. A sandboxed interpreter
 * closes `jsffi` (js-closure.ts), so none of them is reachable; should a bug
 * in the VM ever let Python reopen it, these give it `None` or an error
 * instead. Every other JS object Python can reach is sealed (host-surface.ts).
 *
 * @module
 */

/** The glue's numbering of a JS value handed to the C side: `null`, which Python sees as `None`. */
const JS_NULL_KIND = 1;

/** The glue imports this file replaces, with what each does instead. */
const CONVERTERS = ['proxy_convert_mp_to_js_then_js_to_mp_obj_jsside', 'proxy_convert_mp_to_js_then_js_to_js_then_js_to_mp_obj_jsside'];
const PROMISE_MAKERS = ['create_promise', 'js_then_continue'];

/**
 * Returns `imports` with the JS-object factories of the glue replaced:
 * `to_js`/`create_proxy` answer `None`, the promise makers throw.
 * @param memory the interpreter's memory (read when a replaced import runs)
 */
export function withoutJsFactories<T extends { env: Record<string, unknown> }>(imports: T, memory: () => WebAssembly.Memory): T {
  const env: Record<string, unknown> = { ...imports.env };
  for (const name of CONVERTERS) {
    env[name] = (out: number): void => {
      new DataView(memory().buffer).setInt32(out, JS_NULL_KIND, true);
    };
  }
  for (const name of PROMISE_MAKERS) {
    env[name] = (): never => {
      throw new TypeError('JavaScript is closed to this interpreter');
    };
  }
  return { ...imports, env };
}
