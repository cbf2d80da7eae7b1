# mpy: runs the program the command line names, as the Unix port does, and
# turns its outcome into an exit status: 0, the SystemExit code, 130 (128 +
# SIGINT, as the Unix port's process ends) for KeyboardInterrupt, or 1, both
# with the traceback on stderr.
import sys
import _mpy_host
from _mpy_outcome import exit_status, format_exception

_HERE = __file__
_LIB = _HERE.rsplit("/", 1)[0] + "/"
# Modules that stand in for the Unix port's built-in C modules and functions
# (input() is _mpy_boot's): their frames would not exist there.
_BUILTIN_STAND_INS = ("_mpy_", "usocket.py", "ussl.py", "socket.py", "ssl.py", "uzlib.py")

# The exit status of an uncaught KeyboardInterrupt.
INTERRUPTED_STATUS = 130

# Set by the host for `-X compile-only`: parse and compile, do not run.
COMPILE_ONLY = False


def _hidden(path):
    return path.startswith(_LIB) and path[len(_LIB) :].startswith(_BUILTIN_STAND_INS)


def _report(exc):
    # Frames of the runner and of built-in stand-ins are the host's, not the program's.
    sys.stderr.write(format_exception(exc, _hidden))


def _main_globals(file):
    import __main__

    g = __main__.__dict__
    g["__file__"] = file
    return g


def _run(thunk):
    try:
        thunk()
        status = 0
    except SystemExit as e:
        status = exit_status(e)
    except KeyboardInterrupt as e:
        _report(e)
        status = INTERRUPTED_STATUS
    except BaseException as e:
        _report(e)
        status = 1
    _mpy_host.set_status(status)
    return status


def _exec_source(source, filename):
    code = compile(source, filename, "exec")
    if not COMPILE_ONLY:
        exec(code, _main_globals(filename))


def _read(path):
    import os

    # read() with no size grows its buffer 256 bytes at a time (quadratic on
    # this build's heap); ask for the whole file at once.
    with open(path) as f:
        return f.read(os.stat(path)[6] + 1) + f.read()


def run_code(source, filename="<stdin>"):
    return _run(lambda: _exec_source(source, filename))


def run_file(path):
    return _run(lambda: _exec_source(_read(path), path))


def _is_file(path):
    import os

    try:
        return os.stat(path)[0] & 0o170000 == 0o100000
    except OSError:
        return False


def _locate(name):
    rel = name.replace(".", "/")
    for entry in sys.path:
        base = (entry + "/" if entry else "") + rel
        for candidate, is_package in (
            (base + ".py", False),
            (base + "/__init__.py", True),
            (base + ".mpy", False),
            (base + "/__init__.mpy", True),
        ):
            if _is_file(candidate):
                return candidate, is_package
    return None, False


def _run_module(name):
    path, is_package = _locate(name)
    if path is not None and is_package:
        __import__(name)
        path, is_package = _locate(name + ".__main__")
        if path is None:
            raise ImportError("no module named '" + name + ".__main__'")
    if path is None or path.endswith(".mpy"):
        # Frozen or precompiled: import it (as the Unix port would, minus __main__).
        __import__(name)
        return
    if "." in name:
        __import__(name.rpartition(".")[0])
    _exec_source(_read(path), path)


def run_module(name):
    return _run(lambda: _run_module(name))
