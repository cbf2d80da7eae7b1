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
    # The u-names resolve to read-only C modules; point them at the extended ones.
    sys.modules["uos"] = os
    sys.modules["utime"] = time
