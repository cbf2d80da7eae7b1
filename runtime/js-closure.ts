/**
 * Closes the build's `js` and `jsffi` modules in one interpreter, so that
 * `import js` and `import jsffi` raise ImportError.
 *
 * Both are non-extensible built-ins of the official build: the import
 * statement finds them in the C table of built-in modules before `sys.modules`
 * overrides or `sys.path` could matter, and nothing at the Python level takes
 * them away for good. That table is data in the wasm memory: entries of
 * (name as a tagged qstr, module address), sorted by name, so `js` and `jsffi`
 * sit side by side. Closing takes both entries' names away (see
 * {@link NO_NAME}), so no name leads to `js` or `jsffi` any more. Each entry
 * is found by its name (Python's `id()` of the interned name is the tagged
 * qstr the table holds) and its module's address (`id()` of the module),
 * between sorted neighbours, and must be found exactly once, else the
 * instance refuses to start rather than run open.
 *
 * `uctypes` is closed the same way ({@link closeBuiltinModule}): it reads and
 * writes any address of the wasm memory, where this table and the rest of the
 * VM's state live, so with it Python could give `js` its name back.
 *
 * @module
 */
/** What closing needs of the interpreter (kept narrow so this file stays independent of it). */
export interface ClosableInterpreter {
  exec(code: string): unknown;
  registerJsModule(name: string, module: Readonly<Record<string, unknown>>): void;
  heapU8(): Uint8Array;
}

/** Low three bits of a qstr object (MicroPython's object representation A). */
const QSTR_TAG = 2;
const TAG_MASK = 7;
const PROBE = '_mpy_js_probe';
/**
 * What a closed entry is named: MP_OBJ_NULL, which no lookup matches and
 * every walk of a map skips as an empty slot. (Not another entry's name: the
 * VM's map lookup cache can still hold a closed entry's slot for that name.)
 */
const NO_NAME = 0;
/** Words past twice the module's address searched before the whole memory (the table is static data, as the modules are). */
const STATIC_SLACK_WORDS = 64 * 1024;

/** A built-in module's entry as the table holds it: its name as a tagged qstr, and the module's address. */
interface Entry {
  readonly name: string;
  readonly qstr: number;
  readonly address: number;
}

/** The entries of the built-in modules `names`, read through `id()` (their modules are dropped from `sys.modules` again). */
function entriesOf(interp: ClosableInterpreter, names: readonly string[]): Entry[] {
  const found: Entry[] = [];
  interp.registerJsModule(PROBE, {
    report: (qstr: number, address: number): void => {
      const name = names[found.length];
      if (name !== undefined) found.push({ name, qstr, address });
    },
  });
  const list = names.map((n) => `'${n}'`).join(', ');
  interp.exec(
    `import sys, ${PROBE}\nfor _n in (${list},):\n  ${PROBE}.report(id(_n), id(__import__(_n)))\n  sys.modules.pop(_n, None)\nsys.modules.pop('${PROBE}', None)\ndel _n, ${PROBE}`,
  );
  if (found.length !== names.length) throw new Error(`mpy: could not locate the ${names.join(', ')} modules of the interpreter`);
  return found;
}

const isName = (word: number): boolean => (word & TAG_MASK) === QSTR_TAG;

/** Word index of `entry`'s name in words below `end`, between sorted neighbours (a dict's hash table is not sorted), or -1 unless found exactly once. */
function tableIndex(words: Uint32Array, entry: Entry, end: number): number {
  const hits: number[] = [];
  // indexOf runs natively (bounded by the subarray); a plain loop runs once per process, in V8's interpreter.
  const below = words.subarray(0, Math.min(end, words.length));
  for (let i = below.indexOf(entry.address, 3); i !== -1; i = below.indexOf(entry.address, i + 1)) {
    const at = i - 1;
    if (words[at] !== entry.qstr) continue;
    const before = words[at - 2]!;
    const after = words[at + 2] ?? 0;
    if (isName(before) && before < entry.qstr && isName(after) && after > entry.qstr && words[at - 1] !== 0) hits.push(at);
  }
  return hits.length === 1 ? hits[0]! : -1;
}

/**
 * Makes `import NAME` raise ImportError in `interp` for each built-in module
 * of `names`: every entry is found before any loses its name (neighbours are
 * part of the match). Call before any untrusted code runs.
 * @throws Error when an entry is not found exactly once, or a module is still importable afterwards
 */
function closeBuiltins(interp: ClosableInterpreter, names: readonly string[]): void {
  const entries = entriesOf(interp, names);
  const heap = interp.heapU8();
  const words = new Uint32Array(heap.buffer, 0, heap.byteLength >>> 2);
  const indexes = entries.map((entry) => {
    let at = tableIndex(words, entry, (entry.address >>> 1) + STATIC_SLACK_WORDS);
    if (at < 0) at = tableIndex(words, entry, words.length);
    if (at < 0)
      throw new Error(
        `mpy: cannot close the ${entry.name} module: its entry in the built-in module table was not found exactly once; is this the pinned interpreter build?`,
      );
    return at;
  });
  for (const at of indexes) words[at] = NO_NAME;
  // Checked with sys.path empty, so that the check is of the built-ins alone (a search of the mounts costs ms).
  const list = names.map((n) => `'${n}'`).join(', ');
  interp.exec(
    `import sys\n_p = sys.path[:]\nsys.path.clear()\ntry:\n  for _n in (${list},):\n    try:\n      __import__(_n)\n    except ImportError:\n      pass\n    else:\n      raise RuntimeError(_n + ' still importable')\nfinally:\n  sys.path[:] = _p\n  del _p`,
  );
}

/**
 * Makes `import js` and `import jsffi` fail with ImportError in `interp`.
 * Call once, right after the interpreter is initialised and before any
 * untrusted code runs.
 * @throws Error when the build's layout is not the expected one, or the modules are still importable afterwards
 */
export function closeJsModules(interp: ClosableInterpreter): void {
  closeBuiltins(interp, ['js', 'jsffi']);
}

/**
 * Makes `import NAME` of a built-in module raise ImportError in `interp`: its
 * entry in the built-in module table loses its name (see the module comment). Call before any untrusted code runs.
 * @throws Error when the entry is not found exactly once, or the module is still importable afterwards
 */
export function closeBuiltinModule(interp: ClosableInterpreter, name: string): void {
  closeBuiltins(interp, [name]);
}
