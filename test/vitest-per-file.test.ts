// describePython's perFile option: a file's own per-test limit and heap
// bound, end to end in a vitest child process.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist, ROOT } from './helpers/dist.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/host/vitest/index.js', 'dist/host/vitest/discover-main.js']);

// Both files sleep past the suite's limit (1500 ms: a loaded machine can take 400 ms to import a file);
// only the one perFile gives 60 s finishes.
// The heap's total is its bound less the allocator's own tables (a few per cent).
const SLEEPER = (mib: number): string => `import gc, time


def test_heap():
    assert ${mib - 1} * 2**20 < gc.mem_free() + gc.mem_alloc() <= ${mib} * 2**20


def test_sleeps():
    time.sleep(2)
`;

interface Assertion {
  ancestorTitles: string[];
  title: string;
  status: string;
  failureMessages: string[];
}

let dir: string;
beforeAll(() => {
  dir = tempDir('mpy-vitest-per-file-');
  mkdirSync(join(dir, 'py'));
  writeFileSync(join(dir, 'py', 'test_plain.py'), SLEEPER(4));
  writeFileSync(join(dir, 'py', 'test_big.py'), SLEEPER(8));
  const entry = JSON.stringify(join(ROOT, 'dist/host/vitest/index.js'));
  writeFileSync(
    join(dir, 'a.test.mjs'),
    `import { describePython } from ${entry};
describePython('py/test_*.py', {
  timeoutMs: 1500,
  heapSize: '4M',
  perFile: { 'py/test_b*.py': { timeoutMs: 60_000 }, './py/test_big.py': { heapSize: '8M' }, 'py/none_*.py': { heapSize: '1M' } },
});
`,
  );
});
afterAll(() => removeDir(dir));

function runVitest(): Assertion[] {
  const out = join(dir, 'report.json');
  try {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--root', dir, '--reporter=json', `--outputFile=${out}`],
      {
        cwd: dir,
        stdio: 'pipe',
        timeout: 120_000,
      },
    );
  } catch {
    // Failing tests make vitest exit 1: the report says which.
  }
  const report = JSON.parse(readFileSync(out, 'utf8')) as { testResults: { assertionResults: Assertion[] }[] };
  return report.testResults.flatMap((f) => f.assertionResults);
}

describe('describePython perFile', () => {
  let all: Assertion[];
  beforeAll(() => {
    all = runVitest();
  }, 120_000);
  const find = (file: string, title: string): Assertion => {
    const hit = all.find((a) => a.title === title && a.ancestorTitles[0] === file);
    if (!hit) throw new Error(`no test ${file} > ${title} in ${JSON.stringify(all.map((a) => [...a.ancestorTitles, a.title]))}`);
    return hit;
  };

  it("gives the matching files their own timeoutMs and heapSize, and the others the suite's", () => {
    expect(find('py/test_big.py', 'test_heap').failureMessages).toEqual([]);
    expect(find('py/test_big.py', 'test_sleeps').status).toBe('passed');
    expect(find('py/test_plain.py', 'test_heap').status).toBe('passed');
    const plain = find('py/test_plain.py', 'test_sleeps');
    expect(plain.status).toBe('failed');
    expect(plain.failureMessages[0]).toContain('test_sleeps did not finish within timeoutMs (1500 ms)');
  });

  it('a key that matches no file fails, naming it', () => {
    const none = all.find((a) => a.title === 'perFile "py/none_*.py"');
    expect(none?.status).toBe('failed');
    expect(none?.failureMessages[0]).toContain('describePython: perFile key "py/none_*.py" matches none of the files of "py/test_*.py"');
  });
});

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
