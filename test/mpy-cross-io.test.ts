/**
 * The build's in-wasm `fd_read` and `fd_write` for mpy-cross
 * (wasm/build/mpy-cross-io.ts) on a small hand-written module: reads of the
 * input fd are copied from linear memory without a crossing, across several
 * buffers, up to the end and no further; writes to the output fd are appended
 * to its region until one does not fit, which and every later one go to the
 * host; any other fd reaches the host's import.
 */
import binaryen from 'binaryen';
import { describe, expect, it } from 'vitest';
import { INPUT_GLOBAL_EXPORTS, OUTPUT_GLOBAL_EXPORTS } from '../host/compile/syscall-files.js';
import { serveFilesInWasm } from '../wasm/build/mpy-cross-io.js';

const MODULE = `(module
  (import "a" "p" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "a" "i" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "read") (param i32 i32 i32 i32) (result i32)
    (call $read (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "write") (param i32 i32 i32 i32) (result i32)
    (call $write (local.get 0) (local.get 1) (local.get 2) (local.get 3))))`;

type Globals = Record<'fd' | 'pos' | 'end', WebAssembly.Global>;

interface Built {
  readonly read: (fd: number, iov: number, count: number, pnum: number) => number;
  readonly write: (fd: number, iov: number, count: number, pnum: number) => number;
  readonly heap: Uint8Array;
  readonly u32: Uint32Array;
  readonly globals: Globals;
  readonly output: Globals;
  /** The host's calls: 'read' or 'write', then the arguments. */
  readonly hostCalls: (string | number)[][];
}

function build(): Built {
  const m = binaryen.parseText(MODULE);
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    expect(serveFilesInWasm(binaryen, m, 'a', 'p', 'i')).toEqual(
      [...Object.values(INPUT_GLOBAL_EXPORTS), ...Object.values(OUTPUT_GLOBAL_EXPORTS)].map((n) => `${n}:global`),
    );
    expect(m.validate()).toBeTruthy();
    bytes = new Uint8Array(m.emitBinary());
  } finally {
    m.dispose();
  }
  const hostCalls: (string | number)[][] = [];
  const host =
    (what: string) =>
    (...args: number[]): number => {
      hostCalls.push([what, ...args]);
      return 52;
    };
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { a: { p: host('read'), i: host('write') } });
  const memory = instance.exports.memory as WebAssembly.Memory;
  const globals = (names: Readonly<Record<'fd' | 'pos' | 'end', string>>): Globals => ({
    fd: instance.exports[names.fd] as WebAssembly.Global,
    pos: instance.exports[names.pos] as WebAssembly.Global,
    end: instance.exports[names.end] as WebAssembly.Global,
  });
  return {
    read: instance.exports.read as Built['read'],
    write: instance.exports.write as Built['write'],
    heap: new Uint8Array(memory.buffer),
    u32: new Uint32Array(memory.buffer),
    globals: globals(INPUT_GLOBAL_EXPORTS),
    output: globals(OUTPUT_GLOBAL_EXPORTS),
    hostCalls,
  };
}

const text = (heap: Uint8Array, at: number, n: number): string => new TextDecoder().decode(heap.subarray(at, at + n));

describe('mpy-cross reading its source inside the wasm', () => {
  it('copies the named fd from memory across buffers, stops at the end, and sends other fds to the host', () => {
    const w = build();
    expect(w.globals.fd.value).toBe(-1);
    w.heap.set(new TextEncoder().encode('hello, world'), 1000);
    w.globals.fd.value = 7;
    w.globals.pos.value = 1000;
    w.globals.end.value = 1012;
    // Two buffers: 5 bytes at 200, 20 at 300.
    w.u32.set([200, 5, 300, 20], 100 / 4);
    expect(w.read(7, 100, 2, 64)).toBe(0);
    expect(w.u32[64 / 4]).toBe(12);
    expect([text(w.heap, 200, 5), text(w.heap, 300, 7), w.heap[307]]).toEqual(['hello', ', world', 0]);
    expect(w.globals.pos.value).toBe(1012);
    // At the end: nothing more, and still no crossing.
    expect(w.read(7, 100, 2, 64)).toBe(0);
    expect(w.u32[64 / 4]).toBe(0);
    expect(w.hostCalls).toEqual([]);
    // Another fd, or the input once the host takes it back, is the host's.
    expect(w.read(8, 100, 2, 64)).toBe(52);
    w.globals.fd.value = -1;
    expect(w.read(7, 100, 1, 64)).toBe(52);
    expect(w.hostCalls).toEqual([
      ['read', 8, 100, 2, 64],
      ['read', 7, 100, 1, 64],
    ]);
  });

  it('appends writes to the output region while they fit, then gives the fd back to the host', () => {
    const w = build();
    expect(w.output.fd.value).toBe(-1);
    w.output.fd.value = 9;
    w.output.pos.value = 2000;
    w.output.end.value = 2010;
    w.heap.set(new TextEncoder().encode('abcdefghijklmnop'), 500);
    // Two buffers, 3 + 4 bytes: they fit.
    w.u32.set([500, 3, 503, 4], 100 / 4);
    expect(w.write(9, 100, 2, 64)).toBe(0);
    expect([w.u32[64 / 4], text(w.heap, 2000, 7), w.output.pos.value]).toEqual([7, 'abcdefg', 2007]);
    // 4 more do not fit in the 3 left: nothing is copied, the host takes this write and the fd.
    w.u32.set([507, 4], 100 / 4);
    expect(w.write(9, 100, 1, 64)).toBe(52);
    expect([w.output.fd.value, w.output.pos.value, w.heap[2007]]).toEqual([-1, 2007, 0]);
    // Another fd is the host's.
    expect(w.write(1, 100, 1, 64)).toBe(52);
    expect(w.hostCalls).toEqual([
      ['write', 9, 100, 1, 64],
      ['write', 1, 100, 1, 64],
    ]);
  });
});
