/** The messages between the compile pool and its workers. */
import type { FloatRewrite } from './float-guard.js';
import type { MpyCrossStats } from './mpy-cross.js';

/** One file for a worker: read `source`, write `output`. */
export interface CompileTask {
  /** Absolute path of the .py file. */
  readonly source: string;
  /** Absolute path of the .mpy to write (its directory must exist). */
  readonly output: string;
  /** Source name stored in the .mpy. */
  readonly name: string;
  /** mpy-cross optimisation level 0..3. */
  readonly optimize: number;
}

/** What a worker did with one file. */
export interface CompileFileResult {
  /** Whether the .mpy was written. */
  readonly ok: boolean;
  /** Error line, when failed and known. */
  readonly line: number | undefined;
  /** Error message, when failed. */
  readonly message: string | undefined;
  /** Float literals kept exact by rewriting. */
  readonly rewrites: readonly FloatRewrite[];
}

/** What a worker did with a batch of files (one pool task). */
export interface CompileBatchResult {
  /** One result per task, in order. */
  readonly results: readonly CompileFileResult[];
  /** The worker's thread id. */
  readonly threadId: number;
  /** The worker's mpy-cross counters after the batch (cumulative). */
  readonly stats: MpyCrossStats;
}

/** What the pool passes each worker at start-up. */
export interface CompileWorkerData {
  /** mpy-cross compiled once by the pool's thread. */
  readonly module: WebAssembly.Module;
}
