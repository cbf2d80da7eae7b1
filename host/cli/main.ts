#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { CLI_V8_FLAGS } from '../../wasm/cli-v8-flags.js';
import { SUBCOMMANDS, type SubcommandModule } from './subcommands.js';
import { parseRunArgs } from './args.js';
import { helpText } from './help.js';
import { INTERNAL_ERROR_STATUS, USAGE_STATUS } from '../../runtime/guest-layout.js';

async function main(argv: string[]): Promise<number> {
  const sub = argv[0] !== undefined ? SUBCOMMANDS[argv[0]] : undefined;
  if (sub) {
    const module = (await import(sub.module)) as SubcommandModule;
    return module.run(argv.slice(1));
  }
  const parsed = parseRunArgs(argv);
  switch (parsed.action) {
    case 'help':
      process.stdout.write(helpText());
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
      setFlagsFromString(CLI_V8_FLAGS.join(' '));
      // The interpreter runs in a worker: this thread keeps its event loop for SIGINT.
      // The worker starts first (its start-up is the longest wait); the rest loads, and the wasm compiles, meanwhile.
      const [{ startProgramWorker }, { currentProcess }] = await Promise.all([
        import('./program-worker-start.js'),
        import('./cli-process.js'),
      ]);
      const proc = currentProcess();
      const started = startProgramWorker(parsed.args, proc);
      const { superviseProgram } = await import('./supervisor.js');
      return superviseProgram(started, proc);
    }
  }
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error: unknown) => {
    const detail = process.env.MPY_DEBUG ? (error as Error)?.stack : ((error as Error)?.message ?? String(error));
    process.stderr.write(`mpy: internal error: ${detail}\n(set MPY_DEBUG=1 for a stack trace; please report this)\n`);
    process.exit(INTERNAL_ERROR_STATUS);
  },
);
