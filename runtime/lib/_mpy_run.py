# mpy: runs the program the command line names, as the Unix port does, and
# turns its outcome into an exit status: 0, the SystemExit code, 130 (128 +
# SIGINT, as the Unix port's process ends) for KeyboardInterrupt, or 1, both
# with the traceback on stderr.
import sys
import os
import _mpy_boot
import _mpy_host
import _mpy_resolve
from _mpy_outcome import exit_message, exit_status, format_exception

_LIB = _mpy_boot.LIB + "/"
# Modules that stand in for the Unix port's built-in C modules and functions
# (input() is _mpy_boot's): their frames would not exist there.
_BUILTIN_STAND_INS = ("_mpy_", "usocket.py", "ussl.py", "socket.py", "ssl.py", "uzlib.py", "select.py")

# Bound once: looking a host function up allocates, and the status must be
# set even when the heap is full.
_set_status = _mpy_host.set_status

# The exit status of an uncaught KeyboardInterrupt.
INTERRUPTED_STATUS = 130

# Set by the host for `-X compile-only`: parse and compile, do not run.
COMPILE_ONLY = False


def _hidden(path):
    return path.startswith(_LIB) and path[len(_LIB) :].startswith(_BUILTIN_STAND_INS)


def _report(exc):
    # Frames of the runner and of built-in stand-ins are the host's, not the program's.
    try:
        text = format_exception(exc, _hidden)
    except MemoryError:
        # The heap is full (the program's data is still alive): print as the
        # Unix port does, straight to stderr, which needs no heap (the host's
        # own frames included).
        sys.print_exception(exc, sys.stderr)
        return
    sys.stderr.write(text)


def _main_globals(file):
    import __main__

    g = __main__.__dict__
    g["__file__"] = file
    return g


def _run(thunk, announce=True):
    # `announce`: print a SystemExit's message, as the Unix port does for a
    # file, -c or stdin (not for -m).
    try:
        thunk()
        status = 0
    except SystemExit as e:
        status = exit_status(e)
        message = exit_message(e) if announce else None
        if message is not None:
            sys.stderr.write(message)
    except KeyboardInterrupt as e:
        _report(e)
        status = INTERRUPTED_STATUS
    except BaseException as e:
        _report(e)
        status = 1
    _set_status(status)
    return status


def _exec_source(source, filename):
    code = compile(source, filename, "exec")
    if not COMPILE_ONLY:
        exec(code, _main_globals(filename))


def _read(path):
    # read() with no size grows its buffer 256 bytes at a time (quadratic on
    # this build's heap); ask for the whole file at once.
    with open(path) as f:
        return f.read(os.stat(path)[6] + 1) + f.read()


def run_code(source, filename="<stdin>"):
    return _run(lambda: _exec_source(source, filename))


def run_file(path, argv=None):
    # `argv`: sys.argv for this run only (the embedding API's per-run argv).
    if argv is None:
        return _run(lambda: _exec_source(_read(path), path))
    saved = sys.argv[:]
    sys.argv[:] = argv
    try:
        return _run(lambda: _exec_source(_read(path), path))
    finally:
        sys.argv[:] = saved


def _is_file(path):
    try:
        return os.stat(path)[0] & 0o170000 == 0o100000
    except OSError:
        return False


def _locate(name):
    # As the import searches: per sys.path entry, a directory (a package) wins
    # over NAME.py, which wins over NAME.mpy.
    rel = name.replace(".", "/")
    for entry in _mpy_resolve.search_path(name.split(".", 1)[0]):
        if entry == ".frozen":
            continue
        base = (entry + "/" if entry else "") + rel
        if _is_dir(base):
            return base, True
        path = _first_file((base + ".py", base + ".mpy"))
        if path is not None:
            return path, False
    return None, False


def _first_file(candidates):
    for path in candidates:
        if _is_file(path):
            return path
    return None


def _is_dir(path):
    try:
        return os.stat(path)[0] & 0o170000 == 0o040000
    except OSError:
        return False


def _exec_compiled(path, package):
    # A .mpy can only be run by importing it, and an import names the module
    # after its file. So it is imported as the submodule LEAF of the built-in
    # __main__ (given the file's directory as __path__), into a module shell
    # whose __name__ is "__main__": the import reuses a module already in
    # sys.modules under the name it loads, but looks there only while
    # sys.path is empty. The first import the program makes restores sys.path.
    if COMPILE_ONLY:
        return
    directory, _, leaf = path.rpartition("/")
    leaf = leaf[:-4]
    import __main__ as builtin_main

    shell = _new_module()
    shell.__name__ = "__main__"
    _mpy_resolve.main_package = (shell.__dict__, package) if package else None
    qualified = "__main__." + leaf
    saved_path = sys.path[:]
    saved_main = sys.modules.get("__main__")
    builtin_main.__path__ = directory or "."
    sys.modules[qualified] = shell
    sys.modules["__main__"] = shell
    try:
        _mpy_resolve.hold_path(saved_path)
        sys.path[:] = []
        _mpy_resolve.raw_import(qualified)
    finally:
        _mpy_resolve.hold_path(None)
        sys.path[:] = saved_path
        sys.modules.pop(qualified, None)
        if saved_main is None:
            del sys.modules["__main__"]
        else:
            sys.modules["__main__"] = saved_main
        g = builtin_main.__dict__
        g.pop("__path__", None)
        if g.get(leaf) is shell:
            del g[leaf]
    return shell


def _new_module():
    # A module made by an import (the import machinery needs one of its own
    # making to load compiled code into); mpy's lib holds an empty one.
    name = "_mpy_main_shell"
    saved = sys.path[:]
    sys.path[:] = [_mpy_resolve._lib]
    try:
        return _mpy_resolve.raw_import(name)
    finally:
        sys.path[:] = saved
        del sys.modules[name]


def _run_module(name):
    path, is_package = _locate(name)
    package = None
    if path is not None and is_package:
        __import__(name)
        package = name
        base = sys.modules[name].__path__ + "/__main__"
        path = _first_file((base + ".py", base + ".mpy"))
        if path is None:
            raise ImportError("no module named '" + name + ".__main__'")
    elif "." in name:
        package = name.rpartition(".")[0]
        __import__(package)
    if path is None:
        # Frozen: import it (as the Unix port would, minus __main__).
        __import__(name)
        return
    if path.endswith(".mpy"):
        _exec_compiled(path, package)
        return
    _mpy_resolve.main_package = (_main_globals(path), package) if package else None
    _exec_source(_read(path), path)


def run_module(name):
    return _run(lambda: _run_module(name), False)
