import { SUBCOMMANDS } from './subcommands.js';
import { MIN_HEAP_BYTES } from './heap-size.js';

/** The text of `mpy -h`. */
export function helpText(defaultHeapBytes: number): string {
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
  heapsize=<n>[w][K|M]         -- set the GC heap size and bound (default ${defaultHeapBytes}, min ${MIN_HEAP_BYTES})

Environment:
  MICROPYPATH     sys.path after its first entry (default .frozen:~/.micropython/lib:/usr/lib/micropython)
  MICROPYINSPECT  when non-empty, as -i
  HOME            expands ~/ in MICROPYPATH

Commands:
${commands}
Run \`mpy <command> --help\` for a command's options.
`;
}
