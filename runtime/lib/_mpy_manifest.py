# mpy: runs one manifest.py for `mpy index build` and `mpy serve`, inside a
# MicroPython instance that has no host files and no network. The manifest's
# calls (metadata, require, include, module, package, add_library) are only
# recorded, as plain data; the host resolves every path and reads the files.
# While a manifest runs, `import` is refused: a manifest needs no module, and
# this build's `js`/`jsffi` would reach the worker's JavaScript realm.
import builtins
import io
import sys

# Prefix of the RuntimeError that reports a failed manifest (see evaluate.ts).
_FAILED = "manifest failed:\n"


class _Options:
    # The `options` a manifest sees: the keyword arguments of include() or
    # require(); a name never given reads as None.
    def __init__(self, given):
        self._given = given

    def defaults(self, **kw):
        for k in kw:
            if k not in self._given:
                self._given[k] = kw[k]

    def __getattr__(self, name):
        return self._given.get(name)


# Exact types only: a subclass could run the manifest's code later, while the
# result is being converted and imports are allowed again.
def _plain(v):
    t = type(v)
    if v is None or t in (str, int, float, bool):
        return v
    if t in (list, tuple):
        return [_plain(x) for x in v]
    if t is dict:
        return {_text(k): _plain(x) for k, x in v.items()}
    raise TypeError("manifest arguments must be plain data, not %s" % t.__name__)


def _text(v):
    if type(v) is not str:
        raise TypeError("expected a str, not %s" % type(v).__name__)
    return v


def evaluate(source, options, filename="manifest.py"):
    calls = []

    def metadata(description=None, version=None, license=None, author=None, **kw):
        calls.append(["metadata", _plain({"description": description, "version": version, "license": license, "author": author})])

    def require(name, version=None, pypi=None, library=None, **kw):
        calls.append(["require", _text(name), _plain(library), _plain(kw)])

    def include(manifest_path, **kw):
        paths = [manifest_path] if type(manifest_path) is str else list(manifest_path)
        calls.append(["include", _plain(paths), _plain(kw)])

    def module(module_path, base_path=".", opt=None):
        calls.append(["module", _text(module_path), _text(base_path), _plain(opt)])

    def package(package_path, files=None, base_path=".", opt=None):
        calls.append(["package", _text(package_path), _plain(files), _text(base_path), _plain(opt)])

    def add_library(library, library_path, prepend=False):
        calls.append(["add_library", _text(library), _text(library_path)])

    scope = {
        "metadata": metadata,
        "require": require,
        "include": include,
        "module": module,
        "package": package,
        "add_library": add_library,
        "options": _Options(dict(options)),
    }
    allowed = builtins.__import__

    def refuse(name, *args):
        raise ImportError("manifest files cannot import modules (%s)" % name)

    # The traceback is written out while imports are still refused: an
    # exception of the manifest's own class could run its code when printed.
    failure = None
    builtins.__import__ = refuse
    try:
        exec(compile(source, filename, "exec"), scope)
    except BaseException as e:
        out = io.StringIO()
        sys.print_exception(e, out)
        failure = out.getvalue()
    finally:
        builtins.__import__ = allowed
    if failure is not None:
        raise RuntimeError(_FAILED + failure)
    return calls
