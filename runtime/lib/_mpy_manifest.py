# mpy: runs one manifest.py for `mpy index build` and `mpy serve`, inside a
# MicroPython instance that has no host files and no network. The manifest's
# calls (metadata, require, include, module, package, add_library) are only
# recorded, as plain data; the host resolves every path and reads the files.
# While a manifest runs, `import` is refused: a manifest needs no module, and
# this build's `js`/`jsffi` would reach the worker's JavaScript realm.
import builtins


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


def _plain(v):
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    raise TypeError("manifest arguments must be plain data, not %s" % type(v).__name__)


def evaluate(source, options, filename="manifest.py"):
    calls = []

    def metadata(description=None, version=None, license=None, author=None, **kw):
        calls.append(["metadata", _plain({"description": description, "version": version, "license": license, "author": author})])

    def require(name, version=None, pypi=None, library=None, **kw):
        calls.append(["require", str(name), _plain(library), _plain(kw)])

    def include(manifest_path, **kw):
        paths = [manifest_path] if isinstance(manifest_path, str) else list(manifest_path)
        calls.append(["include", _plain(paths), _plain(kw)])

    def module(module_path, base_path=".", opt=None):
        calls.append(["module", str(module_path), str(base_path), _plain(opt)])

    def package(package_path, files=None, base_path=".", opt=None):
        calls.append(["package", str(package_path), _plain(files), str(base_path), _plain(opt)])

    def add_library(library, library_path, prepend=False):
        calls.append(["add_library", str(library), str(library_path)])

    scope = {
        "metadata": metadata,
        "require": require,
        "include": include,
        "module": module,
        "package": package,
        "add_library": add_library,
        "options": _Options(dict(options)),
    }
    code = compile(source, filename, "exec")
    allowed = builtins.__import__

    def refuse(name, *args):
        raise ImportError("manifest files cannot import modules (%s)" % name)

    builtins.__import__ = refuse
    try:
        exec(code, scope)
    finally:
        builtins.__import__ = allowed
    return calls
