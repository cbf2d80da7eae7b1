# mpy: asyncio streams over the host's non-blocking sockets:
# open_connection, start_server, Stream (StreamReader/StreamWriter), Server.
from . import core

_READ = 1
_WRITE = 2
from _mpy_errno import EINPROGRESS as _EINPROGRESS, EAGAIN as _EAGAIN, EOPNOTSUPP as _EOPNOTSUPP


class Stream:
    def __init__(self, s, e={}):
        self.s = s
        self.e = e
        self.out_buf = b""

    def get_extra_info(self, v):
        return self.e[v]

    async def __aenter__(self):
        return self

    async def __aexit__(self, exc_type, exc, tb):
        await self.wait_closed()

    def close(self):
        self.s.close()

    async def wait_closed(self):
        self.s.close()

    async def read(self, n=-1):
        if n >= 0:
            return await self._some(n)
        parts = []
        while True:
            d = await self._some(4096)
            if not d:
                return b"".join(parts)
            parts.append(d)

    async def _some(self, n):
        while True:
            d = self.s.read(n)
            if d is not None:
                return d
            await core._wait_io(self.s, _READ)

    async def readinto(self, buf):
        while True:
            n = self.s.readinto(buf)
            if n is not None:
                return n
            await core._wait_io(self.s, _READ)

    async def readexactly(self, n):
        parts = []
        while n > 0:
            d = await self._some(n)
            if not d:
                raise EOFError
            parts.append(d)
            n -= len(d)
        return b"".join(parts)

    async def readline(self):
        parts = []
        while True:
            d = self.s.readline()
            if d is None:
                await core._wait_io(self.s, _READ)
                continue
            parts.append(d)
            if not d or d[-1:] == b"\n":
                return b"".join(parts)

    def write(self, buf):
        if not self.out_buf:
            # Try to send now; what the socket does not take waits for drain().
            n = self.s.write(buf)
            if n == len(buf):
                return
            if n is not None:
                buf = memoryview(buf)[n:]
        self.out_buf += buf

    async def drain(self):
        if not self.out_buf:
            return
        mv = memoryview(self.out_buf)
        off = 0
        while off < len(mv):
            n = self.s.write(mv[off:])
            if n is None:
                await core._wait_io(self.s, _WRITE)
            else:
                off += n
        self.out_buf = b""


StreamReader = Stream
StreamWriter = Stream


async def open_connection(host, port, ssl=None):
    import socket

    ai = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
    s = socket.socket(ai[0], ai[1], ai[2])
    s.setblocking(False)
    try:
        s.connect(ai[-1])
    except OSError as e:
        if e.errno != _EINPROGRESS:
            raise
    await core._wait_io(s, _WRITE)
    if ssl:
        import ssl as _ssl

        if ssl is True:
            ssl = _ssl.SSLContext(_ssl.PROTOCOL_TLS_CLIENT)
        s = ssl.wrap_socket(s, server_hostname=host)
    ss = Stream(s)
    return ss, ss


class Server:
    async def __aenter__(self):
        return self

    async def __aexit__(self, exc_type, exc, tb):
        self.close()
        await self.wait_closed()

    def close(self):
        self.task.cancel()

    async def wait_closed(self):
        await self.task

    async def _serve(self, s, cb):
        try:
            while True:
                await core._wait_io(s, _READ)
                try:
                    s2, addr = s.accept()
                except OSError as e:
                    if e.errno == _EAGAIN:
                        continue
                    raise
                s2.setblocking(False)
                st = Stream(s2, {"peername": addr})
                core.create_task(cb(st, st))
        except core.CancelledError:
            pass
        finally:
            s.close()


async def start_server(cb, host, port, backlog=5, ssl=None):
    import socket

    if ssl:
        raise OSError(_EOPNOTSUPP)  # the host has no TLS server side
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    s.setblocking(False)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(backlog)
    srv = Server()
    srv.task = core.create_task(srv._serve(s, cb))
    return srv
