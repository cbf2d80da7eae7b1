/**
 * Gives the interpreter a garbage collection that runs during a run, as the
 * Unix port's does, instead of one deferred to the next return to JS.
 *
 * The official build (MicroPython 1.27, `MICROPY_GC_SPLIT_HEAP_AUTO`) cannot
 * scan C locals that live in wasm locals, so its `gc_collect()` only sets a
 * pending flag, and the collection happens when the outermost call returns
 * to JS: a program, which runs as one call, never collects. This pass:
 *
 * - replaces the body of `gc_collect` with a real collection: the roots and
 *   the Python stack as `gc_collect_start` scans them, plus the C (shadow)
 *   stack from the current stack pointer up to `MP_STATE_THREAD(stack_top)`
 *   (the host points that at the top of the relocated stack; see
 *   `runtime/c-stack.ts`). The stack range is scanned by running
 *   `gc_collect_start` a second time with the Python-stack bounds pointed at
 *   the C stack (marking is idempotent), carrying over the mark-stack overflow
 *   flag that the second start clears;
 * - replaces `gc_get_max_new_split` (how large a heap area the GC may add) so
 *   that the total of the heap areas stays within the global this pass
 *   exports as {@link HEAP_LIMIT_EXPORT} (0: no bound, and the build's 128 MiB
 *   answer). Past it, MicroPython itself raises `MemoryError`, after a
 *   collection failed to make room. `gc.mem_free()` adds this room to the free
 *   bytes, so `mem_free() + mem_alloc()` is the bound, as on the Unix port;
 * - sets the build's allocation threshold (a collection every 16 KiB
 *   allocated, harmless when collecting only set a flag) to "off", the Unix
 *   port's default: a collection when the heap is full, `gc.threshold(n)` to
 *   ask for more.
 *
 * A real collection is only sound once every pointer a C function holds in a
 * wasm local is also in memory the scan sees: the caller runs binaryen's
 * `flatten` and `spill-pointers` passes afterwards ({@link SPILL_PASSES}),
 * which need the stack-pointer global named `__stack_pointer`
 * ({@link nameStackPointer}).
 *
 * The functions and offsets are found by their shape in the stripped module
 * and each is checked before anything changes: when the module does not have
 * exactly the expected shape, {@link installInRunCollector} throws and leaves
 * the module untouched.
 */
import type binaryenModule from 'binaryen';

type Binaryen = typeof binaryenModule;
type BModule = InstanceType<Binaryen['Module']>;

export { HEAP_LIMIT_EXPORT } from '../heap-limit.js';
import { HEAP_LIMIT_EXPORT } from '../heap-limit.js';

const STACK_POINTER = '__stack_pointer';
/** The build's stack pointer starts at the top of its 64 KiB stack. */
const STACK_POINTER_INIT = 65536;
/** What `gc_get_max_new_split` returns in the official build. */
const MAX_NEW_SPLIT = 134217728;
/** The build's `gc_alloc_threshold` (16 KiB in 16-byte blocks). */
const BUILD_ALLOC_THRESHOLD = 1024;

/** `mp_state_ctx` offsets in MicroPython 1.27 (wasm32, this build's configuration). */
enum Ctx {
  StackTop = 0,
  PystackStart = 8,
  PystackCur = 16,
  GcLockDepth = 20,
  FirstArea = 384,
  StackOverflow = 416,
  AllocAmount = 936,
  AllocThreshold = 940,
}
/** `mp_state_mem_area_t` offsets (split heap, finaliser on). */
enum Area {
  Next = 0,
  AllocTableStart = 4,
  PoolStart = 16,
  PoolEnd = 20,
}

/** What {@link installInRunCollector} found and changed. */
export interface CollectorReport {
  /** Address of `mp_state_ctx`. */
  readonly stateAddress: number;
  /** Names (in the module) of the functions it found. */
  readonly functions: {
    readonly gcCollect: string;
    readonly gcCollectStart: string;
    readonly gcCollectEnd: string;
    readonly gcGetMaxNewSplit: string;
  };
}

/**
 * Names global 0 `__stack_pointer` by appending a `name` section, after
 * checking that it looks like emscripten's stack pointer: a mutable i32 whose
 * initial value is the top of the build's stack.
 * @throws Error when the module has a name section already or global 0 is not that
 */
export function nameStackPointer(b: Binaryen, original: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const probe = b.readBinary(original);
  try {
    if (probe.getNumGlobals() === 0) throw new Error('the interpreter wasm has no globals');
    const g = b.getGlobalInfo(probe.getGlobalByIndex(0));
    if (g.module || !g.mutable || g.type !== b.i32 || b.emitText(g.init).trim() !== `(i32.const ${STACK_POINTER_INIT})`) {
      throw new Error('global 0 of the interpreter wasm is not the stack pointer');
    }
    const restore = b.getExportInfo(probe.getExport('_emscripten_stack_restore')).value;
    const body = squash(b.emitText(b.getFunctionInfo(probe.getFunction(restore)).body));
    if (body !== `(global.set $${g.name} (local.get $0))`) {
      throw new Error('_emscripten_stack_restore does not set global 0');
    }
  } finally {
    probe.dispose();
  }
  if (WebAssembly.Module.customSections(new WebAssembly.Module(original), 'name').length > 0) {
    throw new Error('the interpreter wasm already has a name section');
  }
  const name = new TextEncoder().encode(STACK_POINTER);
  const globalNames = [7, ...leb(1 + 1 + leb(name.length).length + name.length), 1, 0, ...leb(name.length), ...name];
  const sectionName = new TextEncoder().encode('name');
  const payload = [...leb(sectionName.length), ...sectionName, ...globalNames];
  const out = new Uint8Array(original.length + 1 + leb(payload.length).length + payload.length);
  out.set(original);
  out.set([0, ...leb(payload.length), ...payload], original.length);
  return out;
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Binaryen's text for an expression on one line, single-spaced, without the (only) memory's name. */
function squash(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/\( /g, '(')
    .replace(/ \)/g, ')')
    .replace(/\((i32\.(?:load|store)\w*) \$\w+ /g, '($1 ')
    .trim();
}

interface DefinedFunction {
  readonly name: string;
  readonly params: number;
  readonly results: number;
  readonly body: number;
  readonly text: string;
}

function definedFunctions(b: Binaryen, m: BModule): DefinedFunction[] {
  const out: DefinedFunction[] = [];
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const info = b.getFunctionInfo(m.getFunctionByIndex(i));
    if (info.module) continue;
    out.push({ name: info.name, params: info.params, results: info.results, body: info.body, text: '' });
  }
  return out;
}

function textOf(b: Binaryen, f: DefinedFunction): string {
  return squash(b.emitText(f.body));
}

function exactlyOne<T>(items: readonly T[], what: string): T {
  if (items.length !== 1) throw new Error(`found ${items.length} candidates for ${what}, expected exactly one`);
  return items[0]!;
}

/** The `i32.store` of the build's allocation threshold in `mp_js_init` (a child of its body block). */
function findThresholdStore(b: Binaryen, m: BModule, ctx: number): number {
  const init = b.getExportInfo(m.getExport('mp_js_init')).value;
  const body = b.getFunctionInfo(m.getFunction(init)).body;
  const info = b.getExpressionInfo(body) as binaryenModule.BlockInfo;
  if (info.id !== b.BlockId) throw new Error('mp_js_init has an unexpected shape');
  const stores = info.children.filter(
    (c) => squash(b.emitText(c)) === `(i32.store offset=${ctx} (i32.const ${Ctx.AllocThreshold}) (i32.const ${BUILD_ALLOC_THRESHOLD}))`,
  );
  return exactlyOne(stores, 'the allocation threshold store in mp_js_init');
}

/**
 * Finds the GC functions by shape and installs the in-run collection and the
 * heap bound (see the file comment). Run it after the longjmp rewrite and
 * before `spillPointers`.
 * @throws Error, leaving `m` unchanged, when any shape does not match
 */
export function installInRunCollector(b: Binaryen, m: BModule): CollectorReport {
  if (!m.getGlobal(STACK_POINTER)) throw new Error(`the interpreter wasm has no ${STACK_POINTER} global`);
  const functions = definedFunctions(b, m);
  const noArgs = functions.filter((f) => f.params === b.none);

  // gc_collect(): `gc_collect_pending = true`.
  const pendingRe = /^\(i32\.store8 offset=(\d+) \(i32\.const 0\) \(i32\.const 1\)\)$/;
  const gcCollect = exactlyOne(
    noArgs.filter((f) => f.results === b.none && pendingRe.test(textOf(b, f))),
    'gc_collect',
  );
  const pending = Number(pendingRe.exec(textOf(b, gcCollect))![1]);

  // external_call_depth_dec(): `if (pending) { pending = false; gc_collect_start(); gc_collect_end(); }`.
  const topLevelRe = new RegExp(
    `\\(i32\\.load8_u offset=${pending} \\(i32\\.const 0\\)\\)\\)\\) \\(i32\\.store8 offset=${pending} \\(i32\\.const 0\\) \\(i32\\.const 0\\)\\) \\(call \\$([^ )]+)\\) \\(call \\$([^ )]+)\\)\\)\\)$`,
  );
  const topLevel = exactlyOne(
    noArgs.filter((f) => f.results === b.none && topLevelRe.test(textOf(b, f))),
    'the top-level collection',
  );
  const [, startName, endName] = topLevelRe.exec(textOf(b, topLevel))!;
  const start = exactlyOne(
    functions.filter((f) => f.name === startName),
    'gc_collect_start',
  );
  if (start.params !== b.none || start.results !== b.none) throw new Error('gc_collect_start has an unexpected signature');

  // gc_collect_start(): its opening stores and the Python-stack range give mp_state_ctx's address.
  const startText = textOf(b, start);
  const opening =
    /^\(block \(local\.set \$0 \(i32\.const 0\)\) \(i32\.store offset=(\d+) \(i32\.const (\d+)\) \(i32\.const 0\)\) \(i32\.store offset=\1 \(i32\.const (\d+)\) \(i32\.const 0\)\) \(i32\.store16 offset=\1 \(i32\.const (\d+)\) \(i32\.or \(i32\.load16_u offset=\1 \(i32\.const \4\)\) \(i32\.const 1\)\)\)/.exec(
      startText,
    );
  if (!opening) throw new Error('gc_collect_start does not open as expected');
  const ctx = Number(opening[1]);
  if (Number(opening[2]) !== Ctx.AllocAmount || Number(opening[3]) !== Ctx.StackOverflow || Number(opening[4]) !== Ctx.GcLockDepth) {
    throw new Error('gc_collect_start uses unexpected mp_state_ctx offsets');
  }
  const expected = [
    `(i32.add (i32.const ${ctx}) (i32.const ${Ctx.FirstArea}))`,
    `(i32.load offset=${Area.PoolStart} `,
    `(i32.load offset=${Area.PoolEnd} `,
    `(i32.sub (i32.load offset=${ctx} (i32.const ${Ctx.PystackCur})) (local.tee $1 (i32.load offset=${ctx} (i32.const ${Ctx.PystackStart}))))`,
  ];
  for (const piece of expected) {
    if (!startText.includes(piece)) throw new Error(`gc_collect_start lacks ${piece.trim()}`);
  }

  // gc_get_max_new_split(): `return 128 MiB`.
  const maxSplit = exactlyOne(
    noArgs.filter((f) => f.results === b.i32 && textOf(b, f) === `(i32.const ${MAX_NEW_SPLIT})`),
    'gc_get_max_new_split',
  );
  const thresholdStore = findThresholdStore(b, m, ctx);

  // Every shape matched: change the module.
  const i32 = b.i32;
  const load = (addr: number): number => m.i32.load(addr, 4, m.i32.const(0));
  const store = (addr: number, value: number): number => m.i32.store(addr, 4, m.i32.const(0), value);
  const stateAt = (offset: number): number => ctx + offset;

  const [savedStart, savedCur, overflow] = [0, 1, 2];
  m.removeFunction(gcCollect.name);
  m.addFunction(
    gcCollect.name,
    b.none,
    b.none,
    [i32, i32, i32],
    m.block(null, [
      m.local.set(savedStart, load(stateAt(Ctx.PystackStart))),
      m.local.set(savedCur, load(stateAt(Ctx.PystackCur))),
      // The C stack, from here up to its top, as if it were the Python stack.
      store(stateAt(Ctx.PystackStart), m.global.get(STACK_POINTER, i32)),
      store(stateAt(Ctx.PystackCur), load(stateAt(Ctx.StackTop))),
      m.call(start.name, [], b.none),
      m.local.set(overflow, load(stateAt(Ctx.StackOverflow))),
      store(stateAt(Ctx.PystackStart), m.local.get(savedStart, i32)),
      store(stateAt(Ctx.PystackCur), m.local.get(savedCur, i32)),
      m.call(start.name, [], b.none),
      store(stateAt(Ctx.StackOverflow), m.i32.or(load(stateAt(Ctx.StackOverflow)), m.local.get(overflow, i32))),
      m.call(endName!, [], b.none),
    ]),
  );

  m.addGlobal(HEAP_LIMIT_EXPORT, i32, true, m.i32.const(0));
  m.addGlobalExport(HEAP_LIMIT_EXPORT, HEAP_LIMIT_EXPORT);
  const [limit, total, area] = [0, 1, 2];
  const areaField = (field: number): number => m.i32.load(field, 4, m.local.get(area, i32));
  m.removeFunction(maxSplit.name);
  m.addFunction(
    maxSplit.name,
    b.none,
    i32,
    [i32, i32, i32],
    m.block(
      null,
      [
        m.local.set(limit, m.global.get(HEAP_LIMIT_EXPORT, i32)),
        m.if(m.i32.eqz(m.local.get(limit, i32)), m.return(m.i32.const(MAX_NEW_SPLIT))),
        m.local.set(total, m.i32.const(0)),
        m.local.set(area, m.i32.const(stateAt(Ctx.FirstArea))),
        m.loop(
          'areas',
          m.block(null, [
            m.local.set(total, m.i32.add(m.local.get(total, i32), m.i32.sub(areaField(Area.PoolEnd), areaField(Area.AllocTableStart)))),
            m.local.set(area, areaField(Area.Next)),
            m.br('areas', m.local.get(area, i32)),
          ]),
        ),
        m.if(m.i32.ge_u(m.local.get(total, i32), m.local.get(limit, i32)), m.return(m.i32.const(0))),
        m.i32.sub(m.local.get(limit, i32), m.local.get(total, i32)),
      ],
      i32,
    ),
  );

  (b as unknown as { Store: { setValue(store: number, value: number): void } }).Store.setValue(thresholdStore, m.i32.const(-1));

  return {
    stateAddress: ctx,
    functions: { gcCollect: gcCollect.name, gcCollectStart: start.name, gcCollectEnd: endName!, gcGetMaxNewSplit: maxSplit.name },
  };
}
