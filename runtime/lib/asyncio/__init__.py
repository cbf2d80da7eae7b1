# mpy: asyncio for the Unix-port environment: MicroPython's documented
# asyncio API, with the loop waiting in the host on sockets and timers.
from .core import *
from .core import _promote
from .event import Event, ThreadSafeFlag
from .lock import Lock
from .funcs import wait_for, wait_for_ms, gather
from time import ticks_ms as ticks, ticks_diff, ticks_add

__version__ = (3, 0, 0)

_STREAM_NAMES = ("open_connection", "start_server", "Stream", "StreamReader", "StreamWriter", "Server")


def __getattr__(name):
    # Streams load on first use: they bring in the socket module.
    if name in _STREAM_NAMES:
        import sys

        __import__("asyncio.stream")
        value = getattr(sys.modules["asyncio.stream"], name)
        globals()[name] = value
        return value
    raise AttributeError(name)
