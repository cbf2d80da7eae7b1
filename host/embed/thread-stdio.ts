/**
 * The stdio of an interpreter in the calling thread (`thread: 'current'`):
 * stdin from a fixed buffer, stdout/stderr straight into the instance's
 * output sink as Python writes them.
 *
 * @module
 */
import { StdinBuffer, type EmbedStdio } from './embed-stdio.js';
import type { OutputSink } from './output.js';

/** Hands each write to the sink (a copy: the bytes are a view into the wasm heap). */
export class ThreadStdio implements EmbedStdio {
  readonly #sink: OutputSink;
  readonly #stdin: StdinBuffer;

  /**
   * @param sink where output goes (its callbacks' exceptions are caught there, so none unwinds through the VM)
   * @param stdin everything `sys.stdin` will read
   */
  constructor(sink: OutputSink, stdin: Uint8Array) {
    this.#sink = sink;
    this.#stdin = new StdinBuffer(stdin);
  }

  /** {@inheritDoc StdioHooks.write} */
  write(fd: 1 | 2, bytes: Uint8Array): void {
    this.#sink.write(fd, bytes.slice());
  }

  /** {@inheritDoc StdioHooks.read} */
  read(into: Uint8Array): number {
    return this.#stdin.read(into);
  }

  /** {@inheritDoc EmbedStdio.replaceStdin} */
  replaceStdin(data: Uint8Array): () => void {
    return this.#stdin.replace(data);
  }

  /** Nothing is buffered here. */
  flush(): void {}
}
