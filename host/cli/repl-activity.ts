/**
 * What the REPL in the interpreter's thread is doing, shared with the main
 * thread, which reads it when a Ctrl-C arrives in raw mode: with the REPL at
 * a prompt and every key that may run code already taken, the Ctrl-C is a
 * keystroke for the line editor, in stream order with the keys around it;
 * otherwise code runs (or will, once the keys ahead of it are taken) and it
 * becomes a KeyboardInterrupt.
 *
 * The REPL says it is at a prompt before the prompt is written, so a Ctrl-C
 * typed after the prompt showed is a keystroke: the main thread's own view
 * (whether the REPL has asked for a key yet) lags behind the terminal, and a
 * Ctrl-C typed at once was taken for an interrupt of code that had finished,
 * and lost. Either side changes the state only while holding it locked, so
 * the REPL cannot reach its prompt between the main thread's look and its
 * interrupt: it drops what the finished code did not take as it leaves the
 * running state, and no interrupt is left to strike the next statement.
 *
 * @module
 */

/** Code may run (the state until the REPL first prompts). */
const RUNNING = 0;
/** The REPL waits at a prompt or edits a line: no code runs. */
const EDITING = 1;
/** One side is changing the state (or interrupting); the other waits. */
const LOCKED = 2;

/** Word indices in the shared buffer. */
const STATE = 0;
/** How many bytes of stdin the interpreter's thread has taken, modulo 2^32. */
const TAKEN = 1;

const CR = 13;
const LF = 10;
const CTRL_D = 4;

/** One REPL's activity, seen from either thread. */
export class ReplActivity {
  readonly #words: Int32Array;
  /** Main thread: bytes passed on to the interpreter's thread, modulo 2^32. */
  #sent = 0;
  /** Main thread: `#sent` just after the last key passed on that may run code. */
  #runKeyEnd = 0;

  /** @param buffer the shared words ({@link ReplActivity.allocate}) */
  constructor(buffer: SharedArrayBuffer) {
    this.#words = new Int32Array(buffer);
  }

  /** New words, in the running state, to share between the threads. */
  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
  }

  /** Whether the REPL may run code on taking `key` (Enter ends a statement, Ctrl-D a pasted block or raw-mode code). */
  static mayRunCode(key: number): boolean {
    return key === CR || key === LF || key === CTRL_D;
  }

  /** Takes the state from `from` to locked; false if it is (or becomes) something else. */
  #lock(from: number): boolean {
    for (;;) {
      const was = Atomics.compareExchange(this.#words, STATE, from, LOCKED);
      if (was === from) return true;
      if (was !== LOCKED) return false;
      Atomics.wait(this.#words, STATE, LOCKED);
    }
  }

  #unlock(to: number): void {
    Atomics.store(this.#words, STATE, to);
    Atomics.notify(this.#words, STATE);
  }

  /** Interpreter thread: the REPL will take a key that may run code (call before it counts as taken). */
  running(): void {
    if (this.#lock(EDITING)) this.#unlock(RUNNING);
  }

  /**
   * Interpreter thread: the REPL is at a prompt (call before the prompt is written).
   * @param dropInterrupt drops a KeyboardInterrupt the code that ran did not take
   */
  editing(dropInterrupt: () => void): void {
    if (!this.#lock(RUNNING)) return;
    try {
      dropInterrupt();
    } finally {
      this.#unlock(EDITING);
    }
  }

  /** Interpreter thread: `count` more bytes of stdin were taken. */
  took(count: number): void {
    Atomics.add(this.#words, TAKEN, count);
  }

  /**
   * Main thread: `bytes` are passed on to the interpreter's thread (in order, after those before).
   * @param keys whether they are keystrokes at the REPL (else stdin for a program: only counted)
   */
  sent(bytes: Uint8Array, keys: boolean): void {
    if (keys) {
      const last = Math.max(bytes.lastIndexOf(CR), bytes.lastIndexOf(LF), bytes.lastIndexOf(CTRL_D));
      if (last >= 0) this.#runKeyEnd = (this.#sent + last + 1) | 0;
    }
    this.#sent = (this.#sent + bytes.length) | 0;
  }

  /**
   * Main thread: calls `interrupt` if code runs, or will once the keys
   * passed on are taken.
   * @returns whether it did; if not, the Ctrl-C is a keystroke at the prompt
   */
  interruptIfRunning(interrupt: () => void): boolean {
    for (;;) {
      const state = Atomics.load(this.#words, STATE);
      if (state === LOCKED) {
        Atomics.wait(this.#words, STATE, LOCKED);
        continue;
      }
      if (!this.#lock(state)) continue;
      try {
        const runKeysTaken = ((Atomics.load(this.#words, TAKEN) - this.#runKeyEnd) | 0) >= 0;
        if (state === EDITING && runKeysTaken) return false;
        interrupt();
        return true;
      } finally {
        this.#unlock(state);
      }
    }
  }
}
