/**
 * The per-run options of `runFile`, and their checking into the request the
 * worker gets.
 *
 * @module
 */
import type { RunFileRequest } from './protocol.js';

/** Options of `runFile`: the run's own `sys.argv`, environment and stdin, plus an abort signal. */
export interface RunFileOptions {
  /** `sys.argv` for this run, exactly as given; the instance's comes back after it. Default: the instance's. */
  readonly argv?: readonly string[];
  /**
   * The environment `os.getenv` sees during this run, in place of the
   * instance's (spread the create-time `env` into it to extend that); changes
   * the program makes with `os.putenv` end with the run. Default: the instance's.
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * What `sys.stdin` and `input()` read during this run, then end of file;
   * the instance's own stdin comes back after it, where reading had got to.
   * Default: the instance's.
   */
  readonly stdin?: string | Uint8Array;
  /** See `CallOptions.signal`. */
  readonly signal?: AbortSignal;
}

const KNOWN = ['argv', 'env', 'stdin', 'signal'];

function fail(message: string): never {
  throw new TypeError(`runFile: ${message}`);
}

/**
 * Checks `runFile`'s arguments and builds its request.
 * @throws TypeError saying what to change
 */
export function runFileRequest(path: unknown, options: RunFileOptions = {}): RunFileRequest {
  if (typeof path !== 'string' || path === '') fail('path must be a non-empty string');
  if (typeof options !== 'object' || options === null) fail('options must be an object like { argv: [...] }');
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) fail(`unknown option '${key}'; the options are ${KNOWN.join(', ')}`);
  }
  const { argv, env, stdin } = options;
  if (argv !== undefined && (!Array.isArray(argv) || argv.some((a) => typeof a !== 'string'))) fail('argv must be an array of strings');
  if (env !== undefined) {
    if (typeof env !== 'object' || env === null || Array.isArray(env)) fail("env must be an object of strings, like { HOME: '/home' }");
    for (const [key, value] of Object.entries(env)) if (typeof value !== 'string') fail(`env.${key} must be a string, not ${typeof value}`);
  }
  if (stdin !== undefined && typeof stdin !== 'string' && !(stdin instanceof Uint8Array)) fail('stdin must be a string or a Uint8Array');
  return {
    op: 'runFile',
    path,
    ...(argv !== undefined ? { argv: [...argv] } : {}),
    ...(env !== undefined ? { env: { ...env } } : {}),
    ...(stdin !== undefined ? { stdin: typeof stdin === 'string' ? new TextEncoder().encode(stdin) : stdin.slice() } : {}),
  };
}
