/**
 * `mpy compile` as a library call: plans the files, compiles the .py files on
 * a pool of workers (one mpy-cross each) in batches of a few files (fewer
 * messages, still balanced: about eight batches per worker), copies the rest,
 * and reports every failure with its file and line.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { PlanError, planCompile, type PlanEntry } from './plan.js';
import { CompilePool } from './pool.js';
import type { CompileBatchResult } from './task.js';

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
  /** Worker threads used. */
  readonly threads: number;
  /** mpy-cross instances created across all workers. */
  readonly instances: number;
}

function byFileLine<T extends { file: string; line: number | undefined }>(a: T, b: T): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0);
}

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
  const threads = Math.min(jobs, toCompile.length);
  const perThread = new Map<number, CompileBatchResult['stats']>();
  let compiled = 0;
  let done = 0;
  await makeDirectories(plan);
  const copying = copyAll(
    plan.filter((e) => e.kind === 'copy'),
    failed,
  );
  if (threads > 0) {
    const pool = await CompilePool.open(threads);
    const size = batchSize(toCompile.length, threads);
    try {
      const batches: PlanEntry[][] = [];
      for (let i = 0; i < toCompile.length; i += size) batches.push(toCompile.slice(i, i + size));
      await Promise.all(
        batches.map(async (batch) => {
          const r = await pool.run(batch.map((e) => ({ source: e.source, output: e.output, name: e.name, optimize })));
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
    instances: [...perThread.values()].reduce((n, s) => n + s.instances, 0),
  };
}
