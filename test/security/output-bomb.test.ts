// Output bombs: what Python prints is kept only for 'capture' streams, and
// only up to outputLimit per stream (head and tail, with a note of the cut);
// other modes stream through unrecorded, runFile included.
import { describe, expect, it } from 'vitest';
import { ensureDist } from '../helpers/dist.js';
import type * as Api from '../../dist/index.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython } = (await import('../../dist/index.js')) as typeof Api;

const MiB = 1024 * 1024;
/** Writes `mib` MiB of 'x' to stdout in 64 KiB writes, then 'END'. */
const bomb = (mib: number): string =>
  `import sys\nb = b'x' * 65536\nfor _ in range(${mib * 16}):\n    sys.stdout.buffer.write(b)\nsys.stdout.write('END')\n`;

describe('outputLimit', () => {
  it('keeps the head and the tail and says how much was cut', async () => {
    await using mp = await MicroPython.create({ outputLimit: 1024 });
    await mp.exec("import sys\nsys.stdout.write('a' * 600 + 'b' * 600 + 'c' * 600)");
    expect(mp.stdout).toBe(
      `${'a'.repeat(512)}\n[mpy: 776 bytes of output cut here; outputLimit (1024 bytes) keeps the first 512 and the last 512]\n${'c'.repeat(512)}`,
    );
    mp.clearOutput();
    await mp.exec("print('fits')");
    expect(mp.stdout).toBe('fits\n');
  });

  it('bounds a 64 MiB bomb to the default 16 MiB, in the capture and in runFile', async () => {
    await using mp = await MicroPython.create();
    await mp.fs.writeFile('/bomb.py', bomb(64));
    const r = await mp.runFile('/bomb.py');
    expect(r.exitCode).toBe(0);
    const total = 64 * MiB + 3;
    for (const text of [r.stdout, mp.stdout]) {
      expect(text.length).toBeLessThan(16 * MiB + 200);
      expect(text.startsWith('xxxx')).toBe(true);
      expect(text.endsWith('xxxEND')).toBe(true);
      expect(text).toContain(`[mpy: ${total - 16 * MiB} bytes of output cut here; outputLimit (${16 * MiB} bytes)`);
    }
  });

  it('does not record streams that are not captured: runFile obeys the output mode', async () => {
    let seen = 0;
    await using mp = await MicroPython.create({ stdout: (chunk) => (seen += chunk.length), stderr: 'ignore' });
    await mp.fs.writeFile('/bomb.py', `${bomb(8)}import sys\nsys.stderr.write('err')\n`);
    const r = await mp.runFile('/bomb.py');
    expect(r).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    expect(seen).toBe(8 * MiB + 3);
    expect(mp.stdout).toBe('');
    expect(mp.stderr).toBe('');
  });

  it.each(['worker', 'current'] as const)('bounds the unfinished line a line-buffered callback waits for (thread: %s)', async (thread) => {
    const chunks: number[] = [];
    let text = '';
    await using mp = await MicroPython.create({
      thread,
      lineBuffered: true,
      outputLimit: '1M',
      stdout: (chunk) => {
        chunks.push(chunk.length);
        text = chunk;
      },
    });
    // 8 MiB without a newline, then one short line: the host holds at most outputLimit of a line.
    await mp.exec(bomb(8).replace("'END'", "'END\\n'"));
    expect(Math.max(...chunks)).toBeLessThanOrEqual(MiB);
    expect(chunks.reduce((a, b) => a + b, 0)).toBe(8 * MiB + 4);
    expect(chunks.length).toBe(9);
    expect(text).toBe('END\n');
  });

  it.each([
    [0, "outputLimit 0 is below the minimum '1K'"],
    ['1G', 'outputLimit "1G" is not a size'],
    ['300M', `outputLimit "300M" is above the maximum '256M'`],
    [1.5, 'outputLimit 1.5 is not a size'],
  ])('refuses outputLimit %j', async (value, message) => {
    await expect(MicroPython.create({ outputLimit: value })).rejects.toThrow(`MicroPython.create: ${message}`);
  });
});
