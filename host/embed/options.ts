/**
 * The options of `MicroPython.create`, and their validation into the plain,
 * cloneable settings a worker boots from.
 *
 * @module
 */
import {
  EMBED_DEFAULT_PATH,
  EMBED_HEAP_LIMIT_BYTES,
  EMBED_MIN_HEAP_BYTES,
  EMBED_MIN_HEAP_TEXT,
  GUEST_LIB_DIR,
  INITIAL_HEAP_BYTES,
  MAX_HEAP_BYTES,
  MAX_HEAP_TEXT,
} from '../../runtime/guest-layout.js';
import { parseHeapSize } from '../../runtime/heap-size.js';
import { checkGuestPath, checkSandboxMount, checkSandboxMounts, type CheckedMount, type MountOption } from '../fs/sandbox-mounts.js';
import { checkListenOption, checkNetworkOption, type NetworkOption } from './network.js';

export type { MountOption } from '../fs/sandbox-mounts.js';

/**
 * Where a stream of the instance goes:
 * - `'capture'`: kept, readable as `mp.stdout` / `mp.stderr` (decoded as UTF-8,
 *   invalid sequences replaced by U+FFFD) until `mp.clearOutput()`;
 * - `'inherit'`: the bytes are written as they are to this process's stream;
 * - `'ignore'`: dropped;
 * - a function: called with each decoded chunk (a multi-byte character split
 *   between writes is kept whole; invalid sequences become U+FFFD).
 */
export type OutputOption = 'capture' | 'inherit' | 'ignore' | ((chunk: string, stream: 'stdout' | 'stderr') => void);

/** Options of `MicroPython.create`. Every field is optional. */
export interface MicroPythonOptions {
  /**
   * Host directories visible to Python, keyed by absolute guest path
   * (`{ '/app': './src' }` or `{ '/data': { host: './data', readOnly: true } }`).
   * Nothing else of the host is visible; `..` and symlinks cannot leave a
   * mount. The rest of the tree is in memory and vanishes with the instance.
   * `/usr/lib/micropython` (mpy's own modules, read-only), `/dev` and `/proc`
   * are reserved. Default: `{}` (no host files at all).
   */
  readonly mounts?: Readonly<Record<string, string | MountOption>>;
  /** Working directory inside the instance: `/` or a path inside a mount. Default: `'/'`. */
  readonly cwd?: string;
  /** The environment `os.getenv` sees; nothing of `process.env` is passed. Default: `{}`. */
  readonly env?: Readonly<Record<string, string>>;
  /** `sys.argv`, exactly as given. Default: `[]`. */
  readonly argv?: readonly string[];
  /**
   * `sys.path`. Default: `['', '.frozen', '/lib', '/usr/lib/micropython']`
   * (the stock build's path plus mpy's modules), so mounting a library at
   * `/lib` makes it importable.
   */
  readonly path?: readonly string[];
  /** Data for `sys.stdin` and `input()`; after it, end of file. Default: empty. */
  readonly stdin?: string | Uint8Array;
  /**
   * Bound on the Python heap, in bytes or as the Unix port's `-X heapsize`
   * text (`'512K'`, `'4M'`, `'0x100000'`). Past it, allocation raises
   * `MemoryError` inside Python (after a collection failed to make room)
   * and the instance stays usable. The heap starts at 4 MiB (or `heapSize`
   * when smaller) and grows in areas up to the bound. At least 256K, at most
   * 1536M. Default: `'64M'`.
   */
  readonly heapSize?: string | number;
  /**
   * Limit in milliseconds on each call (`exec`, `eval`, `call`, `import`,
   * `runFile`, fs helpers). When it passes, the running Python gets a
   * `KeyboardInterrupt` and the call rejects with `MicroPythonTimeoutError`;
   * if Python has not given control back within `interruptGraceMs` (it
   * swallowed the interrupt, or waits where no interrupt reaches), the worker
   * is terminated and the instance can no longer be used. The error's
   * `terminated` says which happened. `Infinity` means no limit. Default: no limit.
   */
  readonly timeoutMs?: number;
  /**
   * How long a call that passed `timeoutMs` and was interrupted may take to
   * give control back before its worker is terminated, in milliseconds.
   * Default: 1000.
   */
  readonly interruptGraceMs?: number;
  /**
   * Network access. Off unless granted: `{ allow: ['127.0.0.1:8080',
   * '*.example.com:443'] }` lists the `host:port` patterns Python's
   * `socket`/`ssl` may connect to; any other connect raises
   * `OSError(EACCES)`. `listen` lists the addresses Python may bind and
   * listen on (`{ listen: ['127.0.0.1:*'] }`); any other bind raises
   * `OSError(EACCES)`. Default: off (`false`, every connection and bind denied).
   */
  readonly network?: NetworkOption;
  /**
   * Give Python the build's `js` module (this instance's worker `globalThis`:
   * `js.process`, `node:fs`, `node:child_process`, `fetch` ...) and `jsffi`.
   * That is the whole host: only for code you trust as much as your own, and
   * it steps around `mounts`, `env` and `network`. Default: `false`:
   * `import js` and `import jsffi` raise ImportError (see the security model
   * in docs/embedding.md).
   */
  readonly js?: boolean;
  /**
   * Bound on the in-memory filesystem (everything outside the mounts), in
   * bytes or as size text (`'64M'`): file bytes plus 512 bytes per file,
   * directory or symlink. Past it, writes and creations fail with
   * `OSError(ENOSPC)` in Python (`MicroPythonFsError` `ENOSPC` from `mp.fs`).
   * From `'64K'` to `'1536M'`. Default: `'64M'`.
   */
  readonly fsSize?: string | number;
  /** Where `sys.stdout` goes; see {@link OutputOption}. Default: `'capture'`. */
  readonly stdout?: OutputOption;
  /**
   * Bytes kept per captured stream (`mp.stdout`, `mp.stderr`, and each
   * `runFile` result), in bytes or as size text (`'16M'`). Past it the
   * capture keeps the first and the last half and says how many bytes were
   * cut between them. From `'1K'` to `'256M'`. Default: `'16M'`.
   */
  readonly outputLimit?: string | number;
  /** Where `sys.stderr` goes; see {@link OutputOption}. Default: `'capture'`. */
  readonly stderr?: OutputOption;
  /**
   * Hand `stdout`/`stderr` callbacks whole lines: one call per line, ending
   * with `'\n'`, and what is left of an unfinished line at the end of each
   * call. Default: `false` (chunks as they arrive; one `print` may be split).
   */
  readonly lineBuffered?: boolean;
  /**
   * Where the interpreter runs. `'worker'` (the default): its own worker
   * thread, which every call reaches through shared memory (two thread
   * wake-ups per call) and which can be terminated. `'current'`: the calling
   * thread; each call runs synchronously when it is made (the methods still
   * return promises), with no thread hop: for harnesses making many small
   * calls into code they trust not to hang. What changes with `'current'`:
   * - the thread's event loop, timers and I/O wait while any call runs, and
   *   nothing can terminate the thread: `timeoutMs` works (a small watchdog
   *   thread raises KeyboardInterrupt in a call that runs past it, and the
   *   call rejects with `MicroPythonTimeoutError`), but Python that catches
   *   the interrupt and goes on (`while True: try: ... except: pass`) blocks
   *   this thread forever; `interruptGraceMs` is refused (TypeError). Without
   *   `timeoutMs`, `while True: pass` blocks it forever. `interrupt()` and an
   *   aborted `signal` reach a running call only from an output callback or a
   *   registered JS function running inside it;
   * - the recursion limit follows this thread's stack (Node's default, 984 KiB,
   *   against a worker's 8 MB), and the heap shares this thread's process
   *   limits;
   * - several may live in one thread, each its own interpreter (a call of one
   *   made from inside a call of another runs nested in it), beside worker
   *   instances and other copies of the MicroPython glue (the stock package);
   * - with `js: true`, `js` is this thread's `globalThis`, and a registered JS
   *   function that returns a promise raises JsError (the promise cannot
   *   settle while Python holds the thread).
   *
   * Mounts, `heapSize`, `fsSize`, the network allow-lists and `js: false`
   * bound Python exactly as in a worker. Default: `'worker'`.
   */
  readonly thread?: 'worker' | 'current';
}

/** The validated options a worker boots from (structured-cloneable). */
export interface WorkerSettings {
  readonly mounts: Record<string, CheckedMount>;
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly argv: string[];
  readonly path: string[];
  readonly stdin: Uint8Array;
  readonly heapBytes: number;
  readonly heapLimitBytes: number;
  readonly networkAllow: string[];
  readonly networkListen: string[];
  readonly jsBridge: boolean;
  readonly fsBytes: number;
}

/** Everything {@link validateOptions} produces. */
export interface ResolvedOptions {
  readonly worker: WorkerSettings;
  readonly timeoutMs: number | undefined;
  readonly interruptGraceMs: number;
  readonly stdout: OutputOption;
  readonly stderr: OutputOption;
  readonly outputLimit: number;
  readonly lineBuffered: boolean;
  /** Where the interpreter runs: see {@link MicroPythonOptions.thread}. */
  readonly thread: 'worker' | 'current';
}

/** Default bound on the in-memory filesystem. */
export const DEFAULT_FS_BYTES = 64 * 1024 * 1024;
/** Default bound on each captured stream. */
export const DEFAULT_OUTPUT_LIMIT_BYTES = 16 * 1024 * 1024;
const MIN_OUTPUT_LIMIT_BYTES = 1024;
/** Far below V8's longest string (2^29 - 24 UTF-16 units), so decoding a capture never fails. */
const MAX_OUTPUT_LIMIT_BYTES = 256 * 1024 * 1024;
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Default of {@link MicroPythonOptions.interruptGraceMs}. */
export const DEFAULT_INTERRUPT_GRACE_MS = 1000;

const KNOWN: readonly (keyof MicroPythonOptions)[] = [
  'mounts',
  'cwd',
  'env',
  'argv',
  'path',
  'stdin',
  'heapSize',
  'timeoutMs',
  'interruptGraceMs',
  'network',
  'js',
  'stdout',
  'stderr',
  'outputLimit',
  'fsSize',
  'lineBuffered',
  'thread',
];

function fail(message: string): never {
  throw new TypeError(`MicroPython.create: ${message}`);
}

function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
}

/** Guest directories a mount may not be in, with what they hold. */
const RESERVED_GUEST_DIRS: Readonly<Record<string, string>> = { [GUEST_LIB_DIR]: "mpy's own modules" };

/**
 * Checks one mount, at create time or later (`mp.mount`): see
 * `checkSandboxMount`, the one check of the `mounts` option too.
 * @param failWith throws the caller's TypeError with the message
 */
export function checkMount(guest: string, spec: unknown, failWith: (message: string) => never): CheckedMount {
  return checkSandboxMount(guest, spec, RESERVED_GUEST_DIRS, failWith);
}

function checkMounts(mounts: unknown): WorkerSettings['mounts'] {
  return checkSandboxMounts(mounts, RESERVED_GUEST_DIRS, fail);
}

function checkStringRecord(value: unknown, what: string): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${what} must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') fail(`${what}.${k} must be a string, not ${typeof v}`);
    out[k] = v;
  }
  return out;
}

function checkStringList(value: unknown, what: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((x) => typeof x !== 'string')) fail(`${what} must be an array of strings`);
  return [...(value as string[])];
}

function checkHeap(value: unknown): number {
  if (value === undefined) return EMBED_HEAP_LIMIT_BYTES;
  let bytes: number | undefined;
  if (typeof value === 'number') bytes = Number.isInteger(value) ? value : undefined;
  else if (typeof value === 'string') bytes = parseHeapSize(value.trim());
  if (bytes === undefined) fail(`heapSize ${JSON.stringify(value)} is not a size: use bytes or text like '512K' or '4M'`);
  if (bytes < EMBED_MIN_HEAP_BYTES) fail(`heapSize ${JSON.stringify(value)} is below the minimum '${EMBED_MIN_HEAP_TEXT}'`);
  if (bytes > MAX_HEAP_BYTES) fail(`heapSize ${JSON.stringify(value)} is above the maximum '${MAX_HEAP_TEXT}' (wasm32 memory is 2 GiB)`);
  return bytes;
}

/** A size option: bytes, or Unix-port size text (`'512K'`, `'4M'`). */
function checkSize(value: unknown, what: string, fallback: number, min: [number, string], max: [number, string]): number {
  if (value === undefined) return fallback;
  let bytes: number | undefined;
  if (typeof value === 'number') bytes = Number.isInteger(value) ? value : undefined;
  else if (typeof value === 'string') bytes = parseHeapSize(value.trim());
  if (bytes === undefined) fail(`${what} ${JSON.stringify(value)} is not a size: use bytes or text like '512K' or '4M'`);
  if (bytes < min[0]) fail(`${what} ${JSON.stringify(value)} is below the minimum '${min[1]}'`);
  if (bytes > max[0]) fail(`${what} ${JSON.stringify(value)} is above the maximum '${max[1]}'`);
  return bytes;
}

function checkTimeout(value: unknown): number | undefined {
  if (value === undefined || value === Infinity) return undefined;
  if (typeof value !== 'number' || Number.isNaN(value)) fail('timeoutMs must be a number of milliseconds');
  if (value <= 0) fail(`timeoutMs must be greater than 0 (got ${value}); omit it for no limit`);
  if (value > MAX_TIMER_MS) fail(`timeoutMs ${value} is above ${MAX_TIMER_MS}; use Infinity or omit it for no limit`);
  return value;
}

function checkGrace(value: unknown): number {
  if (value === undefined) return DEFAULT_INTERRUPT_GRACE_MS;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || value > MAX_TIMER_MS) {
    fail(`interruptGraceMs must be a number of milliseconds from 0 to ${MAX_TIMER_MS} (got ${String(value)})`);
  }
  return value;
}

/** Whether `value` is an {@link OutputOption}. */
export function isOutputOption(value: unknown): value is OutputOption {
  return typeof value === 'function' || value === 'capture' || value === 'inherit' || value === 'ignore';
}

/** What to say about a value that is not an {@link OutputOption}. */
export const OUTPUT_OPTION_TEXT = "'capture', 'inherit', 'ignore' or a function (chunk, stream) => void";

function checkOutput(value: unknown, what: string): OutputOption {
  if (value === undefined) return 'capture';
  if (isOutputOption(value)) return value;
  return fail(`${what} must be ${OUTPUT_OPTION_TEXT}`);
}

function checkBoolean(value: unknown, what: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') fail(`${what} must be true or false, not ${JSON.stringify(value)}`);
  return value;
}

function checkThread(value: unknown): 'worker' | 'current' {
  if (value === undefined || value === 'worker' || value === 'current') return value ?? 'worker';
  return fail(`thread must be 'worker' or 'current', not ${JSON.stringify(value)}`);
}

/** Refuses what cannot work in the calling thread. */
function checkInThread(options: MicroPythonOptions): void {
  if (options.interruptGraceMs !== undefined) {
    fail(
      "interruptGraceMs cannot be used with thread: 'current': the calling thread cannot be terminated, so a call that keeps " +
        "running after its timeout's KeyboardInterrupt cannot be ended; leave thread out (or 'worker') for that",
    );
  }
}

function checkUnknown(options: object): void {
  for (const key of Object.keys(options)) {
    if ((KNOWN as string[]).includes(key)) continue;
    const near = KNOWN.find((k) => k.toLowerCase() === key.toLowerCase());
    fail(`unknown option '${key}'${near ? `; did you mean '${near}'?` : `; the options are ${KNOWN.join(', ')}`}`);
  }
}

/**
 * Checks every option and resolves defaults.
 * @throws TypeError saying what to change, for a wrong or contradictory option
 */
export function validateOptions(options: MicroPythonOptions | undefined): ResolvedOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null) fail('options must be an object');
  checkUnknown(options);
  const mounts = checkMounts(options.mounts);
  const cwd = options.cwd === undefined ? '/' : checkGuestPath(options.cwd, 'cwd', fail);
  const guests = Object.keys(mounts);
  if (cwd !== '/' && !guests.some((g) => isInside(cwd, g))) {
    fail(
      guests.length === 0
        ? `cwd ${cwd} is not inside any mount (there are none): add a mount for it or leave cwd as '/'`
        : `cwd ${cwd} is not inside any mount (${guests.join(', ')}): add a mount for it or choose a path inside one`,
    );
  }
  const stdin = options.stdin ?? new Uint8Array(0);
  if (typeof stdin !== 'string' && !(stdin instanceof Uint8Array)) fail('stdin must be a string or a Uint8Array');
  const heapLimitBytes = checkHeap(options.heapSize);
  const thread = checkThread(options.thread);
  const timeoutMs = checkTimeout(options.timeoutMs);
  if (thread === 'current') checkInThread(options);
  return {
    worker: {
      mounts,
      cwd,
      env: checkStringRecord(options.env, 'env'),
      argv: checkStringList(options.argv, 'argv') ?? [],
      path: checkStringList(options.path, 'path') ?? [...EMBED_DEFAULT_PATH],
      stdin: typeof stdin === 'string' ? new TextEncoder().encode(stdin) : stdin.slice(),
      heapBytes: Math.min(heapLimitBytes, INITIAL_HEAP_BYTES),
      heapLimitBytes,
      networkAllow: checkNetworkOption(options.network, fail),
      networkListen: checkListenOption(options.network, fail),
      jsBridge: checkBoolean(options.js, 'js'),
      fsBytes: checkSize(options.fsSize, 'fsSize', DEFAULT_FS_BYTES, [64 * 1024, '64K'], [MAX_HEAP_BYTES, MAX_HEAP_TEXT]),
    },
    timeoutMs,
    thread,
    interruptGraceMs: checkGrace(options.interruptGraceMs),
    stdout: checkOutput(options.stdout, 'stdout'),
    stderr: checkOutput(options.stderr, 'stderr'),
    lineBuffered: checkBoolean(options.lineBuffered, 'lineBuffered'),
    outputLimit: checkSize(
      options.outputLimit,
      'outputLimit',
      DEFAULT_OUTPUT_LIMIT_BYTES,
      [MIN_OUTPUT_LIMIT_BYTES, '1K'],
      [MAX_OUTPUT_LIMIT_BYTES, '256M'],
    ),
  };
}
