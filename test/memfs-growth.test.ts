// The in-memory filesystem's storage growth under mpy's bound
// (host/fs/memfs-quota.ts): a file's storage doubles, where MEMFS alone grows
// a file past 1 MiB by an eighth at a time, copying it each time. Checked on
// the real glue's MEMFS, in an interpreter of this thread.
import { describe, expect, it } from 'vitest';
import { boundMemoryFilesystem } from '../host/fs/memfs-quota.js';
import { Interpreter } from '../runtime/interpreter.js';
import type { EmFS } from '../wasm/emscripten-module.js';

const MiB = 1024 * 1024;

/** An interpreter whose MEMFS is bounded to `bound` bytes. */
async function bounded(bound: number): Promise<{ interp: Interpreter; fs: EmFS }> {
  const interp = await Interpreter.create({ stdio: { write: () => {}, read: () => 0 } });
  boundMemoryFilesystem(interp.fs, bound);
  return { interp, fs: interp.fs };
}

describe('a file written in 64 KiB pieces up to 4 MiB', () => {
  it('is copied to larger storage 6 times (doubling), not 16 (an eighth at a time past 1 MiB)', async () => {
    const { interp, fs } = await bounded(8 * MiB);
    const memfs = fs.filesystems.MEMFS;
    const expand = memfs.expandFileStorage.bind(memfs);
    const capacities: number[] = [];
    memfs.expandFileStorage = (node: object, capacity: number): void => {
      const held = (node as { contents?: Uint8Array }).contents;
      expand(node, capacity);
      const now = (node as { contents: Uint8Array }).contents;
      if (now !== held) capacities.push(now.length);
    };
    interp.exec("buf = b'x' * 65536\nwith open('/big', 'wb') as f:\n    for _ in range(64):\n        f.write(buf)");
    expect(capacities).toEqual([131072, 262144, 524288, MiB, 2 * MiB, 4 * MiB]);
  });

  it('never gets more storage than the bound allows', async () => {
    const { interp, fs } = await bounded(3 * MiB);
    interp.exec(
      "buf = b'x' * 65536\nerr = None\ntry:\n    with open('/big', 'wb') as f:\n        for _ in range(64):\n            f.write(buf)\nexcept OSError as e:\n    err = e.errno",
    );
    const node = fs.lookupPath('/big').node as unknown as { contents: Uint8Array; usedBytes: number };
    expect(node.usedBytes).toBeLessThanOrEqual(3 * MiB);
    expect(node.contents.length).toBeLessThanOrEqual(3 * MiB);
  });
});
