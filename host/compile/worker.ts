/**
 * The compile pool's worker (piscina), also used by `compileTree`'s own thread
 * (which compiles alongside the pool): one {@link BytecodeCompiler} per
 * thread, loaded on the first task from the wasm module the pool compiled,
 * then used for every batch of files the thread is given. Sources are read
 * synchronously (this thread has nothing else to do meanwhile, and a
 * blocking read costs a fraction of the CPU of a promise-based one); each
 * .mpy is written asynchronously so that the write overlaps the next compile.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-write.js';
import { threadId, workerData } from 'node:worker_threads';
import { BytecodeCompiler } from './bytecode-compiler.js';
import type { MpyCrossStats } from './mpy-cross.js';
import type { CompileBatchResult, CompileFileResult, CompileTask, CompileWorkerData } from './task.js';

let compiler: Promise<BytecodeCompiler> | undefined;

/**
 * Makes this thread (the calling thread of `compileTree`) compile with `module`
 * unless it already has a compiler, and loads it.
 * @returns the compiler's counters so far, which a caller subtracts from later ones
 */
export async function adoptModule(module: WebAssembly.Module): Promise<MpyCrossStats> {
  compiler ??= BytecodeCompiler.load({ module });
  return (await compiler).stats;
}

function load(): Promise<BytecodeCompiler> {
  const data = workerData as CompileWorkerData | undefined;
  compiler ??= BytecodeCompiler.load(data?.module ? { module: data.module } : {});
  return compiler;
}

function failure(message: string): CompileFileResult {
  return { ok: false, line: undefined, message, rewrites: [] };
}

async function compileOne(c: BytecodeCompiler, task: CompileTask, writes: Promise<unknown>[]): Promise<CompileFileResult> {
  let source: Uint8Array;
  try {
    source = readFileSync(task.source);
  } catch (err) {
    return failure(`cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let outcome: Awaited<ReturnType<typeof c.compile>>;
  try {
    outcome = await c.compile(source, { name: task.name, optimize: task.optimize });
  } catch (err) {
    // mpy-cross aborted on this file twice, on fresh instances: report it, go on with the others.
    return failure(`internal compiler failure: ${(err as Error).message}`);
  }
  if (!outcome.ok) return { ok: false, line: outcome.line, message: outcome.message, rewrites: [] };
  const result: { -readonly [K in keyof CompileFileResult]: CompileFileResult[K] } = {
    ok: true,
    line: undefined,
    message: undefined,
    rewrites: outcome.rewrites,
  };
  // The write overlaps the next compile; the batch waits for all of them before it reports.
  writes.push(
    writeFileAtomic(task.output, outcome.mpy).catch((err: NodeJS.ErrnoException) => {
      Object.assign(result, failure(`cannot write ${task.output}: ${err.code ?? String(err)}`));
    }),
  );
  return result;
}

/** Compiles a batch of files in order; a source that does not compile is a result, not an exception. */
export default async function compileBatch(tasks: readonly CompileTask[]): Promise<CompileBatchResult> {
  const c = await load();
  const results: CompileFileResult[] = [];
  const writes: Promise<unknown>[] = [];
  for (const task of tasks) results.push(await compileOne(c, task, writes));
  await Promise.all(writes);
  return { results, threadId, stats: c.stats };
}
