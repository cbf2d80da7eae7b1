/**
 * The `mpy` command's interpreter thread (started by
 * `program-worker-entry.ts`, from the `program-worker` bundle or as modules): runs the program (and the REPL)
 * exactly as `runProgram` does, with stdin and the terminal mode handled by
 * the main thread (supervisor.ts), which also turns SIGINT into
 * KeyboardInterrupt. Posts the exit status when done.
 *
 * @module
 */
import { MessageChannel, parentPort, workerData } from 'node:worker_threads';
import { adoptInterpreterModule } from '../../wasm/compiled-module.js';
import { adoptInterpreterFiles } from '../../wasm/locate.js';
import { CLI_BOOT_V8_FLAGS } from '../../wasm/cli-v8-flags.js';
import { setGlueCacheProfile, writeGlueCache } from '../../wasm/glue-script.js';
import type { ProgramWorkerInit, ProgramWorkerMessage, SupervisorMessage } from './program-protocol.js';
import { ReplActivity } from './repl-activity.js';
import { StdinChannel } from './stdin-channel.js';

const init = workerData as ProgramWorkerInit;
const port = parentPort!;
const post = (m: ProgramWorkerMessage): void => port.postMessage(m);

/**
 * Runs the program, then posts its exit status.
 * @param finished called when the program has finished, before its status is posted (the main thread then exits); it sets the flags it needs
 */
export async function runProgramThread(finished: () => void | Promise<void>): Promise<void> {
  try {
    // The main thread compiles the wasm while this thread loads; it posts the module once compiled.
    const received = new Promise<SupervisorMessage>((resolve) => port.once('message', resolve));
    post({ kind: 'loaded' });
    setGlueCacheProfile('cli');
    const [{ runProgram, currentProcess }, message] = await Promise.all([import('./run.js'), received]);
    adoptInterpreterModule(message.module);
    adoptInterpreterFiles(message.files);
    const replActivity = new ReplActivity(init.replActivity);
    const stdin = new StdinChannel(
      init.stdinPort,
      (prompt) => post({ kind: 'read', prompt }),
      (raw) => post({ kind: 'tty', raw }),
      replActivity,
    );
    const proc = { ...currentProcess(init), cwd: init.cwd };
    const status = await runProgram(
      init.args,
      {
        stdin,
        replActivity,
        onBoot: (interp) =>
          post({ kind: 'booted', wake: interp.waits.wake.buffer as SharedArrayBuffer, target: interp.interruptTarget ?? null }),
        setRaw: (raw) => stdin.setTerminalMode(raw),
        startNetService: (service) => {
          const channel = new MessageChannel();
          port.postMessage({ kind: 'net', port: channel.port2, init: service } satisfies ProgramWorkerMessage, [channel.port2]);
          channel.port1.unref();
          return { postMessage: (request) => channel.port1.postMessage(request), close: () => channel.port1.close() };
        },
      },
      proc,
    );
    writeGlueCache(CLI_BOOT_V8_FLAGS);
    await finished();
    post({ kind: 'done', status });
  } catch (e) {
    post({ kind: 'failed', message: (e as Error)?.message ?? String(e), stack: (e as Error)?.stack });
  }
}
