// Python tracebacks mapped to host files: guest paths through mounts, stack
// lines, code frames.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeFrame, failingSource, guestToHost, stackLines, tracebackFrames, withHostPaths } from '../host/vitest/python-frames.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';

let dir: string;
beforeAll(() => {
  dir = tempDir('mpy-frames-');
  mkdirSync(join(dir, 'src', 'pkg'), { recursive: true });
  writeFileSync(join(dir, 'src', 'pkg', 'mod.py'), 'a = 1\nb = 2\nc = 3\nd = 4\ne = 5\n');
});
afterAll(() => removeDir(dir));

const TRACEBACK = `Traceback (most recent call last):
  File "/app/pkg/mod.py", line 4, in f
  File "<stdin>", line 1, in <module>
  File "/other/x.py", line 2, in g
ValueError: bad`;

describe('python frames', () => {
  it('maps guest paths through the longest matching mount, never outside it', () => {
    const toHost = guestToHost({ '/app': join(dir, 'src'), '/app/pkg': { host: join(dir, 'src', 'pkg'), readOnly: true } });
    expect(toHost('/app/pkg/mod.py')).toBe(join(dir, 'src', 'pkg', 'mod.py'));
    expect(toHost('/app/top.py')).toBe(join(dir, 'src', 'top.py'));
    expect(toHost('/application/x.py')).toBeUndefined();
    expect(toHost('/app/../etc/passwd')).toBeUndefined();
    expect(toHost('<stdin>')).toBeUndefined();
  });

  it('rewrites mapped frames only, and lists them innermost first as stack lines', () => {
    const toHost = guestToHost({ '/app': join(dir, 'src') });
    const frames = tracebackFrames(TRACEBACK, toHost);
    expect(frames.map((f) => [f.guestPath, f.line, f.functionName])).toEqual([
      ['/app/pkg/mod.py', 4, 'f'],
      ['<stdin>', 1, '<module>'],
      ['/other/x.py', 2, 'g'],
    ]);
    expect(withHostPaths(TRACEBACK, toHost)).toContain(
      `  File "${join(dir, 'src', 'pkg', 'mod.py')}", line 4, in f\n  File "<stdin>", line 1`,
    );
    expect(stackLines(frames)).toEqual([`    at f (${join(dir, 'src', 'pkg', 'mod.py')}:4:1)`]);
  });

  it('shows the failing line with context, and its source', () => {
    const frames = tracebackFrames(TRACEBACK, guestToHost({ '/app': join(dir, 'src') }));
    expect(codeFrame(frames, dir)).toBe('src/pkg/mod.py:4\n  2 | b = 2\n  3 | c = 3\n> 4 | d = 4\n  5 | e = 5\n  6 | ');
    expect(failingSource(frames)).toBe('d = 4');
    expect(codeFrame(tracebackFrames(TRACEBACK, () => undefined))).toBe('');
  });
});
