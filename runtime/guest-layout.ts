/**
 * The guest's layout and the Unix-port conventions that the `mpy` command and
 * the embedding API share: where mpy's own Python modules are, the default
 * `sys.path` of each, the heap sizes, the exit statuses and the "can't open
 * file" message. Each is defined here once; both front ends import it.
 *
 * @module
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { getSystemErrorMap } from 'node:util';
import { isSourceCheckout, PACKAGE_ROOT, packageFile } from '../base/package-files.js';

/**
 * The directory of the host's own Python modules (`runtime/lib` in the
 * package), shown to Python read-only at {@link GUEST_LIB_DIR}.
 */
export const RUNTIME_LIB_DIR: string = packageFile('runtime/lib');

/** Where Python sees {@link RUNTIME_LIB_DIR}: the Unix port's system module directory. */
export const GUEST_LIB_DIR = '/usr/lib/micropython';

/**
 * mpy's modules every boot imports (the command's; an embedded instance's adds
 * `_mpy_embed`). The build compiles them to .mpy (`wasm/build/boot-modules-main.ts`),
 * each under its source's guest path (tracebacks show the same file and line).
 */
export const BOOT_MODULES: readonly string[] = ['_mpy_boot', '_mpy_resolve', '_mpy_run', '_mpy_outcome', '_mpy_embed'];

/** Where the build writes the compiled {@link BOOT_MODULES}. */
export const BOOT_MODULES_BUILD_DIR: string = join(PACKAGE_ROOT, 'dist', 'boot-modules');

/** Where Python sees the compiled boot modules: searched before {@link GUEST_LIB_DIR} while booting, and not after. */
export const GUEST_BOOT_DIR = `${GUEST_LIB_DIR}/.boot`;

/** Turns the compiled boot modules off (`1`): every boot compiles the sources, as before the build made them (for comparing). */
export const NO_COMPILED_BOOT_ENV = 'MPY_NO_COMPILED_BOOT';

/**
 * The directory of the compiled boot modules when the build made them all
 * and, in a checkout, none is older than its source; else undefined (the boot
 * then compiles the sources). Compiled, a boot skips compiling ~500 lines of
 * Python (bench/startup.bench.mjs, row `vs mpy-c-pass-boot-sources`).
 */
export function compiledBootModulesDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env[NO_COMPILED_BOOT_ENV] === '1') return undefined;
  const checkout = isSourceCheckout();
  try {
    for (const name of BOOT_MODULES) {
      const built = statSync(join(BOOT_MODULES_BUILD_DIR, `${name}.mpy`)).mtimeMs;
      if (checkout && statSync(join(RUNTIME_LIB_DIR, `${name}.py`)).mtimeMs > built) return undefined;
    }
  } catch {
    return undefined;
  }
  return BOOT_MODULES_BUILD_DIR;
}

/** The `sys.path` entry of the build's frozen modules. */
export const FROZEN_PATH_ENTRY = '.frozen';

/** The user's module directory on the Unix port (`~` is HOME): upip's and `mpy install`'s default target. */
export const USER_LIB_DIR = '~/.micropython/lib';

/** The `mpy` command's `sys.path` after its first entry when MICROPYPATH is not set (the Unix port's). */
export const DEFAULT_MICROPYPATH = [FROZEN_PATH_ENTRY, USER_LIB_DIR, GUEST_LIB_DIR].join(':');

/**
 * An embedded instance's default `sys.path`: the stock build's path plus
 * mpy's modules, so a library mounted at `/lib` is importable.
 */
export const EMBED_DEFAULT_PATH: readonly string[] = ['', FROZEN_PATH_ENTRY, '/lib', GUEST_LIB_DIR];

/** The first GC heap area; the heap grows from it in areas up to its bound. */
export const INITIAL_HEAP_BYTES = 4 * 1024 * 1024;

/**
 * The `mpy` command's heap bound without `-X heapsize`: as large as a program
 * on the Unix port can reasonably use, since the user runs their own code.
 */
export const CLI_HEAP_LIMIT_BYTES = 256 * 1024 * 1024;

/**
 * An embedded instance's heap bound without `heapSize`: smaller than the
 * command's, since an embedder may run many instances and untrusted code.
 */
export const EMBED_HEAP_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * The smallest heap `-X heapsize=` accepts: mpy's boot (the host's `os`,
 * `time` and runner modules, in Python) needs about 24K. The Unix port, which
 * boots no Python, accepts 700 bytes, and stops there with a fatal error too.
 */
export const MIN_HEAP_BYTES = 32 * 1024;

/** {@link MIN_HEAP_BYTES} as the size text users write. */
export const MIN_HEAP_TEXT = '32K';

/** The smallest `heapSize` of an embedded instance: below it the boot itself runs out of memory. */
export const EMBED_MIN_HEAP_BYTES = 256 * 1024;

/** {@link EMBED_MIN_HEAP_BYTES} as the size text users write. */
export const EMBED_MIN_HEAP_TEXT = '256K';

/**
 * The largest heap bound mpy accepts, in `-X heapsize=` and `heapSize`: wasm32
 * memory ends at 2 GiB, which must also hold the C side and the stacks.
 */
export const MAX_HEAP_BYTES = 1536 * 1024 * 1024;

/** {@link MAX_HEAP_BYTES} as the size text users write. */
export const MAX_HEAP_TEXT = '1536M';

/** Exit status of a program that ended with an uncaught exception (the Unix port's). */
export const UNCAUGHT_EXCEPTION_STATUS = 1;

/** Exit status after SIGINT or an uncaught KeyboardInterrupt: 128 + SIGINT, as shells report it. */
export const INTERRUPTED_STATUS = 130;

/** Exit status when the program file cannot be opened (the Unix port's and CPython's). */
export const CANNOT_OPEN_STATUS = 2;

/** Exit status of an unusable `mpy` command line: the Unix port's `micropython` exits 1. */
export const USAGE_STATUS = 1;

/** Exit status of an unusable `mpy SUBCOMMAND` command line, as getopt and argparse tools exit. */
export const SUBCOMMAND_USAGE_STATUS = 2;

/** Exit status of `mpy -m upip` or `mpy -m mip` when the tool is not cached and cannot be fetched. */
export const BOOTSTRAP_FAILED_STATUS = 1;

/** Exit status of a failure of mpy itself (sysexits' EX_SOFTWARE). */
export const INTERNAL_ERROR_STATUS = 70;

/**
 * The line the Unix port prints when the program file cannot be opened:
 * `mpy: can't open file 'PATH': [Errno N] Description`.
 * @param errno the (positive, Linux) errno of the failed open
 */
export function cannotOpenMessage(path: string, errno: number): string {
  const description = getSystemErrorMap().get(-errno)?.[1] ?? `error ${errno}`;
  return `mpy: can't open file '${path}': [Errno ${errno}] ${description.charAt(0).toUpperCase()}${description.slice(1)}\n`;
}
