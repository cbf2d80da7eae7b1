# mpy: the Unix port's socket module, over the host's network bridge.
#
# A socket is an io.IOBase subclass with readinto/write/ioctl, so C-level
# readers (json.load, deflate.DeflateIO, uzlib.DecompIO) read it natively.
# Received bytes are served from a buffer here: the host is crossed once per
# chunk, never per byte (upip, json and DecompIO read one byte per call).
# Errors are OSError with the Unix port's errno (Linux numbering); the
# numbers come from the host's one errno table (_mpy_errno, base/errno.ts).
# uio: the built-in io, which an io.py on the user's path cannot replace.
import uio as io
import sys
from _mpy_boot import addressof
import _mpy_net
import select as _select
from _mpy_errno import EINTR as _EINTR, EBADF as _EBADF, EAGAIN as _EAGAIN, EINVAL as _EINVAL
from _mpy_errno import EPROTONOSUPPORT as _EPROTONOSUPPORT, EAFNOSUPPORT as _EAFNOSUPPORT, EDESTADDRREQ as _EDESTADDRREQ

# uselect resolves to the interpreter's C module, which can poll these sockets
# only by spinning; programs that use sockets get the host-waiting one.
sys.modules["uselect"] = _select

AF_UNIX = 1
AF_INET = 2
AF_INET6 = 10
SOCK_STREAM = 1
SOCK_DGRAM = 2
SOCK_RAW = 3
IPPROTO_IP = 0
IPPROTO_TCP = 6
IPPROTO_UDP = 17
SOL_SOCKET = 1
SO_REUSEADDR = 2
SO_ERROR = 4
SO_BROADCAST = 6
SO_KEEPALIVE = 9
SO_LINGER = 13
TCP_NODELAY = 1
MSG_OOB = 1
MSG_PEEK = 2
MSG_DONTROUTE = 4
MSG_DONTWAIT = 64
IP_ADD_MEMBERSHIP = 35
IP_DROP_MEMBERSHIP = 36

# Python-side receive buffer; reads into larger buffers go straight to them.
_CHUNK = 16 * 1024
# Stream ioctl requests (MP_STREAM_*).
_FLUSH = 1
_POLL = 3
_CLOSE = 4
_GET_FILENO = 10

_SERVICES = {"http": 80, "https": 443, "ftp": 21, "ssh": 22, "smtp": 25, "domain": 53}


def _raise(r):
    # r: a failed call's result (host/net/errno.ts). The host gives the
    # OSError's arguments: the errno (or an mbedTLS code and its name, as the
    # Unix port's ssl raises them), and why, when it knows more.
    code, _, why = _mpy_net.error(r).partition(" ")
    if why:
        raise OSError(int(code), why)
    raise OSError(int(code))


def _port(port):
    if isinstance(port, int):
        return port & 0xFFFF
    if port is None:
        return 0
    port = str(port)
    if port.isdigit():
        return int(port) & 0xFFFF
    p = _SERVICES.get(port)
    if p is None:
        raise OSError("[addrinfo error -8]")
    return p


def getaddrinfo(host, port, af=0, type=0, proto=0, flags=0):
    """[(family, type, proto, canonname, sockaddr)], sockaddr as the raw
    struct sockaddr bytes, as the Unix port returns them."""
    r = _mpy_net.getaddrinfo(str(host), _port(port), af)
    if isinstance(r, int):
        raise OSError("[addrinfo error %d]" % r)
    kinds = []
    if type in (0, SOCK_STREAM) and proto in (0, IPPROTO_TCP):
        kinds.append((SOCK_STREAM, IPPROTO_TCP))
    if type in (0, SOCK_DGRAM) and proto in (0, IPPROTO_UDP):
        kinds.append((SOCK_DGRAM, IPPROTO_UDP))
    if type in (0, SOCK_RAW):
        kinds.append((SOCK_RAW, proto))
    out = []
    for line in r.split("\n"):
        fam, hexaddr = line.split(" ")
        addr = bytearray(bytes.fromhex(hexaddr))
        for t, p in kinds:
            out.append((int(fam), t, p, None, addr))
    return out


def sockaddr(addr):
    """Decodes a raw sockaddr: (family, address bytes, port[, flowinfo, scope_id])."""
    fam = addr[0] | (addr[1] << 8)
    port = (addr[2] << 8) | addr[3]
    if fam == AF_INET:
        return (fam, bytes(addr[4:8]), port)
    if fam == AF_INET6:
        return (fam, bytes(addr[8:24]), port, int.from_bytes(addr[4:8], "big"), int.from_bytes(addr[24:28], "little"))
    return (fam, bytes(addr[2:]))


def inet_ntop(af, addr):
    if af == AF_INET:
        return ".".join(str(b) for b in addr)
    if af == AF_INET6:
        return ":".join("%x" % ((addr[i] << 8) | addr[i + 1]) for i in range(0, 16, 2))
    raise OSError(_EINVAL)


def inet_pton(af, text):
    if af == AF_INET:
        parts = text.split(".")
        if len(parts) != 4:
            raise OSError(_EINVAL)
        return bytes(int(p) for p in parts)
    if af == AF_INET6:
        head, _, tail = text.partition("::")
        h = [int(w, 16) for w in head.split(":")] if head else []
        t = [int(w, 16) for w in tail.split(":")] if tail else []
        words = h + [0] * (8 - len(h) - len(t)) + t
        return b"".join(bytes((w >> 8, w & 255)) for w in words)
    raise OSError(_EINVAL)


def _target(addr):
    # (host, port) as given, or a raw sockaddr passed as hex with port -1.
    if isinstance(addr, tuple):
        return str(addr[0]), _port(addr[1])
    return bytes(addr).hex(), -1


def stats():
    """The host's counters, for benchmarks and tests: {"recv_crossings",
    "crossings" (all calls to the network worker), "bytes_in"}."""
    recv_crossings, crossings, received = _mpy_net.stats().split(" ")
    return {"recv_crossings": int(recv_crossings), "crossings": int(crossings), "bytes_in": int(received)}


class socket(io.IOBase):
    def __init__(self, af=AF_INET, type=SOCK_STREAM, proto=0, fileno=None):
        for v in (af, type, proto):
            if not isinstance(v, int):
                raise TypeError("can't convert %s to int" % v.__class__.__name__)
        if proto not in (0, IPPROTO_TCP if type == SOCK_STREAM else IPPROTO_UDP):
            raise OSError(_EPROTONOSUPPORT)
        if af not in (AF_INET, AF_INET6):
            raise OSError(_EAFNOSUPPORT)
        if type not in (SOCK_STREAM, SOCK_DGRAM):
            raise OSError(_EPROTONOSUPPORT)
        self._id = _mpy_net.socket() if fileno is None else fileno
        if self._id < 0:
            _raise(self._id)
        self.family = af
        self.type = type
        self.proto = proto
        self._timeout = -1
        self._buf = bytearray(_CHUNK)
        self._mv = memoryview(self._buf)
        self._pos = 0
        self._end = 0
        self._closed = False
        # Where send() goes on a UDP socket after connect().
        self._dest = None

    def __repr__(self):
        return "<socket %d>" % self._id

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def fileno(self):
        return -1 if self._closed else self._id

    def _poll_id(self):
        # For select: the host id, -1 once closed, and whether bytes wait here.
        return (-1 if self._closed else self._id), self._pos < self._end

    def _check(self):
        if self._closed:
            raise OSError(_EBADF)

    # Connection

    def connect(self, addr):
        self._check()
        if self.type == SOCK_DGRAM:
            self._dest = addr
            return
        if isinstance(addr, tuple):
            r = _mpy_net.connect(self._id, str(addr[0]), _port(addr[1]), self._timeout)
        else:
            r = _mpy_net.connect(self._id, bytes(addr).hex(), -1, self._timeout)
        if r < 0:
            _raise(r)

    def settimeout(self, value):
        if value is None:
            self._timeout = -1
        else:
            ms = int(value * 1000)
            self._timeout = 1 if value > 0 and ms < 1 else ms

    def setblocking(self, flag):
        self._timeout = -1 if flag else 0

    def setsockopt(self, level, option, value):
        # SO_REUSEADDR is what Node's listeners do anyway; other options are accepted and have no effect.
        self._check()

    def bind(self, addr):
        self._check()
        host, port = _target(addr)
        r = _mpy_net.bind_to(self._id, 1 if self.type == SOCK_DGRAM else 0, host, port, self.family)
        if r < 0:
            _raise(r)

    def listen(self, backlog=0):
        self._check()
        r = _mpy_net.listen(self._id, backlog)
        if r < 0:
            _raise(r)

    def accept(self):
        """(socket, peer sockaddr as raw bytes), as the Unix port returns them."""
        self._check()
        r = _mpy_net.accept(self._id, self._timeout)
        if isinstance(r, int):
            _raise(r)
        new_id, peer = r.split(" ")
        s = socket(self.family, SOCK_STREAM, 0, int(new_id))
        return s, bytes.fromhex(peer)

    def _name(self, peer):
        self._check()
        r = _mpy_net.getname(self._id, peer)
        if isinstance(r, int):
            _raise(r)
        a = sockaddr(bytes.fromhex(r))
        return (inet_ntop(a[0], a[1]), a[2])

    def getsockname(self):
        """(address, port) of the local end (CPython's form; the Unix port has no getsockname)."""
        return self._name(0)

    def getpeername(self):
        """(address, port) of the remote end (CPython's form)."""
        return self._name(1)

    def makefile(self, mode="rb", buffering=0):
        return self

    def shutdown(self, how=2):
        self._check()
        r = _mpy_net.shutdown(self._id)
        if r < 0:
            _raise(r)

    def close(self):
        if not self._closed:
            self._closed = True
            self._pos = self._end = 0
            _mpy_net.close(self._id)

    # Sending

    def _send(self, buf, all):
        self._check()
        if isinstance(buf, str):
            buf = buf.encode()
        n = len(buf)
        if n == 0:
            return 0
        r = _mpy_net.send(self._id, addressof(buf), n, self._timeout, all)
        if r < 0:
            _raise(r)
        return r

    def send(self, buf, flags=0):
        if self.type == SOCK_DGRAM:
            if self._dest is None:
                raise OSError(_EDESTADDRREQ)
            return self.sendto(buf, self._dest)
        return self._send(buf, 0)

    def sendall(self, buf):
        self._send(buf, 1)

    def write(self, buf, n=None):
        if n is not None:
            buf = memoryview(buf)[:n]
        r = self._send(buf, 1)
        return r

    def sendto(self, buf, addr):
        self._check()
        if isinstance(buf, str):
            buf = buf.encode()
        host, port = _target(addr)
        r = _mpy_net.sendto(self._id, addressof(buf), len(buf), host, port, self.family)
        if r < 0:
            _raise(r)
        return r

    def recvfrom(self, n, flags=0):
        """(bytes, sender sockaddr as raw bytes), as the Unix port returns them."""
        self._check()
        if self.type != SOCK_DGRAM:
            return self.recv(n), None
        out = bytearray(n)
        r = _mpy_net.recvfrom(self._id, addressof(out), n, self._timeout)
        if isinstance(r, int):
            _raise(r)
        got, sender = r.split(" ")
        got = int(got)
        return (bytes(out) if got == n else bytes(memoryview(out)[:got])), bytes.fromhex(sender)

    # Receiving

    def _fill(self):
        # One crossing: refill the buffer. Returns bytes now buffered, 0 at EOF,
        # None when a non-blocking socket has nothing.
        r = _mpy_net.recv(self._id, addressof(self._buf), _CHUNK, self._timeout)
        # An interrupt ends a waiting recv with EINTR; the loop's branch is
        # where the VM raises the pending KeyboardInterrupt (as the Unix port
        # retries EINTR after handling it).
        while r == -_EINTR:
            r = _mpy_net.recv(self._id, addressof(self._buf), _CHUNK, self._timeout)
        if r < 0:
            if r == -_EAGAIN and self._timeout == 0:
                return None
            _raise(r)
        self._pos = 0
        self._end = r
        return r

    def _into(self, buf, n):
        # Reads at most n (> 0) bytes into buf with at most one crossing.
        avail = self._end - self._pos
        if avail == 0:
            if n >= _CHUNK:
                r = _mpy_net.recv(self._id, addressof(buf), n, self._timeout)
                while r == -_EINTR:
                    r = _mpy_net.recv(self._id, addressof(buf), n, self._timeout)
                if r < 0:
                    if r == -_EAGAIN and self._timeout == 0:
                        return None
                    _raise(r)
                return r
            avail = self._fill()
            if not avail:
                return avail
        if n > avail:
            n = avail
        p = self._pos
        buf[:n] = self._mv[p : p + n]
        self._pos = p + n
        return n

    def readinto(self, buf, nbytes=None):
        p = self._pos
        if p < self._end and nbytes is None and len(buf) == 1:
            # The per-byte path of json.load, DecompIO and upip: no crossing.
            buf[0] = self._buf[p]
            self._pos = p + 1
            return 1
        self._check()
        n = len(buf) if nbytes is None else min(nbytes, len(buf))
        mv = memoryview(buf)
        done = 0
        while done < n:
            r = self._into(mv[done:], n - done)
            if r is None:
                return done if done else None
            if r == 0:
                break
            done += r
        return done

    def recv(self, n, flags=0):
        if self.type == SOCK_DGRAM:
            return self.recvfrom(n)[0]
        self._check()
        out = bytearray(n)
        r = self._into(out, n)
        if r is None:
            raise OSError(_EAGAIN)
        return bytes(out) if r == n else bytes(memoryview(out)[:r])

    def read(self, n=-1):
        self._check()
        if n is None or n < 0:
            parts = []
            while True:
                chunk = self.read(_CHUNK)
                if not chunk:
                    if chunk is None and not parts:
                        return None
                    return b"".join(parts)
                parts.append(chunk)
        out = bytearray(n)
        r = self.readinto(out)
        if r is None:
            return None
        return bytes(out) if r == n else bytes(memoryview(out)[:r])

    def readline(self, limit=-1):
        self._check()
        parts = []
        total = 0
        while limit < 0 or total < limit:
            if self._pos == self._end:
                got = self._fill()
                if got is None:
                    if not parts:
                        return None
                    break
                if got == 0:
                    break
            p = self._pos
            stop = self._end if limit < 0 else min(self._end, p + limit - total)
            i = self._buf.find(b"\n", p, stop)
            end = stop if i < 0 else i + 1
            parts.append(bytes(self._mv[p:end]))
            total += end - p
            self._pos = end
            if i >= 0:
                break
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def ioctl(self, req, arg):
        if req == _POLL:
            if self._closed:
                return 0x20  # POLLNVAL
            ready = 0
            if self._pos < self._end:
                ready = 1
            r = _mpy_net.poll(self._id)
            return (r | ready) & arg if r >= 0 else 0
        if req == _CLOSE:
            self.close()
            return 0
        if req == _FLUSH:
            return 0
        if req == _GET_FILENO:
            return self._id
        return -_EINVAL
