/**
 * Python tracebacks in host terms: the frames of a MicroPython traceback,
 * with guest paths mapped back through the instance's mounts to the host
 * files a user edits, as JS-style stack lines (so vitest and editors link
 * them) and a code frame of the failing line.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import type { MountOption } from '../embed/options.js';

/** One `File "…", line N, in F` line of a traceback. */
export interface PythonFrame {
  /** The path as the interpreter saw it. */
  readonly guestPath: string;
  /** The host file, when a mount shows it; else `undefined`. */
  readonly hostPath: string | undefined;
  readonly line: number;
  readonly functionName: string;
}

/** Maps a guest path to the host file a mount shows there, or `undefined`. */
export type GuestToHost = (guestPath: string) => string | undefined;

const FRAME = /^ {2}File "([^"]*)", line (\d+), in (.*)$/gm;
const CONTEXT_LINES = 2;

/** The mapping that a set of mounts (guest path → absolute host path) defines. */
export function guestToHost(mounts: Readonly<Record<string, string | MountOption>>): GuestToHost {
  const table = Object.entries(mounts)
    .map(([guest, spec]) => [guest.replace(/\/$/, ''), resolve(typeof spec === 'string' ? spec : spec.host)] as const)
    .sort((a, b) => b[0].length - a[0].length);
  return (guestPath) => {
    for (const [guest, host] of table) {
      if (guestPath === guest || guestPath.startsWith(`${guest}/`)) {
        const inside = resolve(host, guestPath.slice(guest.length + 1));
        const rel = relative(host, inside);
        return rel.startsWith('..') ? undefined : inside;
      }
    }
    return undefined;
  };
}

/** The frames of a traceback, outermost first. */
export function tracebackFrames(traceback: string, toHost: GuestToHost): PythonFrame[] {
  return [...traceback.matchAll(FRAME)].map((m) => ({
    guestPath: m[1]!,
    hostPath: toHost(m[1]!),
    line: Number(m[2]),
    functionName: m[3]!,
  }));
}

/** The traceback with every mapped guest path replaced by its host path. */
export function withHostPaths(traceback: string, toHost: GuestToHost): string {
  return traceback.replace(FRAME, (whole, path: string, line: string, fn: string) => {
    const host = toHost(path);
    return host === undefined ? whole : `  File "${host}", line ${line}, in ${fn}`;
  });
}

/** JS-style stack lines for the frames that have a host file, innermost first (as V8 orders them). */
export function stackLines(frames: readonly PythonFrame[]): string[] {
  return frames
    .filter((f) => f.hostPath !== undefined)
    .reverse()
    .map((f) => `    at ${f.functionName} (${f.hostPath}:${f.line}:1)`);
}

/** The innermost frame that has a host file, if any. */
function innermostHostFrame(frames: readonly PythonFrame[]): PythonFrame | undefined {
  return [...frames].reverse().find((f) => f.hostPath !== undefined);
}

/** The lines of a frame's host file, or `undefined` when it cannot be read or the line is not in it. */
function fileLines(frame: PythonFrame): string[] | undefined {
  try {
    const lines = readFileSync(frame.hostPath!, 'utf8').split('\n');
    return frame.line >= 1 && frame.line <= lines.length ? lines : undefined;
  } catch {
    return undefined;
  }
}

/** The source text of the innermost host frame's failing line, trimmed; `''` when unknown. */
export function failingSource(frames: readonly PythonFrame[]): string {
  const frame = innermostHostFrame(frames);
  const lines = frame && fileLines(frame);
  return lines ? lines[frame!.line - 1]!.trim() : '';
}

/**
 * The failing line of the innermost frame with a host file, with two lines of
 * context, numbered and marked with `>`; `''` when no frame has a readable file.
 */
export function codeFrame(frames: readonly PythonFrame[], cwd = process.cwd()): string {
  const frame = innermostHostFrame(frames);
  const lines = frame && fileLines(frame);
  if (!frame || !lines) return '';
  const first = Math.max(1, frame.line - CONTEXT_LINES);
  const last = Math.min(lines.length, frame.line + CONTEXT_LINES);
  const width = String(last).length;
  const shown = relative(cwd, frame.hostPath!).split(sep).join('/');
  const out = [`${shown.startsWith('..') ? frame.hostPath : shown}:${frame.line}`];
  for (let n = first; n <= last; n++) {
    out.push(`${n === frame.line ? '>' : ' '} ${String(n).padStart(width)} | ${lines[n - 1]}`);
  }
  return out.join('\n');
}
