/**
 * What `mpy compile SRC... [-o OUT]` does with each file. A directory SRC is
 * walked (hidden entries and `__pycache__` skipped) and its layout kept under
 * OUT: `SRC/a/b.py` becomes `OUT/a/b.mpy`, other files are copied to
 * `OUT/a/...` (except a `.mpy` beside its `.py`: the new build replaces it).
 * A file SRC goes to `OUT/NAME.mpy`. Without OUT, each .mpy is written beside
 * its source and nothing is copied.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';

/** One planned action. */
export interface PlanEntry {
  /** Compile a .py or copy another file. */
  readonly kind: 'compile' | 'copy';
  /** Absolute source path. */
  readonly source: string;
  /** Absolute output path. */
  readonly output: string;
  /** Path relative to its SRC root, POSIX separators: the source name stored in the .mpy. */
  readonly name: string;
  /** The source as the user would name it (SRC joined with `name`), for messages. */
  readonly display: string;
}

/** A problem with the command line's paths. */
export class PlanError extends Error {
  /**
   * @param message the complete message
   */
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

function skipped(name: string): boolean {
  return name.startsWith('.') || name === '__pycache__';
}

/** Every file below `dir`, in no particular order: sibling directories are read concurrently. */
async function walk(dir: string, skip: ReadonlySet<string>): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const found = await Promise.all(
    entries.map(async (entry): Promise<string[]> => {
      const path = join(dir, entry.name);
      if (skipped(entry.name) || skip.has(path)) return [];
      let kind: 'dir' | 'file' | undefined = entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : undefined;
      if (entry.isSymbolicLink()) {
        const s = await stat(path).catch(() => undefined);
        kind = s?.isDirectory() ? 'dir' : s?.isFile() ? 'file' : undefined;
      }
      return kind === 'dir' ? walk(path, skip) : kind === 'file' ? [path] : [];
    }),
  );
  return found.flat();
}

function entry(source: string, name: string, display: string, outDir: string | undefined): PlanEntry | undefined {
  const isPy = name.endsWith('.py');
  if (outDir === undefined) {
    return isPy ? { kind: 'compile', source, output: `${source.slice(0, -3)}.mpy`, name, display } : undefined;
  }
  const rel = isPy ? `${name.slice(0, -3)}.mpy` : name;
  return { kind: isPy ? 'compile' : 'copy', source, output: join(outDir, ...rel.split('/')), name, display };
}

/**
 * Plans the work for `sources`.
 * @param sources files and directories as given by the user
 * @param outDir the output directory, or undefined to write beside the sources
 * @param cwd what relative paths are relative to
 * @throws PlanError for a missing source, a file SRC that is not .py without OUT, or two sources with the same output
 */
export async function planCompile(sources: readonly string[], outDir: string | undefined, cwd: string): Promise<PlanEntry[]> {
  const out = outDir === undefined ? undefined : resolve(cwd, outDir);
  const plan: PlanEntry[] = [];
  for (const src of sources) {
    const abs = resolve(cwd, src);
    const s = await stat(abs).catch(() => undefined);
    if (!s) throw new PlanError(`${src}: no such file or directory`);
    if (s.isDirectory()) {
      const files = (await walk(abs, new Set(out ? [out] : []))).sort();
      const sources = new Set(files.filter((f) => f.endsWith('.py')));
      for (const f of files) {
        // A .mpy beside its .py is an old build of it: the new one replaces it.
        if (f.endsWith('.mpy') && sources.has(`${f.slice(0, -4)}.py`)) continue;
        const name = relative(abs, f).split(sep).join('/');
        const e = entry(f, name, join(src, ...name.split('/')), out);
        if (e) plan.push(e);
      }
    } else {
      if (out === undefined && !abs.endsWith('.py'))
        throw new PlanError(`${src}: not a .py file (other files are only copied, with -o OUT)`);
      plan.push(entry(abs, basename(abs), src, out)!);
    }
  }
  const seen = new Map<string, string>();
  for (const e of plan) {
    const other = seen.get(e.output);
    if (other !== undefined) throw new PlanError(`${other} and ${e.display} would both be written to ${e.output}`);
    seen.set(e.output, e.display);
  }
  return plan.filter((e) => !(e.kind === 'copy' && e.source === e.output));
}
