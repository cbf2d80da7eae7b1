# mpy: where `import NAME` looks, so that the user's files rank as they do on
# the Unix port although this build freezes more than the Unix port does.
#
# The rule (README "Module resolution"), for a top-level NAME not yet loaded:
# - a name in BUILD_EXTRAS (frozen here, not frozen on the Unix port, or a
#   Python extension of a built-in C module the user's files may replace
#   there) is looked for on sys.path without ".frozen", then in mpy's own
#   lib directory, then in ".frozen": copies the user installed win;
# - a name in UNIX_FROZEN (frozen on the Unix port, provided here by mpy's
#   lib directory) is looked for on sys.path with mpy's lib directory in the
#   place of ".frozen";
# - every other name is looked for on sys.path as it is.
# The lists are data: a module mpy adds to its lib directory that the Unix
# port freezes goes into UNIX_FROZEN.
import sys

UNIX_FROZEN = frozenset(("argparse", "asyncio", "requests", "uasyncio"))

BUILD_EXTRAS = frozenset(
    (
        "abc",
        "base64",
        "binascii",
        "collections",
        "copy",
        "datetime",
        "fnmatch",
        "functools",
        "gzip",
        "hmac",
        "html",
        "inspect",
        "io",
        "itertools",
        "locale",
        "logging",
        "operator",
        "os",
        "pathlib",
        "stat",
        "string",
        "tarfile",
        "time",
        "types",
        "unittest",
        "uu",
        "zlib",
    )
)

_RANKED = UNIX_FROZEN | BUILD_EXTRAS
_FROZEN = ".frozen"
_DIR = 0o040000
_FILE = 0o100000

_lib = ""
_default = None
_stat = None
# Ranked modules loaded while booting (os and time carry the host's additions):
# taken out of sys.modules, and put back on first import unless the user's
# path holds a module of that name.
_booted = {}
# sys.path to restore at the next import (see hold_path).
_held = None
# (globals, package) of a package's __main__ run by -m: its relative imports
# resolve against the package, as on the Unix port.
main_package = None


def search_path(name):
    """The directories searched for the top-level module `name`, in order."""
    native = name in UNIX_FROZEN
    ranked = native or name in BUILD_EXTRAS
    if not ranked:
        return sys.path[:]
    path = []
    for entry in sys.path:
        if entry != _FROZEN:
            path.append(entry)
        elif native:
            path.append(_lib)
    if _lib not in path:
        path.append(_lib)
    path.append(_FROZEN)
    return path


def _on_path(name, path):
    for entry in path:
        if entry == _FROZEN or entry == _lib:
            continue
        base = (entry + "/" if entry else "") + name
        # As the import looks: a directory NAME, or a file NAME.py / NAME.mpy.
        for candidate, kind in ((base, _DIR), (base + ".py", _FILE), (base + ".mpy", _FILE)):
            try:
                if _stat(candidate)[0] & 0o170000 == kind:
                    return True
            except OSError:
                pass
    return False


def _load(name):
    path = search_path(name)
    if name in _booted and not _on_path(name, path):
        prefix = name + "."
        for key, module in _booted.items():
            if key == name or key.startswith(prefix):
                sys.modules[key] = module
        return
    saved = sys.path[:]
    sys.path[:] = path
    try:
        _default(name)
    finally:
        sys.path[:] = saved


def _relative_to_main(name, level):
    parts = main_package[1].split(".")
    if level - 1 >= len(parts):
        raise ImportError("can't perform relative import")
    base = ".".join(parts[: len(parts) - level + 1])
    return base + "." + name if name else base


def _import(name, globals=None, locals=None, fromlist=None, level=0):
    global _held
    if _held is not None:
        sys.path[:] = _held
        _held = None
    if level:
        if main_package is not None and globals is main_package[0]:
            return _default(_relative_to_main(name, level), globals, locals, fromlist, 0)
    else:
        top = name.split(".", 1)[0] if "." in name else name
        if top in _RANKED and top not in sys.modules:
            _load(top)
    return _default(name, globals, locals, fromlist, level)


def hold_path(path):
    """Restores sys.path to `path` at the next import (for a module run while sys.path must be empty)."""
    global _held
    _held = path


def raw_import(name):
    """The built-in import, past the ranking."""
    return _default(name)


def install(lib):
    """Takes the ranked modules loaded so far out of sys.modules and routes
    every import through the ranking. `lib` is mpy's lib directory."""
    global _lib, _default, _stat
    import builtins
    import uos

    _lib = lib
    _stat = uos.stat
    _default = builtins.__import__
    for key in list(sys.modules):
        if key.split(".", 1)[0] in _RANKED:
            _booted[key] = sys.modules.pop(key)
    builtins.__import__ = _import
