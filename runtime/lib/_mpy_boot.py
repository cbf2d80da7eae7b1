# mpy: boot-time setup of the interpreter's module environment.
# Gives the webassembly build what the Unix port's modules have: os.getenv and
# friends, sleeps that do not spin, a working input(), and the u-prefixed names.
import sys
import os
import time
import builtins
import _mpy_host


def _getenv(key, default=None):
    value = _mpy_host.getenv(key)
    return default if value is None else value


def _putenv(key, value):
    _mpy_host.putenv(key, value)


def _unsetenv(key):
    _mpy_host.unsetenv(key)


def _urandom(n):
    import uctypes

    buf = bytearray(n)
    if n:
        _mpy_host.urandom(uctypes.addressof(buf), n)
    return bytes(buf)


def _sleep(seconds):
    _mpy_host.sleep_ms(seconds * 1000)


def _sleep_ms(ms):
    _mpy_host.sleep_ms(ms)


def _sleep_us(us):
    _mpy_host.sleep_ms(us / 1000)


def _ticks_us():
    return _mpy_host.ticks_us()


def _input(prompt=None):
    if prompt is not None:
        sys.stdout.write(str(prompt))
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line[:-1] if line[-1:] == "\n" else line


_LIB = __file__.rsplit("/", 1)[0]
_import = __import__
# The host's modules that must win over the build's frozen ones of the same
# name (the build freezes a browser asyncio; the Unix port's is the host's).
# Each is loaded from the host's lib on its first import; the import hook
# that does it removes itself once all are loaded.
_HOST_FIRST = ["asyncio"]


def _shadowed_before_frozen(name):
    # Whether a sys.path entry ahead of .frozen holds `name` (it wins natively).
    for entry in sys.path:
        if entry == ".frozen":
            return False
        base = (entry or ".") + "/" + name
        for tail in (".py", ".mpy", "/__init__.py", "/__init__.mpy"):
            try:
                os.stat(base + tail)
                return True
            except OSError:
                pass
    return False


def load_host_first(name):
    """Loads the host's copy of `name`'s top-level package if it is one of
    _HOST_FIRST and not imported yet. Returns whether the import hook is
    still needed."""
    top = name.split(".", 1)[0]
    if top in _HOST_FIRST:
        _HOST_FIRST.remove(top)
        if top not in sys.modules and not _shadowed_before_frozen(top):
            saved = sys.path[:]
            sys.path[:] = [_LIB, ".frozen"]
            try:
                _import(top)
            finally:
                sys.path[:] = saved
    return bool(_HOST_FIRST)


# Whether import_hook is builtins.__import__ (reading it does not tell).
_hooked = [False]


def import_hook(name, *args):
    if not (args[3:] and args[3]) and not load_host_first(name) and _hooked[0]:
        # Deleting the override restores the built-in __import__.
        _hooked[0] = False
        del builtins.__import__
    return _import(name, *args)


def boot(argv, path):
    sys.argv[:] = argv
    sys.path[:] = path
    os.getenv = _getenv
    os.putenv = _putenv
    os.unsetenv = _unsetenv
    os.urandom = _urandom
    time.sleep = _sleep
    time.sleep_ms = _sleep_ms
    time.sleep_us = _sleep_us
    time.ticks_us = _ticks_us
    builtins.input = _input
    builtins.__import__ = import_hook
    _hooked[0] = True
    # The u-names resolve to read-only C modules; point them at the extended ones.
    sys.modules["uos"] = os
    sys.modules["utime"] = time
