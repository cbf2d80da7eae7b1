import { SUBCOMMANDS } from './subcommands.js';
import { CLI_HEAP_LIMIT_BYTES, DEFAULT_MICROPYPATH, INITIAL_HEAP_BYTES, MAX_HEAP_TEXT, MIN_HEAP_TEXT } from '../../runtime/guest-layout.js';

/** The text of `mpy -h`. */
export function helpText(): string {
  const commands = Object.entries(SUBCOMMANDS)
    .map(([name, entry]) => `  mpy ${name.padEnd(9)} ${entry.summary}`)
    .join('\n');
  return `usage: mpy [<opts>] [-X <implopt>] [-c <command> | -m <module> | <filename>] [args]
MicroPython ${'(official WebAssembly build)'} as the Unix port's \`micropython\` command.

Options:
-h : print this help message
-i : enable inspection via REPL after running command/module/file
-v : verbose (print memory use at exit); can be repeated
-O[N] : apply bytecode optimizations of level N

Implementation specific options (-X):
  compile-only                 -- parse and compile only
  emit=bytecode                -- set the default code emitter (the only one here)
  heapsize=<n>[w][K|M]         -- set the GC heap size and bound (min ${MIN_HEAP_TEXT}, max ${MAX_HEAP_TEXT}; default:
                                  starts at ${INITIAL_HEAP_BYTES}, grows to at most ${CLI_HEAP_LIMIT_BYTES})

Environment:
  MICROPYPATH     sys.path after its first entry (default ${DEFAULT_MICROPYPATH})
  MICROPYINSPECT  when non-empty, as -i
  HOME            expands ~/ in MICROPYPATH

Commands:
${commands}
Run \`mpy <command> --help\` for a command's options.
`;
}
