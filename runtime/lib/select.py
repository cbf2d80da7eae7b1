# mpy: the select module of the Unix port, for the host's sockets.
#
# poll objects wait in the host (one crossing to the network worker, which
# answers when a socket's readiness changes or the timeout passes), so a
# program waiting on sockets uses no CPU. Other streams (stdin, files,
# objects with an ioctl method) are polled by the interpreter's own select
# module; a poll holding both kinds checks the native ones between short
# host waits.
import uselect as _native
import time
from _mpy_boot import addressof
import _mpy_net
from _mpy_errno import ENOENT as _ENOENT

POLLIN = 1
POLLOUT = 4
POLLERR = 8
POLLHUP = 16
POLLNVAL = 32

# Longest host wait while native streams are also watched.
_MIXED_SLICE_MS = 20


class _Poll:
    def __init__(self):
        # [obj, eventmask]; registration order is the order poll() reports in.
        self._entries = []
        self._native = None
        self._out = []

    def _find(self, obj):
        for e in self._entries:
            if e[0] is obj:
                return e
        return None

    def register(self, obj, eventmask=POLLIN | POLLOUT):
        e = self._find(obj)
        if e is None:
            self._entries.append([obj, eventmask])
        else:
            e[1] = eventmask
        self._native = None

    def modify(self, obj, eventmask):
        e = self._find(obj)
        if e is None:
            raise OSError(_ENOENT)
        e[1] = eventmask
        self._native = None

    def unregister(self, obj):
        for i, e in enumerate(self._entries):
            if e[0] is obj:
                del self._entries[i]
                self._native = None
                return

    def _scan(self, timeout):
        # Returns [(obj, revents)] for ready entries, waiting up to timeout ms (<0: no limit).
        hosted = []
        natives = []
        ready = []
        for e in self._entries:
            if e[1] == 0 and not hasattr(e[0], "_poll_id"):
                continue
            if hasattr(e[0], "_poll_id"):
                sid, buffered = e[0]._poll_id()
                if sid < 0:
                    ready.append((e, POLLNVAL))
                elif e[1] != 0:
                    hosted.append((e, sid, buffered))
            else:
                natives.append(e)
        for e, sid, buffered in hosted:
            if buffered and e[1] & POLLIN:
                timeout = 0
        if ready:
            timeout = 0
        if natives and self._native is None:
            self._native = _native.poll()
            for e in natives:
                self._native.register(e[0], e[1])
        spec = ",".join("%d:%d" % (sid, e[1]) for e, sid, _ in hosted)
        revents = bytearray(len(hosted))
        deadline = None if timeout < 0 else time.ticks_add(time.ticks_ms(), timeout)
        while True:
            got_native = self._native.poll(0) if natives else ()
            wait = timeout
            if got_native or ready:
                wait = 0
            elif natives:
                wait = _MIXED_SLICE_MS if timeout < 0 else min(timeout, _MIXED_SLICE_MS)
            if hosted:
                n = _mpy_net.pollmany(spec, addressof(revents), wait)
                if n < 0:
                    # Hosted entries are sockets, so usocket is loaded (it imports this module).
                    from usocket import _raise

                    _raise(n)
            elif wait > 0:
                time.sleep_ms(wait)
            elif wait < 0:
                while True:
                    time.sleep_ms(60000)
            found = list(ready)
            order = {}
            for i in range(len(hosted)):
                e, _, buffered = hosted[i]
                bits = revents[i] | (POLLIN if buffered and e[1] & POLLIN else 0)
                if bits:
                    order[id(e)] = bits
            for obj, bits in got_native:
                order[id(self._find(obj))] = bits
            if order:
                for e in self._entries:
                    bits = order.get(id(e))
                    if bits:
                        found.append((e, bits))
            if found or timeout == 0:
                return found
            if deadline is not None:
                timeout = time.ticks_diff(deadline, time.ticks_ms())
                if timeout <= 0:
                    return found

    def poll(self, timeout=-1):
        if timeout is None:
            timeout = -1
        return [(e[0], bits) for e, bits in self._scan(timeout)]

    def ipoll(self, timeout=-1, flags=0):
        if timeout is None:
            timeout = -1
        found = self._scan(timeout)
        if flags & 1:
            for e, _ in found:
                e[1] = 0
            self._native = None
        return iter([(e[0], bits) for e, bits in found])


def poll():
    return _Poll()


def select(rlist, wlist, xlist, timeout=None):
    p = _Poll()
    for o in rlist:
        p.register(o, POLLIN)
    for o in wlist:
        e = p._find(o)
        if e is None:
            p.register(o, POLLOUT)
        else:
            e[1] |= POLLOUT
    for o in xlist:
        if p._find(o) is None:
            p.register(o, 0)
    ms = -1 if timeout is None else int(timeout * 1000)
    r = []
    w = []
    x = []
    for o, bits in p.poll(ms):
        if bits & (POLLIN | POLLHUP | POLLERR) and o in rlist:
            r.append(o)
        if bits & (POLLOUT | POLLHUP | POLLERR) and o in wlist:
            w.append(o)
        if bits & (POLLERR | POLLNVAL) and o in xlist:
            x.append(o)
    return r, w, x
