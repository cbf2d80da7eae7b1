# mpy: a unittest for MicroPython, compatible with the common part of
# CPython's (and with micropython-lib's, which the build freezes): TestCase
# with the usual asserts, subTest, cleanups, setUp/tearDown,
# setUpClass/tearDownClass, setUpModule/tearDownModule, the skip decorators
# and expectedFailure, SkipTest, and main() for running a file on its own.
#
# MicroPython functions take no attributes, so the decorators wrap a test in
# a _Marked object that records the skip reason / expected failure; it binds
# like a method. mpy's vitest integration reads these marks to register
# skipped and expected-failure tests (see _mpy_runner.py in this package).
import sys

__version__ = "mpy-1"


class SkipTest(Exception):
    """Raise to skip the current test; the argument is the reason."""


class _Marked:
    def __init__(self, fn):
        self.fn = fn
        self.skip_why = None
        self.expected_failure = False
        self.__name__ = getattr(fn, "__name__", "test")

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def __get__(self, obj, cls):
        if obj is None:
            return self
        fn = self.fn
        return lambda *args, **kwargs: fn(obj, *args, **kwargs)


def _mark(obj):
    return obj if isinstance(obj, _Marked) else _Marked(obj)


def skip(reason):
    """Decorator: always skip the test or TestCase class."""

    def decorate(obj):
        if isinstance(obj, type):
            obj.__unittest_skip__ = True
            obj.__unittest_skip_why__ = reason
            return obj
        marked = _mark(obj)
        marked.skip_why = reason
        return marked

    if callable(reason) and not isinstance(reason, str):
        obj, reason = reason, ""
        return decorate(obj)
    return decorate


def _keep(obj):
    return obj


def skipIf(condition, reason):
    """Decorator: skip when `condition` is true."""
    return skip(reason) if condition else _keep


def skipUnless(condition, reason):
    """Decorator: skip unless `condition` is true."""
    return _keep if condition else skip(reason)


def expectedFailure(obj):
    """Decorator: the test is expected to fail; passing is an unexpected success."""
    marked = _mark(obj)
    marked.expected_failure = True
    return marked


def _safe_repr(obj, limit=200):
    try:
        text = repr(obj)
    except Exception:
        text = object.__repr__(obj)
    return text if len(text) <= limit else text[:limit] + " [truncated]..."


class _RaisesContext:
    def __init__(self, expected, test, msg, regex=None):
        self.expected = expected
        self.test = test
        self.msg = msg
        self.regex = regex
        self.exception = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, tb):
        names = self.expected if isinstance(self.expected, tuple) else (self.expected,)
        name = ", ".join(getattr(e, "__name__", str(e)) for e in names)
        if exc_type is None:
            self.test.fail(self.test._format(self.msg, "%s not raised" % name))
        if not issubclass(exc_type, self.expected):
            return False
        self.exception = exc_value
        if self.regex is not None:
            import re

            if not re.search(self.regex, str(exc_value)):
                self.test.fail(self.test._format(self.msg, '"%s" does not match "%s"' % (self.regex, exc_value)))
        return True


class _NullContext:
    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, tb):
        return False


class _SubTest:
    def __init__(self, test, msg, params):
        self.test = test
        self.label = " ".join(
            ([("[%s]" % msg)] if msg is not None else []) + ["%s=%s" % (k, _safe_repr(v)) for k, v in sorted(params.items())]
        )

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, tb):
        if exc_type is None or issubclass(exc_type, SkipTest):
            return False
        if not isinstance(exc_value, Exception):
            return False
        self.test._subtest_failures.append((self.label, exc_value))
        return True


class TestCase:
    """A group of tests: each method whose name starts with `test` is one test."""

    failureException = AssertionError
    longMessage = True
    maxDiff = 80 * 8

    def __init__(self, methodName="runTest"):
        self._testMethodName = methodName
        self._cleanups = []
        self._subtest_failures = []

    def id(self):
        return "%s.%s.%s" % (self.__class__.__module__, self.__class__.__name__, self._testMethodName)

    def __str__(self):
        return "%s (%s.%s)" % (self._testMethodName, self.__class__.__module__, self.__class__.__name__)

    def __repr__(self):
        return "<%s testMethod=%s>" % (self.__class__.__name__, self._testMethodName)

    @classmethod
    def setUpClass(cls):
        pass

    @classmethod
    def tearDownClass(cls):
        pass

    def setUp(self):
        pass

    def tearDown(self):
        pass

    def addCleanup(self, function, *args, **kwargs):
        self._cleanups.append((function, args, kwargs))

    def doCleanups(self):
        error = None
        while self._cleanups:
            function, args, kwargs = self._cleanups.pop()
            try:
                function(*args, **kwargs)
            except Exception as e:
                error = error or e
        if error is not None:
            raise error

    def skipTest(self, reason):
        raise SkipTest(reason)

    def subTest(self, msg=None, **params):
        return _SubTest(self, msg, params)

    def run(self, result=None):
        from ._mpy_runner import run_case

        result = result if result is not None else TestResult()
        result.record(self, run_case(self))
        return result

    def __call__(self, result=None):
        return self.run(result)

    # -- failure messages

    def _format(self, msg, standard):
        if msg is None:
            return standard
        if not self.longMessage:
            return msg
        return "%s : %s" % (standard, msg)

    def fail(self, msg=None):
        raise self.failureException(msg if msg is not None else "fail")

    # -- asserts

    def assertTrue(self, expr, msg=None):
        if not expr:
            self.fail(self._format(msg, "%s is not true" % _safe_repr(expr)))

    def assertFalse(self, expr, msg=None):
        if expr:
            self.fail(self._format(msg, "%s is not false" % _safe_repr(expr)))

    def assertEqual(self, first, second, msg=None):
        if not first == second:
            self.fail(self._format(msg, _difference(first, second)))

    def assertNotEqual(self, first, second, msg=None):
        if not first != second:
            self.fail(self._format(msg, "%s == %s" % (_safe_repr(first), _safe_repr(second))))

    assertListEqual = assertEqual
    assertTupleEqual = assertEqual
    assertDictEqual = assertEqual
    assertSetEqual = assertEqual
    assertSequenceEqual = assertEqual
    assertMultiLineEqual = assertEqual

    def assertAlmostEqual(self, first, second, places=None, msg=None, delta=None):
        if first == second:
            return
        if delta is not None and places is not None:
            raise TypeError("specify delta or places not both")
        diff = abs(first - second)
        if delta is not None:
            if diff <= delta:
                return
            standard = "%s != %s within %s delta (%s difference)" % (_safe_repr(first), _safe_repr(second), delta, diff)
        else:
            places = 7 if places is None else places
            if round(diff, places) == 0:
                return
            standard = "%s != %s within %r places (%s difference)" % (_safe_repr(first), _safe_repr(second), places, diff)
        self.fail(self._format(msg, standard))

    def assertNotAlmostEqual(self, first, second, places=None, msg=None, delta=None):
        diff = abs(first - second)
        if delta is not None:
            if not (first == second) and diff > delta:
                return
            standard = "%s == %s within %s delta" % (_safe_repr(first), _safe_repr(second), delta)
        else:
            places = 7 if places is None else places
            if not (first == second) and round(diff, places) != 0:
                return
            standard = "%s == %s within %r places" % (_safe_repr(first), _safe_repr(second), places)
        self.fail(self._format(msg, standard))

    def assertIs(self, first, second, msg=None):
        if first is not second:
            self.fail(self._format(msg, "%s is not %s" % (_safe_repr(first), _safe_repr(second))))

    def assertIsNot(self, first, second, msg=None):
        if first is second:
            self.fail(self._format(msg, "unexpectedly identical: %s" % _safe_repr(first)))

    def assertIsNone(self, obj, msg=None):
        if obj is not None:
            self.fail(self._format(msg, "%s is not None" % _safe_repr(obj)))

    def assertIsNotNone(self, obj, msg=None):
        if obj is None:
            self.fail(self._format(msg, "unexpectedly None"))

    def assertIn(self, member, container, msg=None):
        if member not in container:
            self.fail(self._format(msg, "%s not found in %s" % (_safe_repr(member), _safe_repr(container))))

    def assertNotIn(self, member, container, msg=None):
        if member in container:
            self.fail(self._format(msg, "%s unexpectedly found in %s" % (_safe_repr(member), _safe_repr(container))))

    def assertIsInstance(self, obj, cls, msg=None):
        if not isinstance(obj, cls):
            self.fail(self._format(msg, "%s is not an instance of %r" % (_safe_repr(obj), cls)))

    def assertNotIsInstance(self, obj, cls, msg=None):
        if isinstance(obj, cls):
            self.fail(self._format(msg, "%s is an instance of %r" % (_safe_repr(obj), cls)))

    def assertGreater(self, a, b, msg=None):
        if not a > b:
            self.fail(self._format(msg, "%s not greater than %s" % (_safe_repr(a), _safe_repr(b))))

    def assertGreaterEqual(self, a, b, msg=None):
        if not a >= b:
            self.fail(self._format(msg, "%s not greater than or equal to %s" % (_safe_repr(a), _safe_repr(b))))

    def assertLess(self, a, b, msg=None):
        if not a < b:
            self.fail(self._format(msg, "%s not less than %s" % (_safe_repr(a), _safe_repr(b))))

    def assertLessEqual(self, a, b, msg=None):
        if not a <= b:
            self.fail(self._format(msg, "%s not less than or equal to %s" % (_safe_repr(a), _safe_repr(b))))

    def assertCountEqual(self, first, second, msg=None):
        rest = list(second)
        missing = []
        for item in first:
            if item in rest:
                rest.remove(item)
            else:
                missing.append(item)
        if missing or rest:
            standard = "element counts differ: only in first %s, only in second %s" % (_safe_repr(missing), _safe_repr(rest))
            self.fail(self._format(msg, standard))

    def assertRegex(self, text, regex, msg=None):
        import re

        if not re.search(regex, text):
            self.fail(self._format(msg, "regex %s not found in %s" % (_safe_repr(regex), _safe_repr(text))))

    def assertNotRegex(self, text, regex, msg=None):
        import re

        if re.search(regex, text):
            self.fail(self._format(msg, "regex %s unexpectedly found in %s" % (_safe_repr(regex), _safe_repr(text))))

    def assertRaises(self, expected, *args, **kwargs):
        msg = kwargs.pop("msg", None)
        ctx = _RaisesContext(expected, self, msg)
        if not args:
            return ctx
        with ctx:
            args[0](*args[1:], **kwargs)
        return ctx

    def assertRaisesRegex(self, expected, regex, *args, **kwargs):
        msg = kwargs.pop("msg", None)
        ctx = _RaisesContext(expected, self, msg, regex)
        if not args:
            return ctx
        with ctx:
            args[0](*args[1:], **kwargs)
        return ctx

    def assertWarns(self, warning, *args, **kwargs):
        # MicroPython has no warnings machinery: nothing to check.
        if not args:
            return _NullContext()
        return args[0](*args[1:], **kwargs)


def _difference(first, second):
    standard = "%s != %s" % (_safe_repr(first), _safe_repr(second))
    if isinstance(first, (list, tuple)) and isinstance(second, (list, tuple)):
        for i in range(min(len(first), len(second))):
            if first[i] != second[i]:
                return standard + "\nfirst differing element %d: %s != %s" % (i, _safe_repr(first[i]), _safe_repr(second[i]))
        if len(first) != len(second):
            return standard + "\nlengths differ: %d != %d" % (len(first), len(second))
    if isinstance(first, dict) and isinstance(second, dict):
        lines = []
        for k in first:
            if k not in second:
                lines.append("- %s: %s" % (_safe_repr(k), _safe_repr(first[k])))
            elif first[k] != second[k]:
                lines.append("  %s: %s != %s" % (_safe_repr(k), _safe_repr(first[k]), _safe_repr(second[k])))
        for k in second:
            if k not in first:
                lines.append("+ %s: %s" % (_safe_repr(k), _safe_repr(second[k])))
        if lines:
            return standard + "\n" + "\n".join(lines)
    if isinstance(first, str) and isinstance(second, str) and ("\n" in first or "\n" in second):
        a = first.split("\n")
        b = second.split("\n")
        for i in range(max(len(a), len(b))):
            x = a[i] if i < len(a) else None
            y = b[i] if i < len(b) else None
            if x != y:
                return standard + "\nfirst differing line %d:\n- %s\n+ %s" % (i + 1, _safe_repr(x), _safe_repr(y))
    return standard


class TestResult:
    """Counts outcomes; `failures`/`errors`/`skipped` hold (test, text) pairs."""

    def __init__(self):
        self.testsRun = 0
        self.failures = []
        self.errors = []
        self.skipped = []
        self.expectedFailures = []
        self.unexpectedSuccesses = []

    def wasSuccessful(self):
        return not (self.failures or self.errors or self.unexpectedSuccesses)

    def record(self, test, outcome):
        self.testsRun += 1
        status = outcome["status"]
        if status == "fail":
            target = self.failures if outcome["type"] == "AssertionError" else self.errors
            target.append((test, outcome["traceback"]))
        elif status == "skip":
            self.skipped.append((test, outcome["reason"]))
        elif status == "xfail":
            self.expectedFailures.append((test, outcome["traceback"]))
        elif status == "xpass":
            self.unexpectedSuccesses.append(test)
        return status


class TestSuite:
    """An ordered collection of tests (TestCase instances or suites)."""

    def __init__(self, tests=()):
        self._tests = []
        self.addTests(tests)

    def addTest(self, test):
        self._tests.append(test)

    def addTests(self, tests):
        for test in tests:
            self.addTest(test)

    def __iter__(self):
        return iter(self._tests)

    def countTestCases(self):
        return sum(t.countTestCases() if isinstance(t, TestSuite) else 1 for t in self._tests)

    def run(self, result):
        for test in self._tests:
            test.run(result)
        return result

    def __call__(self, result):
        return self.run(result)


class TestLoader:
    """Builds suites from TestCase classes and modules (methods sorted by name)."""

    testMethodPrefix = "test"

    def getTestCaseNames(self, cls):
        from ._mpy_runner import test_method_names

        return test_method_names(cls)

    def loadTestsFromTestCase(self, cls):
        return TestSuite([cls(name) for name in self.getTestCaseNames(cls)])

    def loadTestsFromModule(self, module):
        from ._mpy_runner import test_classes

        return TestSuite([self.loadTestsFromTestCase(cls) for _, cls in test_classes(module)])


defaultTestLoader = TestLoader()


class TextTestRunner:
    """Runs a suite and prints one line per test and a summary to stderr."""

    def __init__(self, stream=None, verbosity=1):
        self.stream = stream if stream is not None else sys.stderr
        self.verbosity = verbosity

    def run(self, test):
        from ._mpy_runner import run_case

        result = TestResult()
        write = self.stream.write
        for case in _flatten(test):
            outcome = run_case(case)
            status = result.record(case, outcome)
            word = {"pass": "ok", "fail": "FAIL", "skip": "skipped", "xfail": "expected failure", "xpass": "unexpected success"}[status]
            if status == "skip":
                word += " " + repr(outcome["reason"])
            write("%s ... %s\n" % (case, word))
        for case, text in result.errors + result.failures:
            write("\n" + "=" * 70 + "\nFAIL: %s\n" % case + "-" * 70 + "\n" + text + "\n")
        write("-" * 70 + "\nRan %d test%s\n\n" % (result.testsRun, "" if result.testsRun == 1 else "s"))
        notes = []
        if result.failures:
            notes.append("failures=%d" % len(result.failures))
        if result.errors:
            notes.append("errors=%d" % len(result.errors))
        if result.skipped:
            notes.append("skipped=%d" % len(result.skipped))
        if result.expectedFailures:
            notes.append("expected failures=%d" % len(result.expectedFailures))
        if result.unexpectedSuccesses:
            notes.append("unexpected successes=%d" % len(result.unexpectedSuccesses))
        verdict = "OK" if result.wasSuccessful() else "FAILED"
        write(verdict + (" (%s)" % ", ".join(notes) if notes else "") + "\n")
        return result


def _flatten(test):
    if isinstance(test, TestCase):
        return [test]
    out = []
    for t in test:
        out.extend(_flatten(t))
    return out


def main(module="__main__", exit=True, verbosity=1, testRunner=None):
    """Runs every test in `module` (a name or a module) and, with `exit`, exits 0 or 1."""
    if isinstance(module, str):
        # __import__ rather than sys.modules: MicroPython keeps __main__ out of it.
        name = module
        module = __import__(name)
        for part in name.split(".")[1:]:
            module = getattr(module, part)
    from ._mpy_runner import setup_module, teardown_module

    setup_module(module)
    suite = defaultTestLoader.loadTestsFromModule(module)
    runner = testRunner if testRunner is not None else TextTestRunner(verbosity=verbosity)
    result = runner.run(suite)
    teardown_module(module)
    if exit:
        sys.exit(0 if result.wasSuccessful() else 1)
    return result
