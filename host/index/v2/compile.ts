/**
 * Compiling the `.py` files of index v2 to `.mpy` (version 6) on the compile
 * pool. Identical inputs (same source, install path and `opt`) compile once.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompilePool } from '../../compile/pool.js';
import type { CompileTask } from '../../compile/task.js';

/** One file to compile. */
export interface CompileInput {
  readonly bytes: Buffer;
  /** Install path, stored in the .mpy as its source name. */
  readonly target: string;
  readonly opt: number | undefined;
  /** Where the file came from, for error messages. */
  readonly origin: string;
}

/** A `.py` file that does not compile. */
export class V2CompileError extends Error {
  override name = 'V2CompileError';
}

/** The key under which a compiled file is found in the result of {@link compileAll}. */
export function compileKey(input: Pick<CompileInput, 'bytes' | 'target' | 'opt'>): string {
  return `${createHash('sha256').update(input.bytes).digest('hex')}\0${input.target}\0${input.opt ?? 0}`;
}

const BATCH = 16;

/** What {@link compileAll} did. */
export interface CompileAllResult {
  /** .mpy bytes by {@link compileKey}. */
  readonly compiled: Map<string, Buffer>;
  /** Inputs mpy-cross rejected, with its message (`origin:line: message`). */
  readonly failed: Array<{ readonly input: CompileInput; readonly message: string }>;
}

/**
 * Compiles every input on the compile pool.
 * @param cache results of earlier calls, by {@link compileKey}: hits are not
 *   compiled again; afterwards it holds exactly this call's results
 */
export async function compileAll(
  inputs: readonly CompileInput[],
  cache?: Map<string, Buffer>,
  threads = Math.max(1, Math.min(4, availableParallelism())),
): Promise<CompileAllResult> {
  const unique = new Map<string, CompileInput>();
  const out = new Map<string, Buffer>();
  for (const i of inputs) {
    const key = compileKey(i);
    const hit = cache?.get(key);
    if (hit) out.set(key, hit);
    else unique.set(key, i);
  }
  if (cache) {
    cache.clear();
    for (const [k, v] of out) cache.set(k, v);
  }
  const failures: CompileAllResult['failed'] = [];
  if (unique.size === 0) return { compiled: out, failed: failures };
  const dir = await mkdtemp(join(tmpdir(), 'mpy-index-v2-'));
  const pool = await CompilePool.open(Math.min(threads, Math.ceil(unique.size / BATCH)));
  try {
    const entries = [...unique.entries()];
    const tasks: Array<{ key: string; input: CompileInput; task: CompileTask }> = [];
    await Promise.all(
      entries.map(async ([key, input], n) => {
        const source = join(dir, `${n}.py`);
        await writeFile(source, input.bytes);
        tasks[n] = { key, input, task: { source, output: join(dir, `${n}.mpy`), name: input.target, optimize: input.opt ?? 0 } };
      }),
    );
    const batches: Array<typeof tasks> = [];
    for (let i = 0; i < tasks.length; i += BATCH) batches.push(tasks.slice(i, i + BATCH));
    await Promise.all(
      batches.map(async (batch) => {
        const result = await pool.run(batch.map((b) => b.task));
        await Promise.all(
          batch.map(async (b, i) => {
            const r = result.results[i]!;
            if (r.ok) {
              const bytes = await readFile(b.task.output);
              out.set(b.key, bytes);
              cache?.set(b.key, bytes);
            } else
              failures.push({
                input: b.input,
                message: `${b.input.origin}${r.line ? `:${r.line}` : ''}: ${r.message ?? 'does not compile'}`,
              });
          }),
        );
      }),
    );
    return { compiled: out, failed: failures };
  } finally {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
}
