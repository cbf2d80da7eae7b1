# mpy: boot-time setup of the interpreter's module environment.
# Gives the webassembly build what the Unix port's modules have: os.getenv and
# friends, sleeps that do not spin, a working input(), and the u-prefixed names.
# The host imports it with sys.path holding only mpy's lib directory and
# ".frozen", so nothing the user has on disk takes part in the boot.
import sys
import os
import time
import builtins
import _mpy_host

# A sandboxed interpreter closes uctypes once booted (raw memory access would
# let Python rewrite the VM's own state); the host's modules keep this one
# function of it, which only reads an address (as id() does).
from uctypes import addressof

# Raised where V8 runs out of stack inside the interpreter (runtime/stack-overflow.ts).
_STACK_EXHAUSTED = RuntimeError("maximum recursion depth exceeded")

# mpy's module directory, set by boot(): the boot modules may be loaded
# compiled from another directory, so their __file__ does not say it.
LIB = None


def _getenv(key, default=None):
    value = _mpy_host.getenv(key)
    return default if value is None else value


def _putenv(key, value):
    _mpy_host.putenv(key, value)


def _unsetenv(key):
    _mpy_host.unsetenv(key)


def _urandom(n):
    buf = bytearray(n)
    if n:
        _mpy_host.urandom(addressof(buf), n)
    return bytes(buf)


# The host returns the time left when an interrupt ended the wait early; the
# loop's branch is where the VM raises the pending KeyboardInterrupt.
def _sleep_ms(ms):
    # Called even for 0: the host flushes buffered output before it sleeps.
    ms = _mpy_host.sleep_ms(ms)
    while ms > 0:
        ms = _mpy_host.sleep_ms(ms)


def _sleep(seconds):
    _sleep_ms(seconds * 1000)


def _sleep_us(us):
    _sleep_ms(us / 1000)


def _ticks_us():
    return _mpy_host.ticks_us()


def _input(prompt=None):
    if prompt is not None:
        sys.stdout.write(str(prompt))
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line[:-1] if line[-1:] == "\n" else line


def _has_nul(path):
    return (isinstance(path, str) and "\0" in path) or (isinstance(path, (bytes, bytearray)) and b"\0" in path)


def _paths_checked(fn, count):
    # The C side would cut a path at its first NUL and use the rest; CPython
    # refuses such a path, and so does mpy (a program must not name one file
    # and reach another).
    def checked(*args, **kwargs):
        for path in args[:count]:
            if _has_nul(path):
                raise ValueError("embedded null byte")
        return fn(*args, **kwargs)

    return checked


def _check_paths():
    builtins.open = _paths_checked(builtins.open, 1)
    for name in ("stat", "listdir", "ilistdir", "mkdir", "remove", "rmdir", "chdir", "statvfs", "unlink"):
        fn = getattr(os, name, None)
        if fn is not None:
            setattr(os, name, _paths_checked(fn, 1))
    os.rename = _paths_checked(os.rename, 2)


def boot(lib, preload=()):
    """Extends the built-in modules, loads the host's runner modules (and
    `preload`) and starts the import ranking (_mpy_resolve), all before the
    user's paths are searched. `lib` is mpy's module directory. The host sets
    argv and sys.path afterwards: a boot image holds the state up to here."""
    global LIB
    LIB = lib
    # The guard's JS module is needed once: keep it out of the program's reach.
    import _mpy_stack

    _mpy_stack.arm(id(_STACK_EXHAUSTED))
    del sys.modules["_mpy_stack"]
    os.getenv = _getenv
    os.putenv = _putenv
    os.unsetenv = _unsetenv
    os.urandom = _urandom
    time.sleep = _sleep
    time.sleep_ms = _sleep_ms
    time.sleep_us = _sleep_us
    time.ticks_us = _ticks_us
    builtins.input = _input
    _check_paths()
    # The u-names resolve to read-only C modules; point them at the extended ones.
    sys.modules["uos"] = os
    sys.modules["utime"] = time
    import _mpy_resolve
    import _mpy_run

    for name in preload:
        __import__(name)
    _mpy_resolve.install(lib)
