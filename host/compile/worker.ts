/**
 * The compile pool's worker, also used by `compileTree`'s own thread (which
 * compiles alongside the pool): one {@link BytecodeCompiler} per thread,
 * loaded on the first batch from the wasm module the calling thread compiled,
 * then used for every batch of files the thread is given. Sources are read
 * and compiled synchronously (this thread has nothing else to do meanwhile,
 * and a blocking read costs a fraction of the CPU of a promise-based one);
 * each .mpy is written asynchronously, so that creating the file (the
 * costliest system call here) overlaps the next compile.
 */
import { readFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { writeFileAtomic } from '../atomic-write.js';
import { BytecodeCompiler } from './bytecode-compiler.js';
import type { CompileBatchResult, CompileFileResult, CompileTask } from './task.js';

let compiler: BytecodeCompiler | undefined;

/**
 * Makes this thread compile with `module` unless it already has a compiler.
 * @returns the compiler's counters so far, which a caller subtracts from later ones
 */
export async function adoptModule(module: WebAssembly.Module): Promise<BytecodeCompiler['stats']> {
  compiler ??= await BytecodeCompiler.load({ module });
  return compiler.stats;
}

function failure(message: string): CompileFileResult {
  return { ok: false, line: undefined, message, rewrites: [] };
}

function compileOne(c: BytecodeCompiler, task: CompileTask, writes: Promise<unknown>[], writable: Promise<unknown>): CompileFileResult {
  let source: Uint8Array;
  try {
    source = readFileSync(task.source);
  } catch (err) {
    return failure(`cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let outcome: ReturnType<typeof c.compile>;
  try {
    outcome = c.compile(source, { name: task.name, optimize: task.optimize });
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
  // The batch waits for all of its writes before it reports.
  writes.push(
    writable
      .then(() => writeFileAtomic(task.output, outcome.mpy))
      .catch((err: NodeJS.ErrnoException) => {
        Object.assign(result, failure(`cannot write ${task.output}: ${err.code ?? String(err)}`));
      }),
  );
  return result;
}

/**
 * Compiles a batch of files in order on this thread's compiler (which {@link adoptModule} made);
 * a source that does not compile is a result, not an exception. Every file is compiled before this
 * returns; the promise settles once their .mpy files are written.
 * @param writable the .mpy files are written once this resolves (their directories exist). Default: at once
 */
export async function compileBatch(
  tasks: readonly CompileTask[],
  writable: Promise<unknown> = Promise.resolve(),
): Promise<CompileBatchResult> {
  const c = compiler;
  if (!c) throw new Error('compileBatch before adoptModule');
  const writes: Promise<unknown>[] = [];
  const results = tasks.map((t) => compileOne(c, t, writes, writable));
  await Promise.all(writes);
  return { results, threadId, stats: c.stats };
}
