/**
 * Produces the optimised mpy-cross wasm from `@pybricks/mpy-cross-v6`'s: the
 * same longjmp → exception-handling rewrite as the interpreter's
 * ({@link rewriteLongjmpToEH}), then binaryen's `-O3`.
 *
 * That build is minified: its imports are `a.a`…`a.q` and its exports `r`…`A`.
 * The pinned glue's import object says which is which (below); the rewrite
 * looks for emscripten's names, so this step gives the module those names
 * for the duration of the rewrite (imports re-declared under their
 * emscripten names, exports aliased) and takes the aliases away afterwards.
 * The result keeps the original's exports and the imports it did not replace,
 * and adds the globals through which the host hands over the source file and
 * the room for the .mpy ({@link serveFilesInWasm}: reading the one and writing
 * the other no longer cross to the host).
 */
import { checkDropIn } from './optimise.js';
import { rewriteLongjmpToEH } from './longjmp-to-eh.js';
import { serveFilesInWasm } from './mpy-cross-io.js';

/** The optimisation binaryen runs after the rewrite (`wasm-opt -O3`). */
export const MPY_CROSS_OPTIMIZE_LEVEL = 3;

/** The import module of the minified build. */
const IMPORT_MODULE = 'a';

/** The minified names of the glue's `_fd_read` and `_fd_write` imports. */
const FD_READ_IMPORT = 'p';
const FD_WRITE_IMPORT = 'i';

/** Minified import name → emscripten name, from the glue's `asmLibraryArg` (package 2.0.0). */
const IMPORT_NAMES: Readonly<Record<string, string>> = {
  n: '_emscripten_throw_longjmp',
  d: 'invoke_ii',
  j: 'invoke_iiii',
  g: 'invoke_vi',
  e: 'invoke_vii',
  h: 'invoke_viii',
  l: 'invoke_viiiii',
};

/** Minified export name → the emscripten name the rewrite calls, from the glue's `Module["asm"]` reads. */
const EXPORT_NAMES: Readonly<Record<string, string>> = {
  y: 'emscripten_stack_get_current',
  z: '_emscripten_stack_restore',
  x: 'setThrew',
};

/** The result of {@link optimiseMpyCrossWasm}. */
export interface OptimisedMpyCross {
  /** The optimised module's bytes. */
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** The `invoke_*` trampolines (by emscripten name) now defined inside the module. */
  readonly invokes: readonly string[];
}

/**
 * Rewrites and optimises `original` (the pinned mpy-cross wasm).
 * @throws Error when binaryen is not installed, the module does not have the
 *   expected shape, or the result does not validate or is not a drop-in
 */
export async function optimiseMpyCrossWasm(original: Uint8Array<ArrayBuffer>): Promise<OptimisedMpyCross> {
  const { default: b } = await import('binaryen');
  const m = b.readBinary(original);
  try {
    const toRename = [];
    for (let i = 0; i < m.getNumFunctions(); i++) {
      const info = b.getFunctionInfo(m.getFunctionByIndex(i));
      if (info.module === IMPORT_MODULE && info.base && IMPORT_NAMES[info.base]) toRename.push(info);
    }
    const renamed = new Set<string>();
    for (const info of toRename) {
      // Calls refer to the internal name, which stays: only the import's module and base change.
      m.removeFunction(info.name);
      m.addFunctionImport(info.name, 'env', IMPORT_NAMES[info.base!]!, info.params, info.results);
      renamed.add(info.base!);
    }
    const missing = Object.keys(IMPORT_NAMES).filter((k) => !renamed.has(k));
    if (missing.length)
      throw new Error(`the mpy-cross wasm lacks the expected imports ${missing.map((k) => `${IMPORT_MODULE}.${k}`).join(', ')}`);
    for (const [minified, name] of Object.entries(EXPORT_NAMES)) {
      const ref = m.getExport(minified);
      if (!ref) throw new Error(`the mpy-cross wasm does not export ${minified}`);
      m.addFunctionExport(b.getExportInfo(ref).value, name);
    }
    const { invokes } = rewriteLongjmpToEH(b, m);
    for (const name of Object.values(EXPORT_NAMES)) m.removeExport(name);
    const added = serveFilesInWasm(b, m, IMPORT_MODULE, FD_READ_IMPORT, FD_WRITE_IMPORT);
    if (!m.validate()) throw new Error('binaryen rejects the rewritten mpy-cross module');
    const level = b.getOptimizeLevel();
    const shrink = b.getShrinkLevel();
    b.setOptimizeLevel(MPY_CROSS_OPTIMIZE_LEVEL);
    b.setShrinkLevel(0);
    try {
      m.optimize();
    } finally {
      b.setOptimizeLevel(level);
      b.setShrinkLevel(shrink);
    }
    if (!m.validate()) throw new Error('binaryen rejects the optimised mpy-cross module');
    const bytes = new Uint8Array(m.emitBinary());
    const replaced = Object.entries(IMPORT_NAMES).map(([minified]) => `${IMPORT_MODULE}.${minified}`);
    checkDropIn(original, bytes, new Set(replaced), added);
    return { bytes, invokes };
  } finally {
    m.dispose();
  }
}
