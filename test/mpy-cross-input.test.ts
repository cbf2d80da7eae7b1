/**
 * The build's in-wasm `fd_read` for mpy-cross (wasm/build/mpy-cross-input.ts)
 * on a small hand-written module: reads of the fd the host named are copied
 * from linear memory without a crossing, across several buffers, up to the
 * end and no further; any other fd still reaches the host's import.
 */
import binaryen from 'binaryen';
import { describe, expect, it } from 'vitest';
import { INPUT_GLOBAL_EXPORTS } from '../host/compile/syscall-files.js';
import { serveInputInWasm } from '../wasm/build/mpy-cross-input.js';

const MODULE = `(module
  (import "a" "p" (func $read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "read") (param i32 i32 i32 i32) (result i32)
    (call $read (local.get 0) (local.get 1) (local.get 2) (local.get 3))))`;

interface Built {
  readonly read: (fd: number, iov: number, count: number, pnum: number) => number;
  readonly heap: Uint8Array;
  readonly u32: Uint32Array;
  readonly globals: Record<keyof typeof INPUT_GLOBAL_EXPORTS, WebAssembly.Global>;
  readonly hostCalls: number[][];
}

function build(): Built {
  const m = binaryen.parseText(MODULE);
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    expect(serveInputInWasm(binaryen, m, 'a', 'p')).toEqual(Object.values(INPUT_GLOBAL_EXPORTS).map((n) => `${n}:global`));
    expect(m.validate()).toBeTruthy();
    bytes = new Uint8Array(m.emitBinary());
  } finally {
    m.dispose();
  }
  const hostCalls: number[][] = [];
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
    a: {
      p: (...args: number[]): number => {
        hostCalls.push(args);
        return 52;
      },
    },
  });
  const memory = instance.exports.memory as WebAssembly.Memory;
  const global = (name: string): WebAssembly.Global => instance.exports[name] as WebAssembly.Global;
  return {
    read: instance.exports.read as Built['read'],
    heap: new Uint8Array(memory.buffer),
    u32: new Uint32Array(memory.buffer),
    globals: { fd: global(INPUT_GLOBAL_EXPORTS.fd), pos: global(INPUT_GLOBAL_EXPORTS.pos), end: global(INPUT_GLOBAL_EXPORTS.end) },
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
      [8, 100, 2, 64],
      [7, 100, 1, 64],
    ]);
  });
});
