// mpy's unittest (runtime/lib/unittest) inside an instance: asserts and their
// messages, fixtures, subTest, skips, and main() for running a file alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist } from './helpers/dist.js';
import type * as Api from '../dist/index.js';

ensureDist(['host', 'runtime', 'wasm'], ['dist/index.js', 'dist/host/embed/worker.js']);
const { MicroPython } = (await import('../dist/index.js')) as typeof Api;

let mp: Api.MicroPython;
beforeAll(async () => {
  mp = await MicroPython.create();
  await mp.exec(`
import unittest
tc = unittest.TestCase()
def message(name, *args, **kwargs):
    try:
        getattr(tc, name)(*args, **kwargs)
    except AssertionError as e:
        return str(e)
    return None
`);
});
afterAll(() => mp.dispose());

const msg = (code: string): Promise<Api.PyValue> => mp.eval(code);

describe('unittest', () => {
  it('is mpy’s, ahead of the frozen one', async () => {
    expect(await mp.eval('unittest.__version__')).toBe('mpy-1');
    expect(await mp.eval('unittest.__file__')).toBe('/usr/lib/micropython/unittest/__init__.py');
  });

  it.each([
    ['message("assertEqual", 1, 1)', null],
    ['message("assertEqual", 1, 2)', '1 != 2'],
    ['message("assertEqual", 1, 2, "ctx")', '1 != 2 : ctx'],
    ['message("assertEqual", [1, 2], [1, 3])', '[1, 2] != [1, 3]\nfirst differing element 1: 2 != 3'],
    ['message("assertEqual", {"a": 1, "b": 2}, {"a": 1, "c": 2})', "{'a': 1, 'b': 2} != {'a': 1, 'c': 2}\n- 'b': 2\n+ 'c': 2"],
    ['message("assertNotEqual", 1, 1)', '1 == 1'],
    ['message("assertTrue", 0)', '0 is not true'],
    ['message("assertFalse", 1)', '1 is not false'],
    ['message("assertIs", 1, None)', '1 is not None'],
    ['message("assertIsNone", 0)', '0 is not None'],
    ['message("assertIsNotNone", None)', 'unexpectedly None'],
    ['message("assertIn", 3, [1])', '3 not found in [1]'],
    ['message("assertNotIn", 1, [1])', '1 unexpectedly found in [1]'],
    ['message("assertIsInstance", 1, str)', "1 is not an instance of <class 'str'>"],
    ['message("assertGreater", 1, 2)', '1 not greater than 2'],
    ['message("assertLessEqual", 3, 2)', '3 not less than or equal to 2'],
    ['message("assertAlmostEqual", 1.0, 1.00000001)', null],
    ['message("assertAlmostEqual", 1.0, 1.1, delta=0.2)', null],
    ['message("assertCountEqual", [1, 2, 2], [2, 1, 2])', null],
    ['message("assertCountEqual", [1, 2], [2, 3])', 'element counts differ: only in first [1], only in second [3]'],
    ['message("assertRegex", "abc", "b+")', null],
    ['message("assertRaises", ValueError, int, "x")', null],
    ['message("assertRaises", ValueError, int, "1")', 'ValueError not raised'],
    ['message("assertRaisesRegex", ValueError, "invalid", int, "x")', null],
  ])('%s', async (code, expected) => {
    expect(await msg(code)).toBe(expected);
  });

  it('assertRaisesRegex checks the message', async () => {
    expect(await msg('message("assertRaisesRegex", ValueError, "nope", int, "x")')).toMatch(/^"nope" does not match "invalid syntax/);
  });

  it('assertRaises as a context manager keeps the exception; other exceptions pass through', async () => {
    await mp.exec('with tc.assertRaises(KeyError) as cm:\n    {}["k"]');
    expect(await mp.eval('type(cm.exception).__name__')).toBe('KeyError');
    await expect(mp.exec('with tc.assertRaises(KeyError):\n    1/0')).rejects.toMatchObject({ type: 'ZeroDivisionError' });
  });

  it('runs fixtures, cleanups and subTests in order, and main() reports like CPython', async () => {
    await mp.exec(`
order = []
class T(unittest.TestCase):
    @classmethod
    def setUpClass(cls): order.append("setUpClass")
    @classmethod
    def tearDownClass(cls): order.append("tearDownClass")
    def setUp(self):
        order.append("setUp")
        self.addCleanup(order.append, "cleanup")
    def tearDown(self): order.append("tearDown")
    def test_a(self): order.append("a")
    def test_b_sub(self):
        for i in range(3):
            with self.subTest(i=i):
                self.assertNotEqual(i, 1)
    @unittest.skip
    def test_c_bare_skip(self): pass
    @unittest.expectedFailure
    def test_d(self): self.fail("known")
import io
buf = io.StringIO()
result = unittest.main(exit=False, testRunner=unittest.TextTestRunner(stream=buf))
`);
    expect(await mp.eval('order')).toEqual([
      'setUpClass',
      'setUp',
      'a',
      'tearDown',
      'cleanup',
      'setUp',
      'tearDown',
      'cleanup',
      'setUp',
      'tearDown',
      'cleanup',
      'tearDownClass',
    ]);
    const report = (await mp.eval('buf.getvalue()')) as string;
    expect(report).toContain('test_a (__main__.T) ... ok');
    expect(report).toContain('test_b_sub (__main__.T) ... FAIL');
    expect(report).toContain('subTest i=1 failed');
    expect(report).toContain("test_c_bare_skip (__main__.T) ... skipped ''");
    expect(report).toContain('test_d (__main__.T) ... expected failure');
    expect(report).toContain('Ran 4 tests');
    expect(report).toContain('FAILED (failures=1, skipped=1, expected failures=1)');
    expect(await mp.eval('result.wasSuccessful()')).toBe(false);
  });

  it('main() exits 0 or 1 for a script run with runFile', async () => {
    await mp.fs.writeFile('/ok_test.py', 'import unittest\nclass T(unittest.TestCase):\n    def test_x(self): pass\nunittest.main()\n');
    await mp.fs.writeFile(
      '/bad_test.py',
      'import unittest\nclass T(unittest.TestCase):\n    def test_x(self): self.assertEqual(1, 2)\nunittest.main()\n',
    );
    const ok = await mp.runFile('/ok_test.py');
    expect(ok.exitCode).toBe(0);
    expect(ok.stderr).toContain('OK');
    const bad = await mp.runFile('/bad_test.py');
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('AssertionError: 1 != 2');
    expect(bad.stderr).toContain('FAILED (failures=1)');
  });
});
