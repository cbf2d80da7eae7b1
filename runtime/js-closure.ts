/**
 * Closes the build's `js` and `jsffi` modules in one interpreter, so that
 * `import js` and `import jsffi` raise ImportError.
 *
 * Both are non-extensible built-ins of the official build: the import
 * statement finds them in the C table of built-in modules before `sys.modules`
 * overrides or `sys.path` could matter, and nothing at the Python level takes
 * them away for good. That table is data in the wasm memory: entries of
 * (name as a tagged qstr, module address), sorted by name, so `js` and `jsffi`
 * sit side by side. Closing gives both entries the name of the entry before
 * them; the linear lookup finds that earlier entry first, so no name leads to
 * `js` or `jsffi` any more. The addresses come from Python's `id()` of each
 * module, and the pattern must match exactly once, else the instance refuses
 * to start rather than run open.
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
  const earlierName = words[at - 3]!;
  words[at - 1] = earlierName;
  words[at + 1] = earlierName;
  interp.exec(
    "for _n in ('js', 'jsffi'):\n  try:\n    __import__(_n)\n  except ImportError:\n    pass\n  else:\n    raise RuntimeError(_n + ' still importable')\ndel _n",
  );
}
