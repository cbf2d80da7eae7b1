/**
 * Compiling one Python source to .mpy bytecode, in the calling thread:
 * floats kept exact, syntax errors turned into a line and a message. Each
 * worker of the pool holds one {@link BytecodeCompiler}.
 */
import { checkFloatConstants, type FloatRewrite, guardFloats } from './float-guard.js';
import { FloatOracle } from './float-oracle.js';
import { MpyCross, type MpyCrossLoadOptions, type MpyCrossStats } from './mpy-cross.js';

/** Options of {@link BytecodeCompiler.compile}. */
export interface CompileSourceOptions {
  /** Source name stored in the .mpy (shown in tracebacks), e.g. `pkg/mod.py`. Required. */
  readonly name: string;
  /** mpy-cross optimisation level 0..3 (`-O`): 1+ drops asserts, 3 drops line numbers. Default: 0. */
  readonly optimize?: number;
}

/** A compiled module. */
interface CompileSuccess {
  readonly ok: true;
  /** The .mpy file. */
  readonly mpy: Uint8Array;
  /** Float literals rewritten to stay exact. */
  readonly rewrites: readonly FloatRewrite[];
}

/** A source that does not compile. */
interface CompileFailure {
  readonly ok: false;
  /** 1-based line of the error, when mpy-cross names one. */
  readonly line: number | undefined;
  /** The error, e.g. `SyntaxError: invalid syntax`. */
  readonly message: string;
}

/** The outcome of compiling one source. */
export type CompileOutcome = CompileSuccess | CompileFailure;

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** Reads mpy-cross's traceback: the last `File "...", line N` and the last line. */
function parseCompileError(stderr: string, stdout: string): CompileFailure {
  const text = stderr.trim() || stdout.trim();
  const lines = [...text.matchAll(/^\s*File "[^"]*", line (\d+)/gm)];
  const last = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .pop();
  return {
    ok: false,
    line: lines.length ? Number(lines[lines.length - 1]![1]) : undefined,
    message: last?.trim() || 'mpy-cross failed without a message',
  };
}

/** mpy-cross plus the float guard, for one thread. */
export class BytecodeCompiler {
  readonly #cross: MpyCross;
  readonly #oracle: FloatOracle;

  private constructor(cross: MpyCross) {
    this.#cross = cross;
    this.#oracle = new FloatOracle(cross);
  }

  /** Loads mpy-cross (the wasm is compiled once here). */
  static async load(options: MpyCrossLoadOptions = {}): Promise<BytecodeCompiler> {
    return new BytecodeCompiler(await MpyCross.load(options));
  }

  /** mpy-cross counters (instances created, calls). */
  get stats(): MpyCrossStats {
    return this.#cross.stats;
  }

  /** Compiles `source` (UTF-8 bytes or text) to .mpy. */
  compile(source: Uint8Array | string, options: CompileSourceOptions): CompileOutcome {
    const optimize = options.optimize ?? 0;
    if (!Number.isInteger(optimize) || optimize < 0 || optimize > 3) throw new RangeError(`optimize must be 0..3, got ${optimize}`);
    let text: string;
    try {
      text = typeof source === 'string' ? source : decoder.decode(source);
    } catch {
      return { ok: false, line: undefined, message: 'SyntaxError: source is not valid UTF-8' };
    }
    const guarded = guardFloats(text, this.#oracle);
    if (!('source' in guarded)) return { ok: false, line: guarded.line, message: guarded.message };
    const flags = optimize ? [`-O${optimize}`] : [];
    const r = this.#cross.run(
      options.name,
      guarded.source === text && typeof source !== 'string' ? source : encoder.encode(guarded.source),
      flags,
    );
    if (r.status !== 0 || !r.output) return parseCompileError(r.stderr, r.stdout);
    const problem = checkFloatConstants(r.output, guarded.allowed);
    if (problem) return { ok: false, line: undefined, message: problem };
    return { ok: true, mpy: r.output, rewrites: guarded.rewrites };
  }
}
