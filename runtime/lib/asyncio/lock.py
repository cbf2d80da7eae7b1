# mpy: asyncio.Lock. release() hands the lock straight to the next waiter
# (state 2 until it runs: locked() is then False, as on the Unix port); a
# waiter cancelled after the hand-off passes the lock on.
from . import core


class Lock:
    def __init__(self):
        self.state = 0
        self._waiting = []
        self._handed = None

    def locked(self):
        return self.state == 1

    def release(self):
        if self.state != 1:
            raise RuntimeError("Lock not acquired")
        if self._waiting:
            t = self._waiting.pop(0)
            self.state = 2
            self._handed = t
            core._wake(t)
        else:
            self.state = 0

    def acquire(self):
        if self.state == 0:
            self.state = 1
            return True
        me = core._cur
        try:
            yield from core._suspend(self._waiting)
        except core.CancelledError:
            if self._handed is me:
                self._handed = None
                self.state = 1
                self.release()
            raise
        self._handed = None
        self.state = 1
        return True

    async def __aenter__(self):
        return await self.acquire()

    async def __aexit__(self, exc_type, exc, tb):
        self.release()
