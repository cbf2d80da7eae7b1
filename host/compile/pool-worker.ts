/**
 * The compile pool's worker file (piscina): loads mpy-cross from the module
 * in the pool's `workerData` as soon as the thread starts, then compiles each
 * batch it is given, in order.
 */
import { workerData } from 'node:worker_threads';
import type { CompileBatchResult, CompileTask, CompileWorkerData } from './task.js';
import { adoptModule, compileBatch } from './worker.js';

const ready = adoptModule((workerData as CompileWorkerData).module);

/** Compiles one batch of files (see {@link compileBatch}). */
export default async function compilePoolBatch(batch: readonly CompileTask[]): Promise<CompileBatchResult> {
  await ready;
  return compileBatch(batch);
}
