import { MAX_HEAP_BYTES, MAX_HEAP_TEXT, MIN_HEAP_BYTES, MIN_HEAP_TEXT } from '../../runtime/guest-layout.js';
import { parseHeapSize } from '../../runtime/heap-size.js';

/** What the command line asks to run. */
type Program =
  | { readonly kind: 'code'; readonly code: string }
  | { readonly kind: 'module'; readonly name: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'none' };

/** The Unix-port command line, parsed. */
export interface RunArgs {
  readonly program: Program;
  /** `sys.argv` for the program. */
  readonly argv: readonly string[];
  /** `-i`: enter the REPL after running the program. */
  readonly inspect: boolean;
  /** `-O[N]`: bytecode optimisation level. */
  readonly optimize: number;
  /** `-v` count. */
  readonly verbose: number;
  /** `-X heapsize=`: GC heap bytes (also its bound, as on the Unix port). */
  readonly heapBytes: number | undefined;
  /** `-X compile-only`: parse and compile, do not run. */
  readonly compileOnly: boolean;
}

/** The result of parsing: arguments to run, or a request answered without running. */
export type ParsedArgs =
  | { readonly action: 'run'; readonly args: RunArgs }
  | { readonly action: 'help' }
  | { readonly action: 'version' }
  | { readonly action: 'error'; readonly message: string };

const NATIVE_EMITTERS = new Set(['emit=native', 'emit=viper']);

/**
 * Parses `mpy [options] [-c CMD | -m MOD | FILE] [ARGS]` as the Unix port's
 * `main.c` does: options up to the program; everything after the program goes
 * to `sys.argv` untouched.
 */
export function parseRunArgs(argv: readonly string[]): ParsedArgs {
  let inspect = false;
  let optimize = 0;
  let verbose = 0;
  let heapBytes: number | undefined;
  let compileOnly = false;
  const done = (program: Program, sysArgv: readonly string[]): ParsedArgs => ({
    action: 'run',
    args: { program, argv: sysArgv, inspect, optimize, verbose, heapBytes, compileOnly },
  });

  for (let a = 0; a < argv.length; a++) {
    const arg = argv[a]!;
    if (arg === '-h' || arg === '--help') return { action: 'help' };
    if (arg === '--version') return { action: 'version' };
    if (!arg.startsWith('-')) {
      return done({ kind: 'file', path: arg }, argv.slice(a));
    }
    if (arg === '-i') {
      inspect = true;
    } else if (arg === '-c' || arg === '-m') {
      const value = argv[a + 1];
      if (value === undefined) return { action: 'error', message: `option ${arg} needs an argument` };
      return arg === '-c'
        ? done({ kind: 'code', code: value }, ['-c', ...argv.slice(a + 2)])
        : done({ kind: 'module', name: value }, argv.slice(a + 1));
    } else if (arg === '-X') {
      const value = argv[++a];
      if (value === undefined) return { action: 'error', message: 'option -X needs an argument' };
      if (value === 'compile-only') compileOnly = true;
      else if (value === 'emit=bytecode') {
        // The only emitter this build has.
      } else if (NATIVE_EMITTERS.has(value)) {
        return {
          action: 'error',
          message: `-X ${value} is not available: the WebAssembly build has no native code emitter; use -X emit=bytecode (the default)`,
        };
      } else if (value.startsWith('heapsize=')) {
        heapBytes = parseHeapSize(value.slice('heapsize='.length));
        if (heapBytes === undefined) {
          return { action: 'error', message: `invalid heap size in -X ${value} (expected N[w][K|M], like 512K or 4M)` };
        }
        if (heapBytes < MIN_HEAP_BYTES) {
          return {
            action: 'error',
            message: `invalid heap size in -X ${value}: below the minimum ${MIN_HEAP_TEXT} that mpy needs to start; use -X heapsize=${MIN_HEAP_TEXT} or more`,
          };
        }
        if (heapBytes > MAX_HEAP_BYTES) {
          return {
            action: 'error',
            message: `heap size in -X ${value} is above the maximum ${MAX_HEAP_TEXT} (wasm32 memory is 2 GiB); use -X heapsize=${MAX_HEAP_TEXT} or less`,
          };
        }
      } else {
        return { action: 'error', message: `unknown implementation option -X ${value}` };
      }
    } else if (arg === '-v') {
      verbose++;
    } else if (arg.startsWith('-O')) {
      const rest = arg.slice(2);
      if (/^[0-9]/.test(rest)) optimize = Number(rest[0]);
      else if (/^O*$/.test(rest)) optimize = 1 + rest.length;
      else return { action: 'error', message: `unknown option ${arg}` };
    } else {
      return { action: 'error', message: `unknown option ${arg}` };
    }
  }
  return done({ kind: 'none' }, []);
}
