/**
 * A compile pool worker thread: loads mpy-cross from the module in its
 * `workerData` (as soon as it starts) and answers each batch message with its
 * {@link CompileWorkerReply}, in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CompileTask, CompileWorkerData, CompileWorkerReply } from './task.js';
import { adoptModule, compileBatch } from './worker.js';

const ready = adoptModule((workerData as CompileWorkerData).module);
let queue: Promise<void> = Promise.resolve();

parentPort!.on('message', (batch: readonly CompileTask[]) => {
  queue = queue.then(async () => {
    let reply: CompileWorkerReply;
    try {
      await ready;
      reply = { result: await compileBatch(batch) };
    } catch (err) {
      reply = { error: (err as Error)?.message ?? String(err) };
    }
    parentPort!.postMessage(reply);
  });
});
