import { MAX_ERRNO } from '../../base/errno.js';
import { linuxErrnoFromEmscripten } from './errno.js';

type ImportFunction = (...args: never[]) => unknown;

function translateNegative(fn: ImportFunction): ImportFunction {
  return (...args) => {
    const ret = fn(...args);
    return typeof ret === 'number' && ret < 0 && ret >= -MAX_ERRNO ? -linuxErrnoFromEmscripten(-ret) : ret;
  };
}

function translatePositive(fn: ImportFunction): ImportFunction {
  return (...args) => {
    const ret = fn(...args);
    return typeof ret === 'number' && ret > 0 ? linuxErrnoFromEmscripten(ret) : ret;
  };
}

/**
 * Returns a copy of the glue's wasm imports whose syscalls report errors in
 * Linux numbering, so that `OSError.errno` inside MicroPython matches its
 * `errno` module (`errno.ENOENT == 2`), as on the Unix port.
 *
 * The glue's `__syscall_*` imports return `-errno` and its WASI `fd_*`
 * imports return `errno`, both in emscripten numbering (ENOENT = 44); the
 * libc stores that in `errno` and MicroPython raises it as is. Translating
 * here, after the glue's FS has done all its own comparisons, leaves the
 * emscripten FS contract untouched. Apply it in `Module.instantiateWasm`
 * before adding other overrides:
 *
 * ```ts
 * instantiateWasm(info, receive) {
 *   const imports = withLinuxErrnos(info);
 *   // ...host overrides on top of imports.env / imports.wasi_snapshot_preview1
 * }
 * ```
 */
export function withLinuxErrnos<T extends object>(imports: T): T {
  const out: Record<string, unknown> = {};
  const translatedNamespaces = new Map<object, Record<string, unknown>>();
  for (const [moduleName, namespace] of Object.entries(imports)) {
    if (typeof namespace !== 'object' || namespace === null) {
      out[moduleName] = namespace;
      continue;
    }
    // The glue passes one object as both `env` and `wasi_snapshot_preview1`; keep them one.
    let translated = translatedNamespaces.get(namespace);
    if (translated === undefined) {
      translated = {};
      for (const [name, value] of Object.entries(namespace as Record<string, unknown>)) {
        if (typeof value !== 'function') translated[name] = value;
        else if (name.startsWith('__syscall_')) translated[name] = translateNegative(value as ImportFunction);
        else if (name.startsWith('fd_')) translated[name] = translatePositive(value as ImportFunction);
        else translated[name] = value;
      }
      translatedNamespaces.set(namespace, translated);
    }
    out[moduleName] = translated;
  }
  return out as T;
}
