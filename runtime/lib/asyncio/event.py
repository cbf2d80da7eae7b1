# mpy: asyncio.Event and asyncio.ThreadSafeFlag.
from . import core


class Event:
    def __init__(self):
        self.state = False
        self._waiting = []

    def is_set(self):
        return self.state

    def set(self):
        self.state = True
        waiting = self._waiting
        self._waiting = []
        for t in waiting:
            core._wake(t)

    def clear(self):
        self.state = False

    def wait(self):
        if not self.state:
            yield from core._suspend(self._waiting)
        return True


class ThreadSafeFlag:
    # Nothing runs outside the loop's thread here (no IRQs, no threads). As on
    # the Unix port, where the flag is a stream the loop polls, set() wakes the
    # waiter one turn later.
    def __init__(self):
        self.state = False
        self._waiting = []
        self._pending = False

    def set(self):
        self.state = True
        if self._waiting and not self._pending:
            self._pending = True
            core._push(core._Call(self._deliver, None))

    def _deliver(self, _):
        self._pending = False
        if self._waiting and self.state:
            self.state = False
            core._wake(self._waiting.pop(0))

    def clear(self):
        self.state = False

    def wait(self):
        if self.state:
            self.state = False
            return
        if self._waiting:
            raise RuntimeError("another task waits on this flag")
        yield from core._suspend(self._waiting)
