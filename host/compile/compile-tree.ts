/**
 * `mpy compile` as a library call: plans the files, compiles the .py files on
 * a pool of workers (one mpy-cross each) in batches of a few files (fewer
 * messages, still balanced: about eight batches per worker), copies the rest,
 * and reports every failure with its file and line. A small tree is compiled
 * in the calling thread instead: below {@link IN_THREAD_BELOW} files, starting
 * the pool costs more than the second core gives back.
 */
import { monotonicMs } from '../../base/clock.js';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { threadId } from 'node:worker_threads';
import { idleCores } from './idle-cores.js';
import { compileMpyCrossModule } from './optimised-mpy-cross.js';
import { PlanError, planCompile, type PlanEntry } from './plan.js';
import type { CompileBatchResult, CompileTask } from './task.js';
import { adoptModule, compileBatch } from './worker.js';

/** Options of {@link compileTree}. */
export interface CompileOptions {
  /** Files and directories to compile. Required, at least one. */
  readonly sources: readonly string[];
  /** Output directory; the layout under each directory SRC is kept. Default: each .mpy beside its .py, nothing copied. */
  readonly outDir?: string;
  /** mpy-cross optimisation level 0..3. Default: 0. */
  readonly optimize?: number;
  /**
   * Threads that compile (this one included). Default: the cores idle when the call starts
   * ({@link idleCores}: a worker costs ~90 ms of CPU to start and pays that back only on a core of
   * its own); never more than there are .py files.
   */
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
interface FileFailure {
  /** The file as the user would name it. */
  readonly file: string;
  /** 1-based line, when known. */
  readonly line: number | undefined;
  /** What went wrong. */
  readonly message: string;
}

/** A float literal rewritten to stay exact. */
interface KeptFloat {
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
 * Trees with fewer .py files than this compile in the calling thread only.
 * A worker costs 80-110 ms of CPU to start (isolate, module loading,
 * mpy-cross instance), and in a short run it competes for the second core
 * with V8's TurboFan compiles of mpy-cross's hot functions (~100 ms of CPU
 * and more in the first few hundred files): 163 micropython-lib modules with
 * `-j 2` measured 0.43x native mpy-cross against 0.65x with `-j 1` on a
 * nearly idle machine (load ~2), and slower in 7 of 8 runs at loads 2-12
 * (the other: 0.60x against 0.51x at load ~4.5); 326 and 652 files lost
 * too at load ~5. Above this the calling thread still compiles from the
 * start and the pool joins when it is up.
 */
const IN_THREAD_BELOW = 300;

/**
 * Files in the next batch when `remaining` are left for `threads` threads: a quarter of a
 * thread's fair share, at most 16, so batches shrink towards the end and no thread finishes
 * long before the others (a worker holds two batches at a time).
 */
function batchSize(remaining: number, threads: number): number {
  return Math.max(1, Math.min(16, Math.ceil(remaining / (threads * 4))));
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

/** Makes every output directory, all at once (creating a directory can take milliseconds; compiling goes on meanwhile). */
async function makeDirectories(plan: readonly PlanEntry[]): Promise<void> {
  const dirs = [...new Set(plan.map((e) => dirname(e.output)))];
  await Promise.all(
    dirs.map((d) =>
      mkdir(d, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
        throw new PlanError(`cannot create directory ${d}: ${err.code ?? String(err)}`);
      }),
    ),
  );
}

/**
 * Compiles and copies everything `options.sources` names.
 * @throws PlanError for a missing source, two sources with one output or an output directory that cannot be made;
 *   RangeError for bad `jobs`/`optimize`
 */
export async function compileTree(options: CompileOptions): Promise<CompileSummary> {
  const started = monotonicMs();
  const optimize = options.optimize ?? 0;
  if (!Number.isInteger(optimize) || optimize < 0 || optimize > 3) throw new RangeError(`optimize must be 0..3, got ${optimize}`);
  const jobs = options.jobs ?? idleCores();
  if (!Number.isInteger(jobs) || jobs < 1) throw new RangeError(`jobs must be a whole number >= 1, got ${jobs}`);
  // The wasm compiles (in the background) while the tree is walked.
  const compiling = compileMpyCrossModule();
  compiling.catch(() => undefined);
  const plan = await planCompile(options.sources, options.outDir, options.cwd ?? process.cwd());
  const toCompile = plan.filter((e) => e.kind === 'compile');
  const failed: FileFailure[] = [];
  const keptFloats: KeptFloat[] = [];
  const inThread = toCompile.length > 0 && toCompile.length < (options.inThreadBelow ?? IN_THREAD_BELOW);
  // The calling thread is one of the compiling threads: a pool of jobs - 1 workers joins it.
  const threads = inThread ? 1 : Math.min(jobs, toCompile.length);
  const perThread = new Map<number, CompileBatchResult['stats']>();
  let compiled = 0;
  let done = 0;
  // Files are compiled while the directories are made; only their writes wait for them.
  let directoryFailure: PlanError | undefined;
  const directories = makeDirectories(plan).catch((err: PlanError) => {
    directoryFailure = err;
    throw err;
  });
  directories.catch(() => undefined);
  const copying = directories.then(
    () =>
      copyAll(
        plan.filter((e) => e.kind === 'copy'),
        failed,
      ),
    () => 0,
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
  if (threads > 0) {
    const module = await compiling;
    let cursor = 0;
    const nextBatch = (): PlanEntry[] | undefined => {
      if (cursor >= toCompile.length) return undefined;
      const size = batchSize(toCompile.length - cursor, threads);
      cursor += size;
      return toCompile.slice(cursor - size, cursor);
    };
    // The calling thread compiles from the start; workers take batches from the same queue once
    // they are up (an empty batch answers when a worker has loaded mpy-cross), so a tree that is done
    // before they are up never waits for them.
    // The pool (and piscina) is loaded only when a worker joins.
    const Pool = threads > 1 ? (await import('./pool.js')).CompilePool : undefined;
    const pool = Pool ? await Pool.open(threads - 1, module) : undefined;
    const before = await adoptModule(module);
    const inFlight: Promise<void>[] = [];
    const feedWorker = async (): Promise<void> => {
      await pool!.run([]);
      await directories;
      for (let batch = nextBatch(); batch; batch = nextBatch()) {
        const b = batch;
        const running = pool!.run(b.map(task)).then((r) => record(b, r));
        inFlight.push(running);
        await running;
      }
    };
    const feeders = Array.from({ length: (threads - 1) * (Pool?.TASKS_PER_WORKER ?? 0) }, () => feedWorker().catch(() => undefined));
    try {
      const mine: Promise<void>[] = [];
      for (let batch = nextBatch(); batch && !directoryFailure; batch = nextBatch()) {
        const b = batch;
        // Compiled before compileBatch returns; recorded once its .mpy files are written, while the next batch compiles.
        mine.push(compileBatch(b.map(task), directories).then((r) => record(b, r)));
        // One turn of the event loop between batches: the writes go on and the workers' answers come in.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await Promise.all(mine);
      await Promise.all(inFlight);
    } finally {
      await pool?.close();
      await Promise.all(feeders);
    }
    const mine = perThread.get(threadId);
    if (mine)
      perThread.set(threadId, {
        instances: mine.instances - before.instances,
        calls: mine.calls - before.calls,
        failures: mine.failures - before.failures,
      });
  }
  const copied = await copying;
  if (directoryFailure) throw directoryFailure;
  return {
    compiled,
    copied,
    failed: failed.sort(byFileLine),
    keptFloats: keptFloats.sort(byFileLine),
    seconds: (monotonicMs() - started) / 1000,
    threads,
    inThread,
    instances: [...perThread.values()].reduce((n, s) => n + s.instances, 0),
  };
}
