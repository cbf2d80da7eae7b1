/**
 * Where an instance's stdout and stderr bytes go on the main side: captured,
 * passed on to this process, dropped, or handed to a callback as text.
 *
 * @module
 */
import { BoundedBytes } from './bounded-bytes.js';
import type { OutputOption } from './options.js';

type StreamName = 'stdout' | 'stderr';

/** What one `runFile` wrote. */
export interface RecordedOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Routes each stream by its {@link OutputOption}, and records output for one
 * call on request. Only `'capture'` streams are kept (captured and recorded),
 * each bounded by the output limit; the others stream through unrecorded.
 * With line buffering, a callback gets one call per line, and the rest of a
 * line at the end of each call; a line that grows past the output limit
 * before its end comes in pieces of that many characters.
 */
export class OutputSink {
  readonly #modes: Record<StreamName, OutputOption>;
  readonly #limit: number;
  /** Text of an unfinished line per stream, held for a line-buffered callback; `undefined` when not line-buffered. */
  readonly #partial: Record<StreamName, string> | undefined;
  readonly #captured: Record<StreamName, BoundedBytes>;
  readonly #decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  #recording: Record<StreamName, BoundedBytes> | undefined;

  /**
   * @param stdout the `stdout` option
   * @param stderr the `stderr` option
   * @param limit bytes kept per stream, for the capture and for each recording
   * @param lineBuffered hand callbacks whole lines
   */
  constructor(stdout: OutputOption, stderr: OutputOption, limit: number, lineBuffered = false) {
    this.#modes = { stdout, stderr };
    this.#limit = limit;
    this.#partial = lineBuffered ? { stdout: '', stderr: '' } : undefined;
    this.#captured = { stdout: new BoundedBytes(limit), stderr: new BoundedBytes(limit) };
  }

  /** Takes bytes the worker posted for fd 1 or 2. */
  write(fd: 1 | 2, bytes: Uint8Array): void {
    const name: StreamName = fd === 1 ? 'stdout' : 'stderr';
    const mode = this.#modes[name];
    if (mode === 'capture') {
      this.#recording?.[name].push(bytes);
      this.#captured[name].push(bytes);
    } else if (mode === 'inherit') process[name].write(bytes);
    else if (typeof mode === 'function') this.#text(mode, this.#decoders[name].decode(bytes, { stream: true }), name);
  }

  /** Routes a stream anew from here on (what is already captured stays readable). */
  setMode(name: StreamName, mode: OutputOption): void {
    this.#deliverPartial(name);
    this.#modes[name] = mode;
  }

  /** A call ended: a line-buffered callback gets the unfinished line, if any. */
  endOfCall(): void {
    this.#deliverPartial('stdout');
    this.#deliverPartial('stderr');
  }

  /** Captured text of a stream (empty unless its mode is `'capture'`). */
  captured(name: StreamName): string {
    return this.#captured[name].text();
  }

  /** Forgets captured output. */
  clear(): void {
    this.#captured.stdout.clear();
    this.#captured.stderr.clear();
  }

  /** Starts recording what is written to the `'capture'` streams. */
  startRecording(): void {
    this.#recording = { stdout: new BoundedBytes(this.#limit), stderr: new BoundedBytes(this.#limit) };
  }

  /** Stops recording and returns what was written since {@link startRecording}. */
  stopRecording(): RecordedOutput {
    const rec = this.#recording;
    this.#recording = undefined;
    return { stdout: rec?.stdout.text() ?? '', stderr: rec?.stderr.text() ?? '' };
  }

  /** Hands a callback the end of any partial character and unfinished line (at dispose). */
  end(): void {
    for (const name of ['stdout', 'stderr'] as const) {
      const mode = this.#modes[name];
      if (typeof mode !== 'function') continue;
      this.#text(mode, this.#decoders[name].decode(), name);
      this.#deliverPartial(name);
    }
  }

  #text(fn: (chunk: string, stream: StreamName) => void, text: string, name: StreamName): void {
    if (!this.#partial) {
      this.#call(fn, text, name);
      return;
    }
    // Only the new text is searched, so a long line costs its length once, not once per write.
    const end = text.lastIndexOf('\n');
    let rest = this.#partial[name] + text;
    if (end >= 0) {
      const lines = rest.slice(0, rest.length - text.length + end).split('\n');
      rest = text.slice(end + 1);
      for (const line of lines) this.#call(fn, `${line}\n`, name);
    }
    // The host holds no more of an unfinished line than the output limit: past it, the line goes out in pieces.
    while (rest.length >= this.#limit) {
      this.#call(fn, rest.slice(0, this.#limit), name);
      rest = rest.slice(this.#limit);
    }
    this.#partial[name] = rest;
  }

  #deliverPartial(name: StreamName): void {
    const mode = this.#modes[name];
    const rest = this.#partial?.[name];
    if (!rest) return;
    this.#partial![name] = '';
    if (typeof mode === 'function') this.#call(mode, rest, name);
  }

  #call(fn: (chunk: string, stream: StreamName) => void, chunk: string, name: StreamName): void {
    if (chunk === '') return;
    try {
      fn(chunk, name);
    } catch (e) {
      process.emitWarning(`mpy: the ${name} callback of a MicroPython instance threw: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
