/** `mpy compile SRC... [-o OUT] [-O N] [-j N]`: .py to .mpy on all cores. */
import { monotonicMs } from '../../../base/clock.js';
import { compileTree } from '../../compile/compile-tree.js';
import { PlanError } from '../../compile/plan.js';
import { parseCommandLine, usageError } from './command-line.js';
import { ProgressLine, bar } from '../../progress-line.js';
import { forTerminal } from '../../terminal-text.js';

const HELP = `usage: mpy compile SRC... [-o OUT] [-O N] [-j N] [-v]

Compile Python sources to .mpy bytecode (mpy-cross, .mpy version 6) on a
pool of worker threads that joins the command's own thread (fewer than 300
files, or no idle core: the command's thread alone, quicker than starting a
pool). A directory SRC is walked and its layout kept under
OUT (a.py -> OUT/a.mpy; other files are copied as they are); without -o each
.mpy is written beside its .py. Float literals that mpy-cross would store
inexactly are rewritten as exact expressions, so compiled code computes
exactly what its source does.

options:
  -o, --output OUT    output directory (default: beside each source)
  -O, --optimize N    optimisation level 0..3 (default 0; 1+ drops asserts,
                      3 also line numbers)
  -j, --jobs N        compiling threads (default: the CPUs idle right now)
  -v, --verbose       list every float literal kept exact
  -h, --help          show this help

Errors are printed as FILE:LINE: MESSAGE; the status is 1 if any file failed.`;

function whole(value: string | undefined, name: string, min: number, max: number): number | undefined | Error {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  return n >= min && n <= max ? n : new Error(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
}

const REDRAW_MS = 100;

/** A bar on stderr, redrawn at most every {@link REDRAW_MS} and at the end. */
function terminalProgress(): { line: ProgressLine; onProgress: (done: number, total: number) => void } {
  const line = new ProgressLine(process.stderr);
  let last = 0;
  return {
    line,
    onProgress(done, total) {
      const now = monotonicMs();
      if (done < total && now - last < REDRAW_MS) return;
      last = now;
      line.draw(`${bar(done, total)} ${done}/${total} files compiled`);
    },
  };
}

/** Runs `mpy compile`; resolves with the exit status (0 all compiled, 1 some failed, 2 usage). */
export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandLine('compile', HELP, {
    args,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      optimize: { type: 'string', short: 'O' },
      jobs: { type: 'string', short: 'j' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length === 0) return usageError('compile', 'no SRC given');
  const optimize = whole(values.optimize, '-O', 0, 3);
  if (optimize instanceof Error) return usageError('compile', optimize.message);
  const jobs = whole(values.jobs, '-j', 1, 1024);
  if (jobs instanceof Error) return usageError('compile', jobs.message);
  const progress = process.stderr.isTTY ? terminalProgress() : undefined;
  let summary: Awaited<ReturnType<typeof compileTree>>;
  try {
    summary = await compileTree({ sources: positionals, outDir: values.output, optimize, jobs, onProgress: progress?.onProgress });
  } catch (err) {
    progress?.line.clear();
    if (err instanceof PlanError) {
      process.stderr.write(`mpy compile: ${forTerminal(err.message)}\n`);
      return 1;
    }
    throw err;
  }
  progress?.line.clear();
  for (const f of summary.failed)
    process.stderr.write(`${forTerminal(`${f.file}${f.line === undefined ? '' : `:${f.line}`}: ${f.message}`)}\n`);
  if (values.verbose) {
    for (const k of summary.keptFloats)
      process.stdout.write(`${forTerminal(`${k.file}:${k.line}: float literal ${k.literal}`)} kept exact\n`);
  }
  const kept = summary.keptFloats.length
    ? `, ${summary.keptFloats.length} float literal${summary.keptFloats.length === 1 ? '' : 's'} kept exact`
    : '';
  const failed = summary.failed.length ? `, ${summary.failed.length} failed` : '';
  const threads = summary.inThread ? 'in-thread' : `${summary.threads} thread${summary.threads === 1 ? '' : 's'}`;
  process.stdout.write(
    `${summary.compiled} compiled, ${summary.copied} copied${failed}${kept} in ${summary.seconds.toFixed(2)} s (${threads})\n`,
  );
  return summary.failed.length ? 1 : 0;
}
