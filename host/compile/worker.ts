/**
 * The compile pool's worker (piscina): one {@link BytecodeCompiler} per
 * thread, loaded on the first task from the wasm module the pool compiled,
 * then used for every batch of files the thread is given.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { threadId, workerData } from 'node:worker_threads';
import { BytecodeCompiler } from './bytecode-compiler.js';
import type { CompileBatchResult, CompileFileResult, CompileTask, CompileWorkerData } from './task.js';

let compiler: Promise<BytecodeCompiler> | undefined;

function load(): Promise<BytecodeCompiler> {
  const data = workerData as CompileWorkerData | undefined;
  compiler ??= BytecodeCompiler.load(data?.module ? { module: data.module } : {});
  return compiler;
}

function failure(message: string): CompileFileResult {
  return { ok: false, line: undefined, message, rewrites: [] };
}

async function compileOne(c: BytecodeCompiler, task: CompileTask): Promise<CompileFileResult> {
  let source: Uint8Array;
  try {
    source = await readFile(task.source);
  } catch (err) {
    return failure(`cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let outcome;
  try {
    outcome = await c.compile(source, { name: task.name, optimize: task.optimize });
  } catch (err) {
    // mpy-cross aborted on this file twice, on fresh instances: report it, go on with the others.
    return failure(`internal compiler failure: ${(err as Error).message}`);
  }
  if (!outcome.ok) return { ok: false, line: outcome.line, message: outcome.message, rewrites: [] };
  try {
    await writeFile(task.output, outcome.mpy);
  } catch (err) {
    return failure(`cannot write ${task.output}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return { ok: true, line: undefined, message: undefined, rewrites: outcome.rewrites };
}

/** Compiles a batch of files in order; a source that does not compile is a result, not an exception. */
export default async function compileBatch(tasks: readonly CompileTask[]): Promise<CompileBatchResult> {
  const c = await load();
  const results: CompileFileResult[] = [];
  for (const task of tasks) results.push(await compileOne(c, task));
  return { results, threadId, stats: c.stats };
}
