/**
 * `mpy compile` as a library call: plans the files, compiles the .py files on
 * a pool of workers (one mpy-cross each) in batches of a few files (fewer
 * messages, still balanced: about eight batches per worker), copies the rest,
 * and reports every failure with its file and line. A small tree is compiled
 * in the calling thread instead: below {@link IN_THREAD_BELOW} files, starting
 * the pool costs more than the second core gives back.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { PlanError, planCompile, type PlanEntry } from './plan.js';
import { CompilePool } from './pool.js';
import type { CompileBatchResult, CompileTask } from './task.js';

/** Options of {@link compileTree}. */
export interface CompileOptions {
  /** Files and directories to compile. Required, at least one. */
  readonly sources: readonly string[];
  /** Output directory; the layout under each directory SRC is kept. Default: each .mpy beside its .py, nothing copied. */
  readonly outDir?: string;
  /** mpy-cross optimisation level 0..3. Default: 0. */
  readonly optimize?: number;
  /** Worker threads. Default: `os.availableParallelism()`; never more than there are .py files. */
  readonly jobs?: number;
  /** Directory relative paths are resolved against. Default: `process.cwd()`. */
  readonly cwd?: string;
  /**
   * Called as .py files finish (a batch at a time): `done` of `total` files
   * compiled or failed so far. Default: none.
   */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Fewer .py files than this are compiled in the calling thread, without a
   * pool (its event loop gets a turn between files). Default: {@link IN_THREAD_BELOW}.
   */
  readonly inThreadBelow?: number;
}

/** A file that was not compiled or copied. */
export interface FileFailure {
  /** The file as the user would name it. */
  readonly file: string;
  /** 1-based line, when known. */
  readonly line: number | undefined;
  /** What went wrong. */
  readonly message: string;
}

/** A float literal rewritten to stay exact. */
export interface KeptFloat {
  /** The file as the user would name it. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** The literal. */
  readonly literal: string;
}

/** What {@link compileTree} did. */
export interface CompileSummary {
  /** .py files compiled. */
  readonly compiled: number;
  /** Other files copied. */
  readonly copied: number;
  /** Failures, sorted by file and line. */
  readonly failed: readonly FileFailure[];
  /** Float literals kept exact, sorted by file and line. */
  readonly keptFloats: readonly KeptFloat[];
  /** Wall time in seconds. */
  readonly seconds: number;
  /** Threads that compiled: worker threads, or 1 when compiled in the calling thread. */
  readonly threads: number;
  /** True when the files were compiled in the calling thread, without a pool. */
  readonly inThread: boolean;
  /** mpy-cross instances created across all workers. */
  readonly instances: number;
}

function byFileLine<T extends { file: string; line: number | undefined }>(a: T, b: T): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0);
}

/**
 * Trees with fewer .py files than this compile in the calling thread. Measured
 * on 2 cores (bench/compile-native.bench.mjs): a pool of two costs about
 * 100 ms of start-up (threads, module loading, instantiating mpy-cross in each)
 * and then halves a per-file cost of about 1.3 ms, so it only pays beyond
 * about 150 files.
 */
export const IN_THREAD_BELOW = 150;

/** Files per pool task: about eight tasks per thread, at most 16 files each. */
export function batchSize(files: number, threads: number): number {
  return Math.max(1, Math.min(16, Math.ceil(files / (threads * 8))));
}

async function copyAll(entries: readonly PlanEntry[], failed: FileFailure[]): Promise<number> {
  let copied = 0;
  await Promise.all(
    entries.map(async (e) => {
      try {
        await copyFile(e.source, e.output);
        copied++;
      } catch (err) {
        failed.push({ file: e.display, line: undefined, message: `cannot copy: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      }
    }),
  );
  return copied;
}

async function makeDirectories(plan: readonly PlanEntry[]): Promise<void> {
  const dirs = [...new Set(plan.map((e) => dirname(e.output)))].sort();
  for (const d of dirs) {
    try {
      await mkdir(d, { recursive: true });
    } catch (err) {
      throw new PlanError(`cannot create directory ${d}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
}

/**
 * Compiles and copies everything `options.sources` names.
 * @throws PlanError for a missing source, two sources with one output or an output directory that cannot be made;
 *   RangeError for bad `jobs`/`optimize`
 */
export async function compileTree(options: CompileOptions): Promise<CompileSummary> {
  const started = performance.now();
  const optimize = options.optimize ?? 0;
  if (!Number.isInteger(optimize) || optimize < 0 || optimize > 3) throw new RangeError(`optimize must be 0..3, got ${optimize}`);
  const jobs = options.jobs ?? availableParallelism();
  if (!Number.isInteger(jobs) || jobs < 1) throw new RangeError(`jobs must be a whole number >= 1, got ${jobs}`);
  const plan = await planCompile(options.sources, options.outDir, options.cwd ?? process.cwd());
  const toCompile = plan.filter((e) => e.kind === 'compile');
  const failed: FileFailure[] = [];
  const keptFloats: KeptFloat[] = [];
  const inThread = toCompile.length > 0 && toCompile.length < (options.inThreadBelow ?? IN_THREAD_BELOW);
  const threads = inThread ? 1 : Math.min(jobs, toCompile.length);
  const perThread = new Map<number, CompileBatchResult['stats']>();
  let compiled = 0;
  let done = 0;
  await makeDirectories(plan);
  const copying = copyAll(
    plan.filter((e) => e.kind === 'copy'),
    failed,
  );
  const record = (batch: readonly PlanEntry[], r: CompileBatchResult): void => {
    // Stats are cumulative per thread; batches of one thread may finish out of order.
    const prev = perThread.get(r.threadId);
    if (!prev || prev.calls < r.stats.calls) perThread.set(r.threadId, r.stats);
    r.results.forEach((res, i) => {
      const e = batch[i]!;
      if (res.ok) compiled++;
      else failed.push({ file: e.display, line: res.line, message: res.message ?? 'failed' });
      for (const k of res.rewrites) keptFloats.push({ file: e.display, line: k.line, literal: k.literal });
    });
    done += batch.length;
    options.onProgress?.(done, toCompile.length);
  };
  const task = (e: PlanEntry): CompileTask => ({ source: e.source, output: e.output, name: e.name, optimize });
  if (inThread) {
    const { default: compileBatch } = await import('./worker.js');
    const size = batchSize(toCompile.length, 1);
    for (let i = 0; i < toCompile.length; i += size) {
      const batch = toCompile.slice(i, i + size);
      record(batch, await compileBatch(batch.map(task)));
    }
  } else if (threads > 0) {
    const pool = await CompilePool.open(threads);
    const size = batchSize(toCompile.length, threads);
    try {
      const batches: PlanEntry[][] = [];
      for (let i = 0; i < toCompile.length; i += size) batches.push(toCompile.slice(i, i + size));
      await Promise.all(
        batches.map(async (batch) => {
          record(batch, await pool.run(batch.map(task)));
        }),
      );
    } finally {
      await pool.close();
    }
  }
  const copied = await copying;
  return {
    compiled,
    copied,
    failed: failed.sort(byFileLine),
    keptFloats: keptFloats.sort(byFileLine),
    seconds: (performance.now() - started) / 1000,
    threads,
    inThread,
    instances: [...perThread.values()].reduce((n, s) => n + s.instances, 0),
  };
}
