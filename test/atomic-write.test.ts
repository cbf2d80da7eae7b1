import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../host/atomic-write.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';

const dir = tempDir('mpy-atomic-');
afterAll(() => removeDir(dir));

describe('writeFileAtomic', () => {
  it('writes a new file and replaces an old one whole, leaving nothing beside it', async () => {
    const path = join(dir, 'a.mpy');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    writeFileSync(path, 'old');
    await writeFileAtomic(path, 'new text');
    expect(readFileSync(path, 'utf8')).toBe('new text');
    expect(readdirSync(dir)).toEqual(['a.mpy']);
  });

  it('on failure throws, keeps what was there, and removes its temporary file', async () => {
    const sub = join(dir, 'sub');
    mkdirSync(join(sub, 'taken'), { recursive: true });
    writeFileSync(join(sub, 'taken', 'inside'), 'x');
    // Renaming a file over a non-empty directory fails.
    await expect(writeFileAtomic(join(sub, 'taken'), 'data')).rejects.toMatchObject({
      code: expect.stringMatching(/^E(ISDIR|NOTEMPTY|EXIST)$/),
    });
    expect(readdirSync(sub)).toEqual(['taken']);
    expect(readFileSync(join(sub, 'taken', 'inside'), 'utf8')).toBe('x');
    await expect(writeFileAtomic(join(dir, 'missing', 'f'), 'data')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
