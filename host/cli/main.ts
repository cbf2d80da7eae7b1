#!/usr/bin/env node
import { SUBCOMMANDS, type SubcommandModule } from './subcommands.js';
import { parseRunArgs } from './args.js';
import { helpText } from './help.js';

const DEFAULT_HEAP_BYTES = 4 * 1024 * 1024;
const USAGE_STATUS = 1;
const INTERNAL_ERROR_STATUS = 70;

async function main(argv: string[]): Promise<number> {
  const sub = argv[0] !== undefined ? SUBCOMMANDS[argv[0]] : undefined;
  if (sub) {
    const module = (await import(sub.module)) as SubcommandModule;
    return module.run(argv.slice(1));
  }
  const parsed = parseRunArgs(argv);
  switch (parsed.action) {
    case 'help':
      process.stdout.write(helpText(DEFAULT_HEAP_BYTES));
      return 0;
    case 'version': {
      const { INTERPRETER_VERSION } = await import('../../wasm/locate.js');
      process.stdout.write(`mpy (MicroPython ${INTERPRETER_VERSION}, WebAssembly)\n`);
      return 0;
    }
    case 'error':
      process.stderr.write(`mpy: ${parsed.message}\nInvalid command line arguments. Use -h option for help.\n`);
      return USAGE_STATUS;
    case 'run': {
      // The interpreter compiles on V8's background threads while the rest of mpy loads.
      void import('../../wasm/compiled-module.js').then((m) => m.getInterpreterModuleAsync().catch(() => {}));
      const { runProgram } = await import('./run.js');
      return runProgram(parsed.args);
    }
  }
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error: unknown) => {
    const detail = process.env.MPY_DEBUG ? (error as Error)?.stack : (error as Error)?.message ?? String(error);
    process.stderr.write(`mpy: internal error: ${detail}\n(set MPY_DEBUG=1 for a stack trace; please report this)\n`);
    process.exit(INTERNAL_ERROR_STATUS);
  },
);
