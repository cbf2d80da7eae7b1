/**
 * The `mpy` command's main thread while a program runs: hands the
 * interpreter's worker (program-worker.ts, started by program-worker-start.ts)
 * the compiled wasm and stdin, sets the terminal mode it asks for, and turns SIGINT (and Ctrl-C
 * typed at the REPL while code runs) into a KeyboardInterrupt in the running
 * program through the interpreter's shared memory. A second SIGINT while the
 * first is still pending (the program is not taking it) ends the process
 * with status 130, as does SIGINT before the interpreter is up or on a build
 * without interrupt support.
 *
 * @module
 */
import { setFlagsFromString } from 'node:v8';
import type { MessagePort, Worker } from 'node:worker_threads';
import type { ServiceInit } from '../net/protocol.js';
import { CLI_BOOT_V8_FLAGS, CLI_RUN_V8_FLAGS } from '../../wasm/cli-v8-flags.js';
import { getInterpreterModuleAsync } from '../../wasm/compiled-module.js';
import { locateInterpreter } from '../../wasm/locate.js';
import { keyboardInterruptPending, requestKeyboardInterrupt, type InterruptTarget } from '../../runtime/interrupt.js';
import type { CliProcess } from './cli-process.js';
import type { ProgramWorkerMessage, SupervisorMessage } from './program-protocol.js';
import type { StartedProgram } from './program-worker-start.js';
import { ReplActivity } from './repl-activity.js';
import { StdinPump } from './stdin-pump.js';
import { INTERNAL_ERROR_STATUS, INTERRUPTED_STATUS } from '../../runtime/guest-layout.js';

/**
 * Supervises the program's worker (see program-worker-start.ts) and resolves
 * to its exit status.
 * @param proc the process the command runs in (for its error output)
 */
export function superviseProgram(started: StartedProgram, proc: CliProcess): Promise<number> {
  const { worker } = started;
  let target: InterruptTarget | undefined;
  let raw = false;
  const setRaw = (on: boolean): void => {
    if (on === raw || !process.stdin.isTTY) return;
    raw = on;
    process.stdin.setRawMode(on);
  };
  const interrupt = (): void => {
    if (target === undefined || keyboardInterruptPending(target)) {
      setRaw(false);
      process.exit(INTERRUPTED_STATUS);
    }
    requestKeyboardInterrupt(target);
  };
  const pump = new StdinPump(started.stdin, interrupt, new ReplActivity(started.replActivity));
  // At the REPL prompt SIGINT (from kill; a typed Ctrl-C is a keystroke there) abandons the line, as Ctrl-C does.
  const onSigint = (): void => pump.ctrlC();
  process.on('SIGINT', onSigint);

  // The module compiles once the thread has set the command's flags; the
  // boot's flags wait for the thread's code too: V8 takes the code cache of
  // the thread's bundle only under the flags it was made under (the command's).
  const flagsSet = nextMessage(worker, 'flags');
  const loaded = nextMessage(worker, 'loaded');
  Promise.all([flagsSet.then(() => getInterpreterModuleAsync()), loaded]).then(
    ([module]) => {
      setFlagsFromString(CLI_BOOT_V8_FLAGS.join(' '));
      worker.postMessage({ kind: 'module', module, files: locateInterpreter() } satisfies SupervisorMessage);
    },
    (e: unknown) => {
      proc.writeError(`mpy: cannot load the interpreter: ${(e as Error)?.message ?? String(e)}\n`);
      process.exit(INTERNAL_ERROR_STATUS);
    },
  );

  return new Promise<number>((resolve, reject) => {
    let status: number | undefined;
    worker.on('message', (m: ProgramWorkerMessage) => {
      switch (m.kind) {
        case 'booted':
          // Here rather than in the worker, which would have to load node:v8 (~3 ms) for it.
          setFlagsFromString(CLI_RUN_V8_FLAGS.join(' '));
          target = m.target ?? undefined;
          pump.setWake(m.wake);
          break;
        case 'read':
          pump.request(m.prompt);
          break;
        case 'net':
          void serveNetworkHere(m.port, m.init);
          break;
        case 'tty':
          setRaw(m.raw);
          pump.ttyModeSet(m.raw);
          break;
        case 'done':
          // Output is written (synchronously) by now: the process may end without waiting for the thread to wind down.
          status = m.status;
          process.off('SIGINT', onSigint);
          setRaw(false);
          resolve(status);
          break;
        case 'failed': {
          const error = new Error(m.message);
          error.stack = m.stack;
          reject(error);
          break;
        }
      }
    });
    worker.on('error', reject);
    worker.on('exit', () => {
      process.off('SIGINT', onSigint);
      setRaw(false);
      if (status === undefined) reject(new Error('the interpreter thread ended without an exit status'));
      else resolve(status);
    });
  });
}

/** Resolves when `worker` first posts a message of `kind`. */
function nextMessage(worker: Worker, kind: ProgramWorkerMessage['kind']): Promise<void> {
  return new Promise<void>((resolve) => {
    const listener = (m: ProgramWorkerMessage): void => {
      if (m.kind !== kind) return;
      worker.off('message', listener);
      resolve();
    };
    worker.on('message', listener);
  });
}

/**
 * Serves the program's network on this thread, which is idle while the
 * program runs: a worker started for it would start after the interpreter
 * thread changed V8's flags, and take ~100 ms more (see program-worker-entry.ts).
 */
async function serveNetworkHere(port: MessagePort, init: ServiceInit): Promise<void> {
  // Loaded here, not at start-up: most programs never open a socket.
  const { serveNetwork } = await import('../net/service.js');
  const service = serveNetwork(port, init);
  // As in a network worker: a bug in the service answers the waiting call with EIO, saying why, and the program goes on.
  const onUncaught = (e: unknown): void => service.failWaitingCall(e);
  process.on('uncaughtException', onUncaught);
  // The bridge let this service go (it restarts one that stopped answering): its sockets and its guard go too.
  port.on('close', () => {
    process.off('uncaughtException', onUncaught);
    service.closeAll();
  });
}
