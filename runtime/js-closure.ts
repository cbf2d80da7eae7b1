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
 * {@link NO_NAME}), so no name leads to `js` or `jsffi` any more. The addresses come from Python's `id()` of each
 * module, and the pattern must match exactly once, else the instance refuses
 * to start rather than run open.
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
/** Words past twice the modules' addresses searched before the whole memory. */
const STATIC_SLACK_WORDS = 64 * 1024;

function moduleAddresses(interp: ClosableInterpreter): [number, number] {
  let found: [number, number] | undefined;
  interp.registerJsModule(PROBE, {
    report: (js: number, jsffi: number): void => {
      found = [js, jsffi];
    },
  });
  interp.exec(
    `import sys, ${PROBE}, js, jsffi\n${PROBE}.report(id(js), id(jsffi))\nfor _n in ('${PROBE}', 'js', 'jsffi'):\n  sys.modules.pop(_n, None)\ndel js, jsffi, _n, ${PROBE}`,
  );
  if (found === undefined) throw new Error('mpy: could not locate the js modules of the interpreter');
  return found;
}

/** Whether word `i` is the address of a `js` entry that matches the table's layout. */
function isTableEntry(words: Uint32Array, i: number, js: number, jsffi: number): boolean {
  if (i < 3 || i + 2 >= words.length || words[i] !== js || words[i + 2] !== jsffi) return false;
  return [words[i - 3]!, words[i - 1]!, words[i + 1]!].every((w) => (w & TAG_MASK) === QSTR_TAG);
}

/** Indexes (in 32-bit words) of `js` entries that match the table's layout, below word `end`. */
function tableEntries(words: Uint32Array, js: number, jsffi: number, end: number): number[] {
  const hits: number[] = [];
  // indexOf runs natively (bounded by the subarray: it would search the whole
  // memory after the last hit); a plain loop runs once per process, in V8's interpreter.
  const below = words.subarray(0, Math.max(0, end - 2));
  for (let i = below.indexOf(js, 3); i !== -1; i = below.indexOf(js, i + 1)) {
    if (isTableEntry(words, i, js, jsffi)) hits.push(i);
  }
  return hits;
}

/**
 * Where the table was found before in this thread, by the modules' addresses:
 * static data sits at the same place in every instance of one wasm, so an
 * interpreter made again in this thread (an in-thread embedded instance after
 * another's dispose) looks there first.
 */
const foundEntries = new Map<string, number>();

/** Where each interpreter's built-in module table was found (the `js` entry), so that closing another module there scans a few words. */
const closedTables = new WeakMap<ClosableInterpreter, number>();
/** Words either side of the `js` entry searched first for another module's entry (the table holds a few dozen entries). */
const TABLE_WINDOW_WORDS = 512;

/**
 * Index of the `js` entry's address in the built-in module table. The table
 * is static data like the modules themselves, so it is looked for first in
 * the low memory around them (a scan of the whole memory costs tens of ms).
 */
function findTableEntry(words: Uint32Array, js: number, jsffi: number): number {
  const key = `${js}:${jsffi}`;
  const known = foundEntries.get(key);
  if (known !== undefined && isTableEntry(words, known, js, jsffi)) return known;
  const staticEnd = Math.min(words.length, (Math.max(js, jsffi) >>> 1) + STATIC_SLACK_WORDS);
  let hits = tableEntries(words, js, jsffi, staticEnd);
  if (hits.length !== 1) hits = tableEntries(words, js, jsffi, words.length);
  if (hits.length !== 1) {
    throw new Error(
      `mpy: cannot close the js module: the built-in module table was found ${hits.length} times (expected once); is this the pinned interpreter build?`,
    );
  }
  foundEntries.set(key, hits[0]!);
  return hits[0]!;
}

/**
 * Makes `import js` and `import jsffi` fail with ImportError in `interp`.
 * Call once, right after the interpreter is initialised and before any
 * untrusted code runs.
 * @throws Error when the build's layout is not the expected one, or the modules are still importable afterwards
 */
export function closeJsModules(interp: ClosableInterpreter): void {
  const [js, jsffi] = moduleAddresses(interp);
  const heap = interp.heapU8();
  const words = new Uint32Array(heap.buffer, 0, heap.byteLength >>> 2);
  const at = findTableEntry(words, js, jsffi);
  closedTables.set(interp, at);
  words[at - 1] = NO_NAME;
  words[at + 1] = NO_NAME;
  interp.exec(
    "for _n in ('js', 'jsffi'):\n  try:\n    __import__(_n)\n  except ImportError:\n    pass\n  else:\n    raise RuntimeError(_n + ' still importable')\ndel _n",
  );
}

/** Word index of the name of the built-in module table's entry (tagged qstr `qstr`, module at `address`), or -1 unless found exactly once. */
function builtinEntry(words: Uint32Array, qstr: number, address: number, start: number, end: number): number {
  const hits: number[] = [];
  for (let i = Math.max(2, start); i + 1 < Math.min(end, words.length); i++) {
    if (words[i] !== qstr || words[i + 1] !== address) continue;
    // The table is sorted by name, between entries of the same shape (a dict's hash table is not).
    const before = words[i - 2]!;
    const after = words[i + 2] ?? 0;
    const isName = (w: number): boolean => (w & TAG_MASK) === QSTR_TAG;
    if (isName(before) && before < qstr && isName(after) && after > qstr && words[i - 1] !== 0) hits.push(i);
  }
  return hits.length === 1 ? hits[0]! : -1;
}

/**
 * Makes `import NAME` of a built-in module raise ImportError in `interp`: its
 * entry in the built-in module table loses its name (see the module comment). Call before any untrusted code runs.
 * @throws Error when the entry is not found exactly once, or the module is still importable afterwards
 */
export function closeBuiltinModule(interp: ClosableInterpreter, name: string): void {
  let found: [number, number] | undefined;
  interp.registerJsModule(PROBE, {
    report: (qstr: number, address: number): void => {
      found = [qstr, address];
    },
  });
  // id() of an interned str is its tagged qstr word, as the table holds it.
  interp.exec(
    `import sys, ${PROBE}, ${name} as _m\n${PROBE}.report(id('${name}'), id(_m))\nfor _n in ('${PROBE}', '${name}'):\n  sys.modules.pop(_n, None)\ndel _m, _n, ${PROBE}`,
  );
  if (found === undefined) throw new Error(`mpy: could not locate the ${name} module of the interpreter`);
  const heap = interp.heapU8();
  const words = new Uint32Array(heap.buffer, 0, heap.byteLength >>> 2);
  // Around the js entry when that was closed here, else the static data (see findTableEntry), else the whole memory.
  const near = closedTables.get(interp);
  let at = near === undefined ? -1 : builtinEntry(words, found[0], found[1], near - TABLE_WINDOW_WORDS, near + TABLE_WINDOW_WORDS);
  if (at < 0) at = builtinEntry(words, found[0], found[1], 0, (found[1] >>> 1) + STATIC_SLACK_WORDS);
  if (at < 0) at = builtinEntry(words, found[0], found[1], 0, words.length);
  if (at < 0) throw new Error(`mpy: cannot close the ${name} module: its entry in the built-in module table was not found exactly once`);
  words[at] = NO_NAME;
  // Checked with sys.path empty, so that the check is of the built-ins alone (a search of the mounts costs ms).
  interp.exec(
    `import sys\n_p = sys.path[:]\nsys.path.clear()\ntry:\n  __import__('${name}')\nexcept ImportError:\n  pass\nelse:\n  raise RuntimeError('${name} still importable')\nfinally:\n  sys.path[:] = _p\n  del _p`,
  );
}
