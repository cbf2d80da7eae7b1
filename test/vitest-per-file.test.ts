// describePython's perFile option: the checks of its value. End to end (a
// file's own per-test limit and heap bound in a vitest child process), it is
// checked in vitest-describe.test.ts, whose forks run has a perFile file.
import { describe, expect, it } from 'vitest';
import { ensureDist } from './helpers/dist.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/host/vitest/per-file.js']);

describe('perFile checks', () => {
  it('refuses an option a file cannot have, or a wrong value, naming the key', async () => {
    const { checkPerFile } = await import('../dist/host/vitest/per-file.js');
    expect(() => checkPerFile({ 'a.py': { cwd: '/' } }, {})).toThrow(
      `describePython: perFile["a.py"]: unknown option 'cwd'; a file can have its own timeoutMs and heapSize`,
    );
    expect(() => checkPerFile({ 'a.py': { heapSize: '1K' } }, {})).toThrow(
      `describePython: perFile["a.py"]: heapSize "1K" is below the minimum '256K'`,
    );
    expect(() => checkPerFile({ 'a.py': 5 }, {})).toThrow('describePython: perFile["a.py"] must be an object like { timeoutMs: 60_000 }');
    expect(() => checkPerFile(['a.py'], {})).toThrow('describePython: perFile must be an object');
  });
});
