/**
 * The compile pool's worker (piscina): one {@link BytecodeCompiler} per
 * thread, loaded on the first task from the wasm module the pool compiled,
 * then used for every file the thread is given.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { threadId, workerData } from 'node:worker_threads';
import { BytecodeCompiler } from './bytecode-compiler.js';
import type { CompileTask, CompileTaskResult, CompileWorkerData } from './task.js';

let compiler: Promise<BytecodeCompiler> | undefined;

function load(): Promise<BytecodeCompiler> {
  const data = workerData as CompileWorkerData | undefined;
  compiler ??= BytecodeCompiler.load(data?.module ? { module: data.module } : {});
  return compiler;
}

/** Compiles one file; a source that does not compile is a result, not an exception. */
export default async function compileFile(task: CompileTask): Promise<CompileTaskResult> {
  const c = await load();
  const base = { threadId, rewrites: [] as CompileTaskResult['rewrites'] };
  let source: Uint8Array;
  try {
    source = await readFile(task.source);
  } catch (err) {
    return { ...base, ok: false, line: undefined, message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, stats: c.stats };
  }
  const outcome = await c.compile(source, { name: task.name, optimize: task.optimize });
  if (!outcome.ok) return { ...base, ok: false, line: outcome.line, message: outcome.message, stats: c.stats };
  try {
    await mkdir(dirname(task.output), { recursive: true });
    await writeFile(task.output, outcome.mpy);
  } catch (err) {
    return { ...base, ok: false, line: undefined, message: `cannot write ${task.output}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, stats: c.stats };
  }
  return { ...base, ok: true, line: undefined, message: undefined, rewrites: outcome.rewrites, stats: c.stats };
}
