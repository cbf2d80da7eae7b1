/**
 * `--compile`: the staged `.py` files are compiled to `.mpy` with
 * host/compile's `compileTree` before anything reaches the target, and each
 * compiled `.py` is then dropped from the stage, because MicroPython imports
 * `X.py` in preference to `X.mpy` (py/builtinimport.c). A compile failure is
 * an install failure: the target is untouched.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InstallError } from './errors.js';

interface CompileSummaryLike {
  failed: ReadonlyArray<{ file: string; line: number | undefined; message: string }>;
  compiled: number;
}
type CompileTree = (options: { sources: string[]; cwd: string }) => Promise<CompileSummaryLike>;

// A variable specifier keeps host/compile optional for this module's build.
const MODULE = '../compile/compile-tree.js';

async function loadCompileTree(): Promise<CompileTree> {
  let mod: { compileTree?: CompileTree } | undefined;
  try {
    mod = (await import(MODULE)) as { compileTree?: CompileTree };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && !/Cannot find module|Failed to load/.test(String(err))) throw err;
  }
  if (typeof mod?.compileTree !== 'function') {
    throw new InstallError(
      'compile-unavailable',
      '--compile is not available: this build has no host/compile compileTree()',
      'install without --compile',
    );
  }
  return mod.compileTree;
}

async function pyFiles(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await pyFiles(dir, r)));
    else if (e.name.endsWith('.py')) out.push(r);
  }
  return out;
}

/**
 * Compiles the `.py` files under the staging directory `dir` in place and
 * removes the sources that compiled.
 * @returns the number of modules compiled
 * @throws InstallError `compile-unavailable` or `compile-failed`
 */
export async function compileStaged(dir: string): Promise<number> {
  const compileTree = await loadCompileTree();
  const sources = await pyFiles(dir);
  if (!sources.length) return 0;
  let summary: CompileSummaryLike;
  try {
    summary = await compileTree({ sources: [dir], cwd: dir });
  } catch (err) {
    throw new InstallError(
      'compile-failed',
      `compiling the installed files failed: ${(err as Error).message}`,
      'nothing was installed; install without --compile',
      err,
    );
  }
  if (summary.failed.length) {
    const list = summary.failed
      .slice(0, 5)
      .map((f) => `${f.file}${f.line ? `:${f.line}` : ''}: ${f.message}`)
      .join('; ');
    throw new InstallError(
      'compile-failed',
      `${summary.failed.length} file(s) did not compile: ${list}`,
      'nothing was installed; fix the module or install without --compile',
    );
  }
  await Promise.all(sources.map((p) => rm(join(dir, p))));
  return summary.compiled;
}
