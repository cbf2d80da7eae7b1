/**
 * `--compile`: the compiler pool lives in host/compile (another module);
 * it is loaded only when asked for, and its absence is a clear error.
 */
import { InstallError } from './errors.js';

type CompileTree = (dir: string) => Promise<unknown>;

// A variable specifier: the module may not exist in this build.
const MODULE = '../compile/index.js';

/** Compiles the `.py` files under `dir` with host/compile's `compileTree`. */
export async function compileStaged(dir: string): Promise<void> {
  let compileTree: CompileTree | undefined;
  try {
    const mod = (await import(MODULE)) as { compileTree?: CompileTree };
    compileTree = mod.compileTree;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && !/Cannot find module|Failed to load/.test(String(err))) throw err;
  }
  if (typeof compileTree !== 'function') {
    throw new InstallError('compile-unavailable', '--compile is not available yet: this build has no host/compile compileTree()', 'install without --compile, then run "mpy compile" on the target when it exists');
  }
  try {
    await compileTree(dir);
  } catch (err) {
    throw new InstallError('compile-failed', `compiling the installed files failed: ${(err as Error).message}`, 'nothing was installed; fix the module or install without --compile', err);
  }
}
