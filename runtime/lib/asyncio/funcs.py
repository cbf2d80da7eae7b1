# mpy: asyncio.wait_for, wait_for_ms and gather.
from . import core


async def wait_for(aw, timeout, sleep=core.sleep):
    aw = core._promote(aw)
    if timeout is None:
        return await aw
    ms = timeout if sleep is core.sleep_ms else int(timeout * 1000)
    me = core._cur
    fired = []
    parked = []

    def expire(_):
        if not aw.done():
            fired.append(True)
            aw.cancel()

    def resume(_):
        if me._where is parked:
            me._unpark()
            core._wake(me)

    def finished(_):
        # One turn later, as the Unix port's wait_for (which hops through a runner task).
        core._push(core._Call(resume, None))

    timer = core._call_later(max(0, ms), expire)
    if not aw.done():
        # Wait through a callback, not by awaiting aw: a cancel of this task
        # must reach this task (and is passed on to aw here).
        aw._callbacks.append(finished)
        try:
            await core._suspend(parked)
        except core.CancelledError:
            _forget(aw, finished)
            timer.cancel()
            if not aw.done():
                aw.cancel()
            raise
    timer.cancel()
    if fired:
        aw._retrieved = True
        raise core.TimeoutError
    return await aw


def wait_for_ms(aw, timeout):
    return wait_for(aw, timeout, core.sleep_ms)


async def gather(*aws, return_exceptions=False):
    tasks = [core._promote(a) for a in aws]
    if not tasks:
        return []
    me = core._cur
    state = [0, None]  # tasks finished, first exception
    parked = []

    def finished(t):
        state[0] += 1
        if t._exc is not None and state[1] is None and not return_exceptions:
            state[1] = t._exc
        if parked and (state[0] == len(tasks) or state[1] is not None):
            parked.clear()
            me._unpark()
            core._wake(me)

    for t in tasks:
        if t.done():
            finished(t)
        else:
            t._callbacks.append(finished)
    try:
        if state[0] < len(tasks) and state[1] is None:
            parked.append(True)
            await core._suspend([])
    except core.CancelledError:
        for t in tasks:
            if not t.done():
                _forget(t, finished)
                t.cancel()
        raise
    for t in tasks:
        if not t.done():
            _forget(t, finished)
    if state[1] is not None:
        for t in tasks:
            if t.done():
                t._retrieved = True
        raise state[1]
    out = []
    for t in tasks:
        t._retrieved = True
        out.append(t._exc if t._exc is not None else t._result)
    return out


def _forget(t, cb):
    try:
        t._callbacks.remove(cb)
    except ValueError:
        pass
