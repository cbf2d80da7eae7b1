/**
 * The `mpy` command without a subcommand (the Unix port's interface): parses
 * the arguments, then prints help or the version, or runs the program in the
 * interpreter's thread. The main thread runs it from the `cli-main` bundle
 * (`main.ts`).
 *
 * @module
 */
import { parseRunArgs } from './args.js';
import { helpText } from './help.js';
import { USAGE_STATUS } from '../../runtime/guest-layout.js';

/**
 * Runs the command line `argv` (after `mpy`); resolves to the exit status.
 * @param beforeThread called just before the interpreter thread starts (which sets the command's V8 flags)
 */
export async function runCommand(argv: string[], beforeThread?: () => void): Promise<number> {
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
      beforeThread?.();
      const started = startProgramWorker(parsed.args, proc);
      const { superviseProgram } = await import('./supervisor.js');
      return superviseProgram(started, proc);
    }
  }
}
