# mpy: finds and runs single tests, for mpy's vitest integration (one call
# per test from the host) and for this package's TextTestRunner.
#
# An outcome is a dict: status ("pass", "fail", "skip", "xfail" expected
# failure, "xpass" unexpected success), type (the exception's type name),
# traceback (text, without this package's frames) and reason (of a skip).
# Class and module fixtures run once, before the first test that needs them;
# their teardown runs when the host calls finish_class / finish_module.
import sys
from . import TestCase, SkipTest, _Marked
from _mpy_outcome import format_exception as _outcome_text

_PACKAGE_DIR = __file__.rsplit("/", 1)[0] + "/"
_class_state = {}
_module_state = {}


def _hidden(path):
    return path.startswith(_PACKAGE_DIR) or path.endswith("/_mpy_embed.py")


def format_exception(exc):
    """The traceback as MicroPython prints it, minus frames of unittest and _mpy_embed."""
    return _outcome_text(exc, _hidden).rstrip("\n")


def _outcome(status, exc=None, reason=None):
    if isinstance(exc, MemoryError):
        # Ask for a collection at the end of this top-level run, and of later
        # ones when run from the host (see _mpy_embed.hit_limit).
        import gc

        gc.collect()
        embed = sys.modules.get("_mpy_embed")
        if embed is not None:
            embed.hit_limit = True
    return {
        "status": status,
        "type": type(exc).__name__ if exc is not None else None,
        "traceback": format_exception(exc) if exc is not None else None,
        "reason": reason,
    }


def _skip(exc):
    return _outcome("skip", reason=str(exc.args[0]) if exc.args else "")


def _mro(cls):
    out = []

    def visit(c):
        if c not in out:
            out.append(c)
            for base in getattr(c, "__bases__", ()):
                visit(base)

    visit(cls)
    return out


def _raw(cls, name):
    for c in _mro(cls):
        d = c.__dict__
        if name in d:
            return d[name]
    return None


def test_method_names(cls):
    """Names of the test methods of a TestCase class, inherited ones included, sorted."""
    names = set()
    for c in _mro(cls):
        for name in c.__dict__:
            if name.startswith("test"):
                names.add(name)
    return sorted(n for n in names if callable(_raw(cls, n)))


def test_classes(module):
    """(name, class) of the TestCase subclasses in a module's namespace, sorted by name."""
    out = []
    seen = []
    for name in sorted(dir(module)):
        value = getattr(module, name)
        if isinstance(value, type) and issubclass(value, TestCase) and value is not TestCase and value not in seen:
            seen.append(value)
            out.append((name, value))
    return out


def _is_function(value):
    return isinstance(value, _Marked) or type(value).__name__ in ("function", "closure")


def test_functions(module):
    """Names of the module-level test functions (`test*`), sorted."""
    return [n for n in sorted(dir(module)) if n.startswith("test") and _is_function(getattr(module, n))]


def _marks(raw):
    if isinstance(raw, _Marked):
        return raw.skip_why, raw.expected_failure
    return None, False


def _load(directory, name):
    if directory not in sys.path:
        sys.path.insert(0, directory)
    __import__(name)
    return sys.modules[name]


def load(directory, name):
    """Imports test module `name` from `directory` (put first on sys.path)."""
    _load(directory, name)


def list_tests(directory, name):
    """Every test of a module: [class name or None, test name, skip reason or None, expected failure]."""
    module = _load(directory, name)
    tests = []
    for cls_name, cls in test_classes(module):
        class_skip = getattr(cls, "__unittest_skip_why__", None) if getattr(cls, "__unittest_skip__", False) else None
        for method in test_method_names(cls):
            skip_why, xfail = _marks(_raw(cls, method))
            tests.append([cls_name, method, class_skip if class_skip is not None else skip_why, xfail])
    for fn_name in test_functions(module):
        skip_why, xfail = _marks(getattr(module, fn_name))
        tests.append([None, fn_name, skip_why, xfail])
    return tests


def setup_module(module):
    """Runs setUpModule once; returns None, or the outcome every test of the module gets."""
    key = module.__name__
    if key not in _module_state:
        state = None
        fixture = getattr(module, "setUpModule", None)
        if fixture is not None:
            try:
                fixture()
            except SkipTest as e:
                state = _skip(e)
            except Exception as e:
                state = _outcome("fail", e)
        _module_state[key] = state
    return _module_state[key]


def _setup_class(cls):
    if cls not in _class_state:
        state = None
        if getattr(cls, "__unittest_skip__", False):
            state = _outcome("skip", reason=getattr(cls, "__unittest_skip_why__", ""))
        else:
            try:
                cls.setUpClass()
            except SkipTest as e:
                state = _skip(e)
            except Exception as e:
                state = _outcome("fail", e)
        _class_state[cls] = state
    return _class_state[cls]


def _finish(error, subtests, expected):
    if error is None and subtests:
        parts = ["subTest %s failed:\n%s" % (label, format_exception(exc)) for label, exc in subtests]
        out = _outcome("fail", subtests[0][1])
        out["traceback"] = "\n\n".join(parts)
        return _outcome("xfail") if expected else out
    if expected:
        return _outcome("xfail", error) if error is not None else _outcome("xpass")
    return _outcome("fail", error) if error is not None else _outcome("pass")


def run_case(case):
    """Runs one TestCase instance's test: setUp, the method, tearDown, cleanups."""
    cls = type(case)
    state = _setup_class(cls)
    if state is not None:
        return dict(state)
    skip_why, expected = _marks(_raw(cls, case._testMethodName))
    if skip_why is not None:
        return _outcome("skip", reason=skip_why)
    method = getattr(case, case._testMethodName)
    error = None
    try:
        case.setUp()
    except SkipTest as e:
        return _skip(e)
    except Exception as e:
        error = e
    else:
        try:
            method()
        except SkipTest as e:
            case.tearDown()
            return _skip(e)
        except Exception as e:
            error = e
        try:
            case.tearDown()
        except Exception as e:
            error = error or e
    try:
        case.doCleanups()
    except Exception as e:
        error = error or e
    return _finish(error, case._subtest_failures, expected)


def _run_function(fn):
    skip_why, expected = _marks(fn)
    if skip_why is not None:
        return _outcome("skip", reason=skip_why)
    try:
        fn()
    except SkipTest as e:
        return _skip(e)
    except Exception as e:
        return _finish(e, (), expected)
    return _finish(None, (), expected)


def run_test(name, cls_name, test_name):
    """Runs one test of module `name` (already loaded); returns its outcome."""
    module = sys.modules[name]
    state = setup_module(module)
    if state is not None:
        return dict(state)
    if cls_name is None:
        return _run_function(getattr(module, test_name))
    return run_case(getattr(module, cls_name)(test_name))


def finish_class(name, cls_name):
    """Runs tearDownClass if setUpClass ran and succeeded; returns None or a failure outcome."""
    cls = getattr(sys.modules[name], cls_name)
    if cls not in _class_state:
        return None
    state = _class_state.pop(cls)
    if state is not None:
        return None
    try:
        cls.tearDownClass()
    except Exception as e:
        return _outcome("fail", e)
    return None


def teardown_module(module):
    """Tears down the module's classes, then runs tearDownModule; returns None or a failure outcome."""
    failure = None
    for cls in [c for c in _class_state if getattr(c, "__module__", None) == module.__name__]:
        state = _class_state.pop(cls)
        if state is None:
            try:
                cls.tearDownClass()
            except Exception as e:
                failure = failure or _outcome("fail", e)
    key = module.__name__
    if key in _module_state and _module_state.pop(key) is None:
        fixture = getattr(module, "tearDownModule", None)
        if fixture is not None:
            try:
                fixture()
            except Exception as e:
                failure = failure or _outcome("fail", e)
    return failure


def finish_module(name):
    """teardown_module for module `name`."""
    return teardown_module(sys.modules[name])
