/**
 * Progress of an install for people: a one-line bar redrawn in place on a
 * terminal, or one plain line per package when the output is a pipe or file.
 */
import type { InstallEvent } from './options.js';
import { ProgressLine, bar } from '../progress-line.js';
import { forTerminal } from '../terminal-text.js';

/** A progress display fed with install events. */
export interface Progress {
  /** Feed it `install()`'s events. */
  onEvent(event: InstallEvent): void;
  /** Clears the bar (terminal) before the final message. */
  finish(): void;
}

function kb(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`;
}

/**
 * @param out where to draw (stderr)
 * @param tty draw a bar (true) or print lines (false); default `out.isTTY`
 */
export function createProgress(out: NodeJS.WriteStream, tty: boolean = out.isTTY === true): Progress {
  let known = 0;
  let unpacked = 0;
  let bytes = 0;
  let last = '';
  const line = new ProgressLine(out);
  const draw = (label: string): void => {
    line.draw(`${bar(unpacked, known)} ${unpacked}/${known} packages ${kb(bytes)}  ${label}`);
    last = label;
  };
  return {
    onEvent(e) {
      switch (e.type) {
        case 'wave':
          known += e.names.length;
          if (tty) draw(last || 'resolving');
          return;
        case 'resolved':
          if (tty) draw(`${e.name} ${e.version}`);
          return;
        case 'fetched':
          bytes += e.bytes;
          if (!tty) out.write(`${forTerminal(`${e.name} ${e.version}`)} ${e.cached ? '(cached)' : kb(e.bytes)}\n`);
          return;
        case 'unpacked':
          unpacked++;
          if (tty) draw(`${e.name} ${e.version}`);
          return;
        case 'staged':
          if (tty) draw(`${e.files} files staged`);
          return;
        case 'compiled':
          if (tty) draw(`compiled ${e.modules} modules`);
          return;
        case 'commit':
          if (tty && (e.done === e.total || e.done % 16 === 0)) draw(`installing ${e.done}/${e.total}`);
          return;
      }
    },
    finish() {
      line.clear();
    },
  };
}
