/**
 * Starts the `mpy` command's interpreter thread (program-worker.ts). Kept
 * apart from the supervisor, with nothing to load but Node's own modules, so
 * that the command starts the worker first thing: a thread's start-up is the
 * longest wait before a program runs, and the rest of the main thread's
 * loading (and the wasm compile) overlaps it.
 *
 * @module
 */
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { threadEntry } from '../../base/bundle.js';
import { compiledFile } from '../../base/package-files.js';
import type { RunArgs } from './args.js';
import type { CliProcess } from './cli-process.js';
import type { ProgramWorkerInit } from './program-protocol.js';
import { ReplActivity } from './repl-activity.js';

/** A started interpreter thread and the main thread's end of its stdin. */
export interface StartedProgram {
  readonly worker: Worker;
  readonly stdin: MessagePort;
  /** The REPL's activity word (repl-activity.ts), shared with the worker. */
  readonly replActivity: SharedArrayBuffer;
}

/** Starts the worker that will run `args` (it then waits for the compiled wasm). */
export function startProgramWorker(args: RunArgs, proc: CliProcess): StartedProgram {
  const stdin = new MessageChannel();
  const replActivity = ReplActivity.allocate();
  const init: ProgramWorkerInit = {
    args,
    cwd: proc.cwd,
    stdinIsTTY: proc.stdinIsTTY,
    stdoutIsTTY: proc.stdoutIsTTY,
    stdinPort: stdin.port2,
    replActivity,
  };
  const worker = new Worker(threadEntry('program-worker-entry', compiledFile('host/cli/program-worker-entry.js')), {
    workerData: init,
    transferList: [stdin.port2],
    execArgv: [],
  });
  return { worker, stdin: stdin.port1, replActivity };
}
