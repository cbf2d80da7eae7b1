#!/usr/bin/env node
import { SUBCOMMANDS, type SubcommandModule } from './subcommands.js';
import { parseRunArgs } from './args.js';
import { helpText } from './help.js';
import { INTERNAL_ERROR_STATUS, USAGE_STATUS } from '../../runtime/guest-layout.js';

/**
 * V8 re-compiles a wasm function with TurboFan once it has run for a budget of
 * executed bytes. With the default budget (1.8M) the boot alone makes the VM's
 * dispatch function hot; its TurboFan compile takes ~100 ms on a background
 * thread, and process exit waits for it, so `mpy -c pass` paid it every time.
 * A larger budget moves that compile to programs that run long enough to use
 * it (measured: `-c pass` ~265 -> ~195 ms, CPU-bound scripts unchanged).
 * Only the CLI owns its process's V8 flags; embedders keep theirs.
 */
const WASM_TIERING_BUDGET = 12_000_000;

/**
 * TurboFan's wasm-into-wasm inlining (off by default in Node 20's V8): small
 * callees (type checks, map lookups) inlined into the VM's dispatch loop make
 * pystone_lowmem ~6% faster (`npm run bench`, row `pystone.vs-no-wasm-inlining`).
 * It applies only to modules compiled after it is set, so it is set before the
 * supervisor compiles the interpreter.
 */
const WASM_INLINING = '--wasm-inlining';

async function setWasmFlags(): Promise<void> {
  const { setFlagsFromString } = await import('node:v8');
  setFlagsFromString(`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`);
  setFlagsFromString(WASM_INLINING);
}

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
      // The interpreter runs in a worker: this thread keeps its event loop for SIGINT.
      // The worker starts first (its start-up is the longest wait); the rest loads, and the wasm compiles, meanwhile.
      const [{ startProgramWorker }, { currentProcess }] = await Promise.all([
        import('./program-worker-start.js'),
        import('./cli-process.js'),
      ]);
      const proc = currentProcess();
      const started = startProgramWorker(parsed.args, proc);
      const [{ superviseProgram }] = await Promise.all([import('./supervisor.js'), setWasmFlags()]);
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
