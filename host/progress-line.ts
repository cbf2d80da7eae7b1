import { forTerminal } from './terminal-text.js';

/**
 * One status line redrawn in place on a terminal (`\r`, erase line), cut to
 * the terminal's width so it never wraps. Used by the commands that do long
 * work (`mpy install`, `mpy compile`) to show progress on stderr.
 */
export class ProgressLine {
  readonly #out: NodeJS.WriteStream;
  #drawn = false;

  /** @param out where to draw; it should be a terminal */
  constructor(out: NodeJS.WriteStream) {
    this.#out = out;
  }

  /** Replaces the line with `text`. */
  draw(text: string): void {
    const cols = this.#out.columns || 80;
    this.#out.write(`\r\x1b[K${forTerminal(text).slice(0, cols - 1)}`);
    this.#drawn = true;
  }

  /** Erases the line, if anything was drawn, so the next output starts clean. */
  clear(): void {
    if (this.#drawn) this.#out.write('\r\x1b[K');
    this.#drawn = false;
  }
}

/** A bar of `width` cells, `done` of `total` filled: `[#####-----]`. */
export function bar(done: number, total: number, width = 24): string {
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}
