// describePython end to end: a vitest run (in a child process) over a
// fixture of MicroPython test files, read back through the JSON reporter.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist, ROOT } from './helpers/dist.js';
import { removeDir, tempDir } from './helpers/fixture-dir.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/host/vitest/index.js', 'dist/host/vitest/discover-main.js']);

const MIXED = `import unittest
import shapes

log = []


def setUpModule():
    log.append("module")


class TestArea(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        log.append("class")

    def setUp(self):
        self.square = shapes.Square(3)

    def test_area(self):
        self.assertEqual(self.square.area(), 9)

    def test_wrong(self):
        print("diagnostic output")
        self.assertEqual(self.square.area(), 10)

    def test_error(self):
        {}["missing"]

    def test_runtime_skip(self):
        self.skipTest("decided at run time")

    @unittest.skip("not written yet")
    def test_static_skip(self):
        raise AssertionError("must not run")

    @unittest.expectedFailure
    def test_known_bug(self):
        self.assertEqual(shapes.Square(-1).area(), 0)

    @unittest.expectedFailure
    def test_fixed_bug(self):
        pass

    def test_hangs(self):
        # Never returns, asleep rather than busy: each of the three vitest runs
        # waits out the limit (a busy loop's interruption by timeoutMs is
        # checked in embed-errors.test.ts).
        import time

        log.append("hangs")
        while True:
            time.sleep_ms(10)

    def test_zz_after_timeout(self):
        # The same instance: what the interrupted test did is still there.
        self.assertEqual(log, ["module", "class", "hangs"])


@unittest.skipIf(True, "whole class off")
class TestSkippedClass(unittest.TestCase):
    def test_never(self):
        raise AssertionError("must not run")


class TestBrokenFixture(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        raise RuntimeError("fixture broke")

    def test_one(self):
        pass


def test_function():
    assert shapes.Square(2).area() == 4


def test_function_fails():
    assert shapes.Square(2).area() == 5, "two squared"


def test_function_bare():
    assert shapes.Square(2).area() == 5


def test_function_deep():
    shapes.Square(None).area()
`;

const SHAPES = `class Square:
    def __init__(self, side):
        self.side = side

    def area(self):
        return self.side * self.side
`;

// perFile: both files sleep past the suite's limit (1500 ms: a loaded machine can take 400 ms to import a file);
// only the one perFile gives 60 s finishes. The heap's total is its bound less the allocator's own tables (a few per cent).
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
  dir = tempDir('mpy-vitest-');
  mkdirSync(join(dir, 'lib'));
  mkdirSync(join(dir, 'py'));
  mkdirSync(join(dir, 'py2'));
  writeFileSync(join(dir, 'lib', 'shapes.py'), SHAPES);
  writeFileSync(join(dir, 'py', 'test_mixed.py'), MIXED);
  writeFileSync(join(dir, 'py', 'test_broken.py'), 'import not_a_module\n');
  writeFileSync(join(dir, 'py', 'helper.py'), 'VALUE = 5\n');
  writeFileSync(join(dir, 'py', 'test_sibling.py'), 'import helper\n\ndef test_sibling_import():\n    assert helper.VALUE == 5\n');
  writeFileSync(join(dir, 'py2', 'test_other.py'), 'def test_other():\n    pass\n');
  const entry = JSON.stringify(join(ROOT, 'dist/host/vitest/index.js'));
  writeFileSync(
    join(dir, 'a.test.mjs'),
    `import { describePython } from ${entry};\ndescribePython(['py/test_*.py'], { mounts: { '/lib': './lib' }, timeoutMs: 1500 });\n`,
  );
  writeFileSync(
    join(dir, 'b.test.mjs'),
    `import { describePython } from ${entry};\ndescribePython('py2/**/test_*.py', { name: 'other' });\n`,
  );
  writeFileSync(join(dir, 'c.test.mjs'), `import { describePython } from ${entry};\ndescribePython('nothing/test_*.py');\n`);
  mkdirSync(join(dir, 'perfile'));
  writeFileSync(join(dir, 'perfile', 'test_plain.py'), SLEEPER(4));
  writeFileSync(join(dir, 'perfile', 'test_big.py'), SLEEPER(8));
  writeFileSync(
    join(dir, 'd.test.mjs'),
    `import { describePython } from ${entry};
describePython('perfile/test_*.py', {
  timeoutMs: 1500,
  heapSize: '4M',
  perFile: { 'perfile/test_b*.py': { timeoutMs: 60_000 }, './perfile/test_big.py': { heapSize: '8M' }, 'perfile/none_*.py': { heapSize: '1M' } },
});
`,
  );
});
afterAll(() => removeDir(dir));

function runVitest(...args: string[]): Assertion[] {
  const out = join(dir, `report-${args.join('-').replace(/[^a-z0-9]+/gi, '_')}.json`);
  try {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--root', dir, '--reporter=json', `--outputFile=${out}`, ...args],
      { cwd: dir, stdio: 'pipe', timeout: 120_000 },
    );
  } catch {
    // Failing Python tests make vitest exit 1: the report says which.
  }
  const report = JSON.parse(readFileSync(out, 'utf8')) as { testResults: { assertionResults: Assertion[] }[] };
  return report.testResults.flatMap((f) => f.assertionResults);
}

const find = (all: Assertion[], ...path: string[]): Assertion => {
  const title = path.pop()!;
  const hit = all.find((a) => a.title === title && a.ancestorTitles.join('/') === path.join('/'));
  if (!hit)
    throw new Error(
      `no test ${path.join(' > ')} > ${title} in ${all.map((a) => `${a.ancestorTitles.join(' > ')} > ${a.title}`).join('\n')}`,
    );
  return hit;
};

// The threads pool's run is made in two shards (the shard check below reads
// the halves): one vitest child fewer than a whole run plus a shard pair.
// The forks run also has the perFile file (d.test.mjs), read by the perFile
// checks below: one vitest child fewer again.
const DESCRIBE_FILES = ['a.test', 'b.test', 'c.test'];
let shards: [Assertion[], Assertion[]];
let forksRun: Assertion[] = [];
const runs: Record<string, () => Assertion[]> = {
  threads: () => {
    shards = [runVitest('--pool=threads', '--shard=1/2', ...DESCRIBE_FILES), runVitest('--pool=threads', '--shard=2/2', ...DESCRIBE_FILES)];
    return [...shards[0], ...shards[1]];
  },
  forks: () => {
    forksRun = runVitest('--pool=forks');
    return forksRun.filter((a) => !a.ancestorTitles[0]?.startsWith('perfile/') && !a.title.startsWith('perFile '));
  },
};

describe.each(['threads', 'forks'])('vitest pool %s', (pool) => {
  let all: Assertion[];
  beforeAll(() => {
    all = runs[pool]!();
  }, 240_000);

  it('reports every test method and test function as its own test', () => {
    const mixed = all
      .filter((a) => a.ancestorTitles[0] === 'py/test_mixed.py')
      .map((a) => [...a.ancestorTitles.slice(1), a.title].join('.'));
    expect(mixed.sort()).toEqual(
      [
        'TestArea.test_area',
        'TestArea.test_error',
        'TestArea.test_fixed_bug',
        'TestArea.test_known_bug',
        'TestArea.test_runtime_skip',
        'TestArea.test_hangs',
        'TestArea.test_static_skip',
        'TestArea.test_wrong',
        'TestArea.test_zz_after_timeout',
        'TestBrokenFixture.test_one',
        'TestSkippedClass.test_never',
        'test_function',
        'test_function_bare',
        'test_function_deep',
        'test_function_fails',
      ].sort(),
    );
  });

  it('passes and fails with the Python traceback and captured output as the message', () => {
    expect(find(all, 'py/test_mixed.py', 'TestArea', 'test_area').status).toBe('passed');
    expect(find(all, 'py/test_mixed.py', 'test_function').status).toBe('passed');
    const wrong = find(all, 'py/test_mixed.py', 'TestArea', 'test_wrong');
    expect(wrong.status).toBe('failed');
    expect(wrong.failureMessages[0]).toMatch(/^AssertionError: 9 != 10\n\nTraceback \(most recent call last\):/);
    expect(wrong.failureMessages[0]).toContain(`File "${join(dir, 'py', 'test_mixed.py')}", line 24, in test_wrong`);
    expect(wrong.failureMessages[0]).toContain('--- captured stdout ---\ndiagnostic output');
    expect(wrong.failureMessages[0]).not.toContain('unittest/');
    expect(find(all, 'py/test_mixed.py', 'TestArea', 'test_error').failureMessages[0]).toContain('KeyError: missing');
    expect(find(all, 'py/test_mixed.py', 'test_function_fails').failureMessages[0]).toContain('AssertionError: two squared');
  });

  it('points at the host files of every Python frame, with a code frame of the failing line', () => {
    const wrong = find(all, 'py/test_mixed.py', 'TestArea', 'test_wrong').failureMessages[0]!;
    expect(wrong).toContain(`    at test_wrong (${join(dir, 'py', 'test_mixed.py')}:24:1)`);
    expect(wrong).toContain(
      'py/test_mixed.py:24\n  22 |     def test_wrong(self):\n  23 |         print("diagnostic output")\n> 24 |         self.assertEqual(self.square.area(), 10)',
    );
    const deep = find(all, 'py/test_mixed.py', 'test_function_deep').failureMessages[0]!;
    expect(deep).toContain(`File "${join(dir, 'lib', 'shapes.py')}", line 6, in area`);
    expect(deep).toMatch(/ {4}at area \(.*\/lib\/shapes\.py:6:1\)\n {4}at test_function_deep \(.*\/py\/test_mixed\.py:\d+:1\)/);
    expect(deep).toContain('> 6 |         return self.side * self.side');
    const bare = find(all, 'py/test_mixed.py', 'test_function_bare').failureMessages[0]!;
    expect(bare).toMatch(/^AssertionError: assert shapes\.Square\(2\)\.area\(\) == 5\n/);
  });

  it('maps skips and expected failures to vitest', () => {
    expect(find(all, 'py/test_mixed.py', 'TestArea', 'test_static_skip').status).toBe('skipped');
    expect(find(all, 'py/test_mixed.py', 'TestArea', 'test_runtime_skip').status).toBe('skipped');
    expect(find(all, 'py/test_mixed.py', 'TestSkippedClass', 'test_never').status).toBe('skipped');
    expect(find(all, 'py/test_mixed.py', 'TestArea', 'test_known_bug').status).toBe('passed');
    const fixed = find(all, 'py/test_mixed.py', 'TestArea', 'test_fixed_bug');
    expect(fixed.status).toBe('failed');
    expect(fixed.failureMessages[0]).toContain('Expect test to fail');
  });

  it('a failing setUpClass fails its tests with its traceback', () => {
    expect(find(all, 'py/test_mixed.py', 'TestBrokenFixture', 'test_one').failureMessages[0]).toContain('RuntimeError: fixture broke');
  });

  it('a test that never returns times out, is interrupted, and the rest of the file runs in the same instance', () => {
    const hangs = find(all, 'py/test_mixed.py', 'TestArea', 'test_hangs');
    expect(hangs.status).toBe('failed');
    expect(hangs.failureMessages[0]).toContain(
      'TimeoutError: TestArea.test_hangs did not finish within timeoutMs (1500 ms); it was interrupted (KeyboardInterrupt) and the rest of the file runs in the same instance',
    );
    expect(find(all, 'py/test_mixed.py', 'TestArea', 'test_zz_after_timeout').status).toBe('passed');
  });

  it('a file that does not import fails one test; siblings of a test file import', () => {
    const broken = find(all, 'py/test_broken.py', 'import test_broken');
    expect(broken.status).toBe('failed');
    expect(broken.failureMessages[0]).toContain("ImportError: no module named 'not_a_module'");
    expect(find(all, 'py/test_sibling.py', 'test_sibling_import').status).toBe('passed');
  });

  it('a name wraps the files; a pattern matching nothing fails', () => {
    expect(find(all, 'other', 'py2/test_other.py', 'test_other').status).toBe('passed');
    const none = all.find((a) => a.title.startsWith('files matching'));
    expect(none?.status).toBe('failed');
    expect(none?.failureMessages[0]).toContain('no file matches "nothing/test_*.py"');
  });
});

describe('vitest --shard', () => {
  it('splits the test files between shards, and together they run everything once', () => {
    const [one, two] = shards;
    const titles = (list: Assertion[]): string[] => list.map((a) => [...a.ancestorTitles, a.title].join(' > '));
    expect(one.length).toBeGreaterThan(0);
    expect(two.length).toBeGreaterThan(0);
    const both = [...titles(one), ...titles(two)];
    expect(new Set(both).size).toBe(both.length);
    expect(both).toContain('other > py2/test_other.py > test_other');
    expect(both).toContain('files matching "nothing/test_*.py"');
    expect(both).toContain('py/test_mixed.py > TestArea > test_area');
  });
});

describe('describePython perFile (the forks run)', () => {
  const perFile = (file: string, title: string): Assertion => {
    const hit = forksRun.find((a) => a.title === title && a.ancestorTitles[0] === file);
    if (!hit) throw new Error(`no test ${file} > ${title} in ${JSON.stringify(forksRun.map((a) => [...a.ancestorTitles, a.title]))}`);
    return hit;
  };

  it("gives the matching files their own timeoutMs and heapSize, and the others the suite's", () => {
    expect(perFile('perfile/test_big.py', 'test_heap').failureMessages).toEqual([]);
    expect(perFile('perfile/test_big.py', 'test_sleeps').status).toBe('passed');
    expect(perFile('perfile/test_plain.py', 'test_heap').status).toBe('passed');
    const plain = perFile('perfile/test_plain.py', 'test_sleeps');
    expect(plain.status).toBe('failed');
    expect(plain.failureMessages[0]).toContain('test_sleeps did not finish within timeoutMs (1500 ms)');
  });

  it('a key that matches no file fails, naming it', () => {
    const none = forksRun.find((a) => a.title === 'perFile "perfile/none_*.py"');
    expect(none?.status).toBe('failed');
    expect(none?.failureMessages[0]).toContain(
      'describePython: perFile key "perfile/none_*.py" matches none of the files of "perfile/test_*.py"',
    );
  });
});
