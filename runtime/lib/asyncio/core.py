# mpy: asyncio's scheduler, tasks and event loop, after MicroPython's
# documented asyncio API (docs/library/asyncio.rst).
#
# One queue holds everything due to run: a heap of (when, seq, item) where
# `when` is a monotonic millisecond clock, so tasks ready now run in the
# order they became ready and sleepers when their time comes. An item leaves
# the heap lazily: its `_key` must still equal the entry's seq. A task that
# waits elsewhere (an event, another task, a socket) is parked on a list or
# in the I/O queue and remembers where (`_where`), so cancel() can take it out.
# When nothing is due, the loop waits in the host: select.poll on the
# sockets tasks wait for (host/net: no CPU while idle), or a host sleep.
import sys
import time
from heapq import heappush, heappop

# The longest sleep, as the ticks arithmetic of the Unix port allows.
_MAX_SLEEP_MS = 1 << 29
# The longest single host wait of an idle loop: callbacks of
# micropython.schedule (and interrupts) run when it returns.
_IDLE_SLICE_MS = 1000


class CancelledError(BaseException):
    pass


class TimeoutError(Exception):
    pass


# --- the clock ---------------------------------------------------------------

_last_ticks = time.ticks_ms()
_clock = 0


def _now():
    # Monotonic milliseconds (ticks_ms wraps; this does not).
    global _last_ticks, _clock
    t = time.ticks_ms()
    _clock += time.ticks_diff(t, _last_ticks)
    _last_ticks = t
    return _clock


# --- the queue ---------------------------------------------------------------

_queue = []
_seq = 0
_cur = None
_io = None
_stopping = False


def _push(item, when=None):
    global _seq
    _seq += 1
    item._key = _seq
    item._when = _now() if when is None else when
    heappush(_queue, (item._when, _seq, item))


def _park(lst):
    # Parks the running task on lst until something pushes it again.
    me = _cur
    lst.append(me)
    me._where = lst


def _suspend(lst):
    # Awaitable: park the running task on lst and give way.
    _park(lst)
    yield


def _wake(task):
    # Makes a parked task runnable again.
    task._where = None
    _push(task)


class _Call:
    # A callback due at a time: the timer of wait_for, a deferred report.
    def __init__(self, fn, arg):
        self._key = 0
        self._when = 0
        self._fn = fn
        self._arg = arg

    def cancel(self):
        self._key = 0

    def _step(self):
        self._fn(self._arg)


def _call_later(ms, fn, arg=None):
    c = _Call(fn, arg)
    _push(c, _now() + ms)
    return c


# --- tasks -------------------------------------------------------------------


class Task:
    def __init__(self, coro):
        self.coro = coro
        self.data = None
        self._key = 0
        self._when = 0
        self._where = None
        self._awaiting = None
        self._throw = None
        self._done = False
        self._result = None
        self._exc = None
        self._waiting = []
        self._callbacks = []
        self._retrieved = False

    def __repr__(self):
        return "<Task>"

    def done(self):
        return self._done

    def cancel(self):
        if self._done:
            return False
        if self is _cur:
            raise RuntimeError("can't cancel self")
        # A task waiting for another task is cancelled through it.
        t = self
        while t._awaiting is not None and not t._awaiting._done:
            t = t._awaiting
        if t is _cur:
            raise RuntimeError("can't cancel self")
        t._throw = CancelledError()
        if t._key == 0 or t._when > _now():
            # Parked, or sleeping: due now. (A task already due keeps its place.)
            t._unpark()
            _push(t)
        return True

    def _unpark(self):
        w = self._where
        if w is None:
            return
        self._where = None
        if type(w) is list:
            for i in range(len(w)):
                if w[i] is self:
                    del w[i]
                    break
        else:
            w.discard(self)

    def __iter__(self):
        me = _cur
        while not self._done:
            _park(self._waiting)
            me._awaiting = self
            try:
                yield
            finally:
                me._awaiting = None
        self._retrieved = True
        if self._exc is not None:
            raise self._exc
        return self._result

    __await__ = __iter__

    def _step(self):
        global _cur
        _cur = self
        try:
            exc = self._throw
            if exc is not None:
                self._throw = None
                self.coro.throw(exc)
            else:
                self.coro.send(None)
            if self._key == 0 and self._where is None:
                # It gave way without arranging to be woken: run it again later.
                _push(self)
        except StopIteration as e:
            self._finish(e.value, None)
        except CancelledError as e:
            self._finish(None, e)
        except Exception as e:
            self._finish(None, e)
        finally:
            _cur = None

    def _finish(self, result, exc):
        self._done = True
        self._result = result
        self._exc = exc
        waiting = self._waiting
        callbacks = self._callbacks
        self._waiting = []
        self._callbacks = []
        for t in waiting:
            _wake(t)
        for cb in callbacks:
            cb(self)
        if exc is not None and not waiting and not callbacks and not isinstance(exc, CancelledError):
            # Reported one turn later, unless awaited by then.
            _push(_Call(_report_unretrieved, self))


def _report_unretrieved(task):
    if not task._retrieved:
        Loop.call_exception_handler({"message": "Task exception wasn't retrieved", "exception": task._exc, "future": task})


def create_task(coro):
    if not hasattr(coro, "send"):
        raise TypeError("coroutine expected")
    t = Task(coro)
    _push(t)
    return t


def current_task():
    if _cur is None:
        raise RuntimeError("no running event loop")
    return _cur


def _promote(aw):
    return aw if isinstance(aw, Task) else create_task(aw)


# --- sleeping ----------------------------------------------------------------


def sleep_ms(t):
    if t >= _MAX_SLEEP_MS or t <= -_MAX_SLEEP_MS:
        raise OverflowError("ticks interval overflow")
    _push(_cur, _now() + max(0, t))
    yield


def sleep(t):
    return sleep_ms(int(t * 1000))


# --- waiting for sockets -----------------------------------------------------


class _IOQueue:
    # The sockets tasks wait on: id -> [stream, reader task, writer task].
    def __init__(self):
        import select

        self._select = select
        self._poller = select.poll()
        self._map = {}

    def wait(self, stream, idx):
        e = self._map.get(id(stream))
        if e is None:
            e = self._map[id(stream)] = [stream, None, None]
        if e[idx] is not None:
            raise RuntimeError("another task waits on this stream")
        e[idx] = _cur
        _cur._where = self
        self._update(e)

    def discard(self, task):
        for e in list(self._map.values()):
            for idx in (1, 2):
                if e[idx] is task:
                    e[idx] = None
                    self._update(e)

    def _update(self, e):
        sel = self._select
        mask = (sel.POLLIN if e[1] is not None else 0) | (sel.POLLOUT if e[2] is not None else 0)
        if mask:
            self._poller.register(e[0], mask)
        else:
            self._poller.unregister(e[0])
            del self._map[id(e[0])]

    def wait_events(self, timeout):
        sel = self._select
        for stream, ev in self._poller.ipoll(timeout):
            e = self._map.get(id(stream))
            if e is None:
                continue
            if ev & ~sel.POLLOUT and e[1] is not None:
                _wake(e[1])
                e[1] = None
            if ev & ~sel.POLLIN and e[2] is not None:
                _wake(e[2])
                e[2] = None
            self._update(e)


def _wait_io(stream, idx):
    # Awaitable: give way until stream is readable (idx 1) or writable (2).
    global _io
    if _io is None:
        _io = _IOQueue()
    _io.wait(stream, idx)
    yield


# --- the loop ----------------------------------------------------------------


def _run(main):
    global _stopping
    io_mark = 0
    queue = _queue
    while True:
        if queue is not _queue:
            queue = _queue  # new_event_loop() replaced it
        waiting_io = _io is not None and _io._map
        if main is not None and main._done:
            return
        if _stopping:
            _stopping = False
            return
        if not queue:
            # Nothing is due: wait for a socket, or (as the Unix port does) for ever.
            if waiting_io:
                _io.wait_events(_IDLE_SLICE_MS)
            else:
                time.sleep_ms(_IDLE_SLICE_MS)
            continue
        when, seq, item = queue[0]
        if item._key != seq:
            heappop(queue)
            continue
        dt = when - _now()
        if dt > 0:
            dt = min(dt, _IDLE_SLICE_MS)
            if waiting_io:
                _io.wait_events(dt)
                io_mark = _seq
            else:
                time.sleep_ms(dt)
            continue
        if waiting_io and seq > io_mark:
            # Once per round of ready tasks, see which sockets became ready.
            _io.wait_events(0)
            io_mark = _seq
            continue
        heappop(queue)
        item._key = 0
        item._step()


def run_until_complete(main_task=None):
    if main_task is None:
        _run(None)
        return None
    main_task = _promote(main_task)
    main_task._callbacks.append(_ignore)
    _run(main_task)
    _report_pending()
    main_task._retrieved = True
    if main_task._exc is not None:
        raise main_task._exc
    return main_task._result


def _ignore(task):
    pass


def _report_pending():
    # The loop stops as soon as main ends; a task that failed before that is
    # still reported (CPython reports it when the task is collected), however
    # late in the turn its failure came.
    for when, seq, item in sorted(_queue):
        if item._key == seq and isinstance(item, _Call) and item._fn is _report_unretrieved:
            item._key = 0
            item._step()


def run(coro):
    return run_until_complete(create_task(coro))


class Loop:
    _exc_handler = None

    @staticmethod
    def create_task(coro):
        return create_task(coro)

    @staticmethod
    def run_forever():
        _run(None)

    @staticmethod
    def run_until_complete(aw):
        return run_until_complete(_promote(aw))

    @staticmethod
    def stop():
        global _stopping
        _stopping = True

    @staticmethod
    def close():
        pass

    @staticmethod
    def set_exception_handler(handler):
        Loop._exc_handler = handler

    @staticmethod
    def get_exception_handler():
        return Loop._exc_handler

    @staticmethod
    def default_exception_handler(loop, context):
        print(context["message"], file=sys.stderr)
        print("future:", context["future"], "coro=", context["future"].coro, file=sys.stderr)
        sys.print_exception(context["exception"], sys.stderr)

    @staticmethod
    def call_exception_handler(context):
        (Loop._exc_handler or Loop.default_exception_handler)(Loop, context)


def get_event_loop(runq_len=0, waitq_len=0):
    return Loop


def new_event_loop():
    global _queue, _io, _stopping, _cur
    _queue = []
    _io = None
    _stopping = False
    _cur = None
    Loop._exc_handler = None
    return Loop
