/**
 * mpy-cross for one thread: the wasm compiled once, instances recycled as
 * their heap budget runs out, and a GC heap sized per file. mpy-cross
 * collects garbage while it compiles, so a heap of 16 bytes per source byte
 * (at least 32 KiB) is ample for ordinary modules; on MemoryError the same
 * file is compiled again with four times the heap, up to 8 MiB on a fresh
 * instance (mpy-cross's own default is 1 MiB). Small heaps matter because
 * every call leaks its heap: with 32 KiB an instance serves about 280 calls.
 */
import { INSTANCE_HEAP_CAPACITY, InstanceFailure, type MainResult, MpyCrossInstance, PER_CALL_OVERHEAD } from './mpy-cross-instance.js';
import { compileMpyCrossModule } from './optimised-mpy-cross.js';

/** Smallest GC heap given to a call (a 2 KiB module compiles in 16 KiB). */
const MIN_HEAP = 32 * 1024;

/** Largest GC heap: what still fits a fresh instance. */
const MAX_HEAP = 8 * 1024 * 1024;

/** GC heap bytes per source byte on the first try. */
const DEFAULT_HEAP_FACTOR = 16;

/** The GC heap sizes tried in turn for a source of `bytes` bytes. */
export function heapLadder(bytes: number, factor = DEFAULT_HEAP_FACTOR): number[] {
  let heap = MIN_HEAP;
  while (heap < bytes * factor && heap < MAX_HEAP) heap *= 2;
  const ladder = [heap];
  while (heap < MAX_HEAP) {
    heap = Math.min(heap * 4, MAX_HEAP);
    ladder.push(heap);
  }
  return ladder;
}

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
  /** The compiled mpy-cross module, when another thread compiled it. Default: compiled here (the optimised build when there is one, see {@link compileMpyCrossModule}). */
  readonly module?: WebAssembly.Module;
  /** GC heap bytes per source byte on a file's first try (more on MemoryError). Default: {@link DEFAULT_HEAP_FACTOR}. */
  readonly heapFactor?: number;
}

/** An mpy-cross run. */
export type MpyCrossResult = MainResult;

/** The compiler of one thread. */
export class MpyCross {
  readonly #module: WebAssembly.Module;
  readonly #heapFactor: number;
  #instance: MpyCrossInstance | undefined;
  #instances = 0;
  #calls = 0;
  #failures = 0;

  private constructor(module: WebAssembly.Module, heapFactor: number) {
    this.#module = module;
    this.#heapFactor = heapFactor;
  }

  /** Compiles the wasm (once per thread) unless given it. */
  static async load(options: MpyCrossLoadOptions = {}): Promise<MpyCross> {
    const module = options.module ?? (await compileMpyCrossModule());
    return new MpyCross(module, options.heapFactor ?? DEFAULT_HEAP_FACTOR);
  }

  /** Counters since load. */
  get stats(): MpyCrossStats {
    return { instances: this.#instances, calls: this.#calls, failures: this.#failures };
  }

  /** Runs `main()` on the current instance if it can afford `heapBytes`, else on a new one. */
  #main(args: readonly string[], name: string, source: Uint8Array, heapBytes: number): MpyCrossResult {
    if (heapBytes + PER_CALL_OVERHEAD > INSTANCE_HEAP_CAPACITY)
      throw new RangeError(`a ${heapBytes}-byte heap does not fit an mpy-cross instance`);
    if (!this.#instance?.canRun(heapBytes)) {
      this.#instance = MpyCrossInstance.create(this.#module);
      this.#instances++;
    }
    this.#calls++;
    return this.#instance.main(args, name, source, heapBytes);
  }

  /**
   * Runs mpy-cross on one source.
   * @param name the file name mpy-cross sees (and stores in the .mpy as the source name)
   * @param source the file's bytes
   * @param flags options before the file name, e.g. `['-O2']`
   * @throws InstanceFailure when a fresh instance fails on the same file too
   */
  run(name: string, source: Uint8Array, flags: readonly string[] = []): MpyCrossResult {
    let result: MpyCrossResult | undefined;
    for (const heap of heapLadder(source.length, this.#heapFactor)) {
      const args = ['-X', `heapsize=${heap}`, ...flags];
      for (let attempt = 0; ; attempt++) {
        try {
          result = this.#main(args, name, source, heap);
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
