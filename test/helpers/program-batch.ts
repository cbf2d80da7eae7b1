/**
 * Several Python programs run in one `mpy` child, one after another, each with
 * its own globals: for checks of what a program sees (the interpreter, its
 * modules, the network), where the process itself (its start, exit status,
 * arguments, streams) is not the property under test and a child per check
 * would only add its start-up (~0.3–0.5 CPU-s each).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMpy, type RunMpyOptions } from './cli.js';

/** What one program of a batch printed. */
interface ProgramOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** Programs added while the tests are collected; the first result asked for runs them all. */
export interface ProgramBatch {
  /**
   * Adds a program, as a function of what `beforeAll` sets up (ports, paths),
   * and returns the function that resolves with what it printed.
   */
  add(source: () => string): () => Promise<ProgramOutput>;
}

/** Separates the programs' output in each stream (the driver writes it as \x1e), then the program's index and a newline. */
const MARK = '\x1e';

/**
 * The batch's driver: runs each file named on its command line with fresh
 * globals, as `mpy FILE` would, after writing the mark and the file's index to
 * both streams; an uncaught exception is printed on stderr as its traceback,
 * and the next file runs.
 */
const DRIVER = `import sys
for i, path in enumerate(sys.argv[1:]):
    for stream in (sys.stdout, sys.stderr):
        stream.write("\\x1e%d\\n" % i)
    with open(path) as f:
        source = f.read()
    try:
        exec(source, {"__name__": "__main__"})
    except BaseException as e:
        sys.print_exception(e, sys.stderr)
`;

/** A stream's output cut at the marks: one entry per program. */
function splitAtMarks(text: string, count: number): string[] {
  const parts = text.split(MARK);
  if (parts.shift() !== '' || parts.length !== count)
    throw new Error(`batch output has ${parts.length} marks for ${count} programs:\n${text}`);
  return parts.map((part, i) => {
    const head = `${i}\n`;
    if (!part.startsWith(head)) throw new Error(`batch output out of order at program ${i}:\n${text}`);
    return part.slice(head.length);
  });
}

/** A new batch, run with `options()` (environment merged over the test's, working directory) when its first result is asked for. */
export function programBatch(options: () => Pick<RunMpyOptions, 'env' | 'cwd'> = () => ({})): ProgramBatch {
  const sources: Array<() => string> = [];
  let outputs: Promise<ProgramOutput[]> | undefined;
  const runAll = async (): Promise<ProgramOutput[]> => {
    const scratch = mkdtempSync(join(tmpdir(), 'mpy-batch-'));
    try {
      const files = sources.map((source, i) => {
        const file = join(scratch, `prog${i}.py`);
        writeFileSync(file, source());
        return file;
      });
      writeFileSync(join(scratch, 'batch.py'), DRIVER);
      const r = await runMpy([join(scratch, 'batch.py'), ...files], options());
      if (r.status !== 0) throw new Error(`the batch exited ${r.status}:\n${r.stderr}`);
      const stdout = splitAtMarks(r.stdout, files.length);
      const stderr = splitAtMarks(r.stderr, files.length);
      return stdout.map((out, i) => ({ stdout: out, stderr: stderr[i]! }));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  };
  return {
    add(source) {
      const index = sources.push(source) - 1;
      return async () => {
        outputs ??= runAll();
        return (await outputs)[index]!;
      };
    },
  };
}
