/**
 * mpy-cross for one thread: the wasm compiled once, instances recycled as
 * their heap budget runs out, and a heap that grows per file only when a
 * file needs it. Each call starts with a 256 KiB GC heap (about 37 calls per
 * instance); on MemoryError the same file is compiled again with 2 MiB, then
 * 8 MiB on a fresh instance (mpy-cross's own default is 1 MiB).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { InstanceFailure, type MainResult, type MpyCrossFactory, MpyCrossInstance } from './mpy-cross-instance.js';
import { locateMpyCross } from './mpy-cross-files.js';

/** GC heap sizes tried in turn for one file. */
export const HEAP_LADDER = [256 * 1024, 2 * 1024 * 1024, 8 * 1024 * 1024] as const;

/** Counters, for tests and benchmarks. */
export interface MpyCrossStats {
  /** Instances created so far. */
  readonly instances: number;
  /** `main()` calls so far (retries included). */
  readonly calls: number;
  /** Instances that aborted and were replaced. */
  readonly failures: number;
}

/** Options of {@link MpyCross.load}. */
export interface MpyCrossLoadOptions {
  /** The compiled mpy-cross module, when another thread compiled it. Default: compiled here from the installed package. */
  readonly module?: WebAssembly.Module;
}

/** An mpy-cross run. */
export type MpyCrossResult = MainResult;

/** The compiler of one thread. */
export class MpyCross {
  readonly #factory: MpyCrossFactory;
  readonly #module: WebAssembly.Module;
  #instance: MpyCrossInstance | undefined;
  #instances = 0;
  #calls = 0;
  #failures = 0;

  private constructor(factory: MpyCrossFactory, module: WebAssembly.Module) {
    this.#factory = factory;
    this.#module = module;
  }

  /** Loads the glue and compiles the wasm (once per thread). */
  static async load(options: MpyCrossLoadOptions = {}): Promise<MpyCross> {
    const files = locateMpyCross();
    const factory = createRequire(import.meta.url)(files.glue) as MpyCrossFactory;
    const module = options.module ?? (await WebAssembly.compile(readFileSync(files.wasm)));
    return new MpyCross(factory, module);
  }

  /** Counters since load. */
  get stats(): MpyCrossStats {
    return { instances: this.#instances, calls: this.#calls, failures: this.#failures };
  }

  async #instanceFor(heapBytes: number): Promise<MpyCrossInstance> {
    if (!this.#instance?.canRun(heapBytes)) {
      this.#instance = undefined;
      this.#instance = await MpyCrossInstance.create(this.#factory, this.#module);
      this.#instances++;
    }
    return this.#instance;
  }

  /**
   * Runs mpy-cross on one source.
   * @param name the file name mpy-cross sees (and stores in the .mpy as the source name)
   * @param source the file's bytes
   * @param flags options before the file name, e.g. `['-O2']`
   * @throws InstanceFailure when a fresh instance fails on the same file too
   */
  async run(name: string, source: Uint8Array, flags: readonly string[] = []): Promise<MpyCrossResult> {
    let result: MpyCrossResult | undefined;
    for (const heap of HEAP_LADDER) {
      const args = ['-X', `heapsize=${heap}`, ...flags];
      for (let attempt = 0; ; attempt++) {
        const instance = await this.#instanceFor(heap);
        this.#calls++;
        try {
          result = instance.main(args, name, source, heap);
          break;
        } catch (err) {
          if (!(err instanceof InstanceFailure) || attempt > 0) throw err;
          this.#failures++;
        }
      }
      if (!/^MemoryError/m.test(result.stderr)) return result;
    }
    return result!;
  }
}
