import type { StdioHooks } from '../wasm/instantiate.js';
import type { EmFS } from '../wasm/emscripten-module.js';
import { BootImageMismatch, Interpreter } from './interpreter.js';
import {
  type BootImage,
  type BootImageProfile,
  CAPTURE_BOOT_IMAGE_ENV,
  NO_BOOT_IMAGE_ENV,
  readBootImage,
  traceBootImage,
  writeBootImage,
} from './boot-image.js';
import { PythonError } from './errors.js';
import { closeBuiltinModule } from './js-closure.js';
import { createHostApi } from './host-api.js';
import { pyString, pyStringList } from './py-literal.js';
import { FROZEN_PATH_ENTRY, GUEST_LIB_DIR, INITIAL_HEAP_BYTES, INTERRUPTED_STATUS, UNCAUGHT_EXCEPTION_STATUS } from './guest-layout.js';
import { WASM_CHOICE_ENV } from '../wasm/compiled-module.js';
import { LINUX_ERRNO } from '../base/errno.js';

/** The stdio a session writes to, with a way to push out buffered output. */
export interface SessionStdio extends StdioHooks {
  /** Writes out anything buffered. */
  flush(): void;
}

/** Options of {@link Session.start}. */
export interface SessionOptions {
  /** Where stdin, stdout and stderr go. */
  readonly stdio: SessionStdio;
  /** `sys.argv`. Default: `[]`. */
  readonly argv?: readonly string[];
  /** `sys.path` (the `mpy` command's and the embedding API's differ; see guest-layout.ts). */
  readonly path: readonly string[];
  /** The environment `os.getenv` sees. Default: empty. */
  readonly env?: ReadonlyMap<string, string>;
  /** Mounts host directories into the VM's filesystem; runs before Python boots. */
  readonly prepareFilesystem?: (fs: EmFS) => void;
  /** Working directory inside the VM after mounting. Default: `/`. */
  readonly cwd?: string;
  /** Extra JS modules to register, by name, built once the interpreter exists. */
  readonly hostModules?: (interpreter: Interpreter, beforeBlock: () => void) => Record<string, Readonly<Record<string, unknown>>>;
  /** See {@link InterpreterOptions.heapBytes}. */
  readonly heapBytes?: number;
  /** See {@link InterpreterOptions.heapLimitBytes}. */
  readonly heapLimitBytes?: number;
  /** See {@link InterpreterOptions.inRunGcHeapLimitBytes}. */
  readonly inRunGcHeapLimitBytes?: number;
  /** See {@link InterpreterOptions.v8StackBytes}. */
  readonly v8StackBytes?: number;
  /** See {@link InterpreterOptions.jsBridge}. Default: `false`. */
  readonly jsBridge?: boolean;
  /** More of mpy's own Python modules (runtime/lib) to load while booting, out of the user's reach. */
  readonly preload?: readonly string[];
  /**
   * The guest directory where `prepareFilesystem` put the compiled boot modules
   * (guest-layout.ts, `compiledBootModulesDir`), searched first while booting. Default: none (the boot compiles the sources).
   */
  readonly bootModulesDir?: string;
  /**
   * Start from this profile's boot image when the build made one for these
   * options (runtime/boot-image.ts); the boot is the same either way. With
   * `MPY_CAPTURE_BOOT_IMAGE=1` (the build) this boot captures the image
   * instead. Default: none (every boot runs).
   */
  readonly bootImage?: BootImageProfile;
}

/**
 * The options that shape the state a boot leaves (what a boot image is
 * captured under): the heap's first area, the `js` bridge, the preloaded
 * modules, the compiled boot modules, and the wasm chosen.
 */
function bootImageKey(options: SessionOptions): string {
  return JSON.stringify({
    heapBytes: options.heapBytes ?? INITIAL_HEAP_BYTES,
    jsBridge: options.jsBridge ?? false,
    preload: options.preload ?? [],
    bootModulesDir: options.bootModulesDir ?? null,
    wasm: process.env[WASM_CHOICE_ENV] || 'auto',
  });
}

/**
 * A booted interpreter with the Unix-port module environment, able to run a
 * program the way the `micropython` command does and report its exit status.
 */
export class Session {
  readonly #interpreter: Interpreter;
  readonly #stdio: SessionStdio;
  readonly #env: Map<string, string>;
  #status = 0;

  private constructor(interpreter: Interpreter, stdio: SessionStdio, env: Map<string, string>) {
    this.#interpreter = interpreter;
    this.#stdio = stdio;
    this.#env = env;
  }

  /** Creates the interpreter, mounts filesystems, registers host modules and boots. */
  static async start(options: SessionOptions): Promise<Session> {
    const profile = options.bootImage;
    const capture = profile !== undefined && process.env[CAPTURE_BOOT_IMAGE_ENV] === '1';
    const key = bootImageKey(options);
    const image = profile === undefined || capture || process.env[NO_BOOT_IMAGE_ENV] === '1' ? undefined : readBootImage(profile, key);
    try {
      return await Session.#start(options, image, capture ? profile : undefined, key);
    } catch (e) {
      if (!(e instanceof BootImageMismatch)) throw e;
      traceBootImage(`${profile}: not used: ${e.message}`);
      return Session.#start(options, undefined, undefined, key);
    }
  }

  static async #start(
    options: SessionOptions,
    image: BootImage | undefined,
    capture: BootImageProfile | undefined,
    key: string,
  ): Promise<Session> {
    const interpreter = await Interpreter.create({
      stdio: options.stdio,
      heapBytes: options.heapBytes,
      heapLimitBytes: options.heapLimitBytes,
      inRunGcHeapLimitBytes: options.inRunGcHeapLimitBytes,
      v8StackBytes: options.v8StackBytes,
      jsBridge: options.jsBridge,
      image,
      capturing: capture !== undefined,
    });
    const session = new Session(interpreter, options.stdio, new Map(options.env ?? []));
    options.prepareFilesystem?.(interpreter.fs);
    if (options.cwd !== undefined) interpreter.fs.chdir(options.cwd);
    const bootModules = {
      _mpy_host: createHostApi({
        env: session.#env,
        writableHeap: (address, length) => interpreter.writableHeap(address, length),
        beforeBlock: () => options.stdio.flush(),
        waits: interpreter.waits,
        onStatus: (status) => {
          session.#status = status;
        },
      }),
      // The errno numbers of the host's own Python modules (usocket, select, asyncio, ...), from the one table.
      _mpy_errno: LINUX_ERRNO,
    };
    if (image !== undefined) {
      interpreter.restoreTable(bootModules);
    } else {
      for (const [name, module] of Object.entries(bootModules)) interpreter.registerJsModule(name, module);
      // Booting searches only mpy's lib directory and the frozen modules: files
      // the user has in the working directory or on MICROPYPATH cannot replace
      // the boot's own imports (os, time, the runner).
      const bootPath = [...(options.bootModulesDir === undefined ? [] : [options.bootModulesDir]), GUEST_LIB_DIR, FROZEN_PATH_ENTRY];
      interpreter.exec(
        `__import__('sys').path[:] = ${pyStringList(bootPath)}\n` +
          `__import__('_mpy_boot').boot(${pyString(GUEST_LIB_DIR)}, ${pyStringList(options.preload ?? [])})`,
      );
      // The boot keeps what mpy's modules need of uctypes (addressof); Python without the js bridge gets none of it.
      if (!options.jsBridge) closeBuiltinModule(interpreter, 'uctypes');
      if (capture !== undefined) {
        writeBootImage(capture, key, interpreter.captureImage(), interpreter.heapU8().buffer);
        traceBootImage(`${capture}: captured`);
      }
    }
    // What differs per run comes after the state a boot image holds.
    for (const [name, module] of Object.entries(options.hostModules?.(interpreter, () => options.stdio.flush()) ?? {})) {
      interpreter.registerJsModule(name, module);
    }
    interpreter.exec(
      `__import__('sys').argv[:] = ${pyStringList(options.argv ?? [])}\n__import__('sys').path[:] = ${pyStringList(options.path)}`,
    );
    return session;
  }

  /** The underlying interpreter. */
  get interpreter(): Interpreter {
    return this.#interpreter;
  }

  /** The environment `os.getenv` sees, live: changing it changes what the program sees from its next lookup. */
  get environment(): Map<string, string> {
    return this.#env;
  }

  /**
   * Runs a script file as `__main__`; resolves to its exit status. With
   * `argv`, `sys.argv` is that list for the run and restored after it.
   */
  runFile(path: string, argv?: readonly string[]): number {
    return this.#runner(`run_file(${pyString(path)}${argv ? `, ${pyStringList(argv)}` : ''})`);
  }

  /** Runs source text as `__main__` (`-c`, or a program read from stdin). */
  runCode(source: string, filename = '<stdin>'): number {
    return this.#runner(`run_code(${pyString(source)}, ${pyString(filename)})`);
  }

  /** Runs a module as `__main__` (`-m`), or `package.__main__` for a package. */
  runModule(name: string): number {
    return this.#runner(`run_module(${pyString(name)})`);
  }

  /** Writes out buffered output. */
  flush(): void {
    this.#stdio.flush();
  }

  #runner(call: string): number {
    this.#status = UNCAUGHT_EXCEPTION_STATUS;
    try {
      this.#interpreter.exec(`__import__('_mpy_run').${call}`);
    } catch (e) {
      // Only failures of the runner itself land here (say, MemoryError while reporting).
      if (!(e instanceof PythonError)) throw e;
      const text = new TextEncoder().encode(e.traceback);
      this.#stdio.write(2, text);
      this.#status = e.type === 'KeyboardInterrupt' ? INTERRUPTED_STATUS : UNCAUGHT_EXCEPTION_STATUS;
    }
    this.#stdio.flush();
    return this.#status;
  }
}
