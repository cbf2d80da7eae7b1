// The in-memory filesystem's storage growth under mpy's bound
// (host/fs/memfs-quota.ts): a file's storage doubles, where MEMFS alone grows
// a file past 1 MiB by an eighth at a time, copying it each time. Checked on
// the real glue's MEMFS, in the stock interpreter's filesystem.
import { describe, expect, it } from 'vitest';
import { loadMicroPython } from '@micropython/micropython-webassembly-pyscript';
import { boundMemoryFilesystem } from '../host/fs/memfs-quota.js';
import type { EmFS } from '../wasm/emscripten-module.js';

const MiB = 1024 * 1024;

describe('a file written in 64 KiB pieces up to 4 MiB', () => {
  it('is copied to larger storage 6 times (doubling), not 16 (an eighth at a time past 1 MiB)', async () => {
    const mp = await loadMicroPython({ heapsize: 4 * MiB, stdout: () => {} });
    const fs = (mp as unknown as { FS: EmFS }).FS;
    boundMemoryFilesystem(fs, 8 * MiB);
    const memfs = fs.filesystems.MEMFS;
    const expand = memfs.expandFileStorage.bind(memfs);
    const capacities: number[] = [];
    memfs.expandFileStorage = (node: object, capacity: number): void => {
      const held = (node as { contents?: Uint8Array }).contents;
      expand(node, capacity);
      const now = (node as { contents: Uint8Array }).contents;
      if (now !== held) capacities.push(now.length);
    };
    mp.runPython("buf = b'x' * 65536\nwith open('/big', 'wb') as f:\n    for _ in range(64):\n        f.write(buf)");
    expect(capacities).toEqual([131072, 262144, 524288, MiB, 2 * MiB, 4 * MiB]);
  });

  it('never gets more storage than the bound allows', async () => {
    const mp = await loadMicroPython({ heapsize: 4 * MiB, stdout: () => {} });
    const fs = (mp as unknown as { FS: EmFS }).FS;
    boundMemoryFilesystem(fs, 3 * MiB);
    mp.runPython(
      "buf = b'x' * 65536\nerr = None\ntry:\n    with open('/big', 'wb') as f:\n        for _ in range(64):\n            f.write(buf)\nexcept OSError as e:\n    err = e.errno",
    );
    const node = fs.lookupPath('/big').node as unknown as { contents: Uint8Array; usedBytes: number };
    expect(node.usedBytes).toBeLessThanOrEqual(3 * MiB);
    expect(node.contents.length).toBeLessThanOrEqual(3 * MiB);
  });
});
