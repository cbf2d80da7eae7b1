# mpy: an HTTP client with the API of micropython-lib's `requests` (what mip
# and user code import), written for this host over its usocket/ussl.
#
# Each request is one HTTP/1.0 exchange on a new connection ("Connection:
# close"): the body ends at Content-Length, at the last chunk of a chunked
# response, or at EOF. The body is read lazily: `Response.raw` is a stream
# (readinto/read/readline, usable by json.load) until `content` reads it.
import io
import usocket
from _mpy_errno import EOPNOTSUPP as _EOPNOTSUPP

_REDIRECTS = (301, 302, 303, 307, 308)
_MAX_REDIRECTS = 20
_CHUNK = 4096


class RequestException(OSError):
    pass


class TooManyRedirects(RequestException):
    pass


class _Body(io.IOBase):
    # The response body as a stream: at most `length` bytes (None: to EOF),
    # or the payload of a chunked body.
    def __init__(self, sock, length, chunked):
        self._sock = sock
        self._left = length
        self._chunked = chunked
        self._chunk_left = 0
        self._done = length == 0

    def _next_chunk(self):
        if self._chunk_left is None:
            self._sock.readline()
        line = self._sock.readline()
        if not line:
            raise RequestException("connection closed inside a chunked body")
        size = int(line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while True:
                trailer = self._sock.readline()
                if not trailer or trailer in (b"\r\n", b"\n"):
                    break
            self._done = True
        self._chunk_left = size

    def readinto(self, buf, nbytes=None):
        n = len(buf) if nbytes is None else min(nbytes, len(buf))
        if self._done or n == 0:
            return 0
        if self._chunked:
            if not self._chunk_left:
                self._next_chunk()
                if self._done:
                    return 0
            n = min(n, self._chunk_left)
        elif self._left is not None:
            n = min(n, self._left)
        mv = memoryview(buf)
        r = self._sock.readinto(mv[:n]) if n < len(buf) else self._sock.readinto(buf)
        if r is None:
            return None
        if r == 0:
            if self._chunked or self._left:
                raise RequestException("connection closed before the end of the response body")
            self._done = True
            return 0
        if self._chunked:
            self._chunk_left -= r
            if self._chunk_left == 0:
                self._chunk_left = None
        elif self._left is not None:
            self._left -= r
            if self._left == 0:
                self._done = True
        return r

    def read(self, n=-1):
        if n is not None and n >= 0:
            buf = bytearray(n)
            r = self.readinto(buf)
            return bytes(memoryview(buf)[:r]) if r else b""
        parts = []
        buf = bytearray(_CHUNK)
        while True:
            r = self.readinto(buf)
            if not r:
                break
            parts.append(bytes(memoryview(buf)[:r]))
        return b"".join(parts)

    def readline(self, limit=-1):
        out = bytearray()
        one = bytearray(1)
        while limit < 0 or len(out) < limit:
            if not self.readinto(one):
                break
            out += one
            if one[0] == 10:
                break
        return bytes(out)

    def write(self, buf):
        raise OSError(_EOPNOTSUPP)

    def ioctl(self, req, arg):
        if req == 4:  # close
            self.close()
        return 0

    def close(self):
        if self._sock is not None:
            self._sock.close()
            self._done = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Response:
    def __init__(self, raw, status_code=0, reason=b"", headers=None, url=None):
        self.raw = raw
        self.status_code = status_code
        self.reason = reason
        self.headers = headers if headers is not None else {}
        self.url = url
        self.encoding = "utf-8"
        self._cached = None

    def close(self):
        if self.raw is not None:
            self.raw.close()
            self.raw = None
        self._cached = None

    @property
    def content(self):
        if self._cached is None:
            if self.raw is None:
                raise RequestException("the response is closed")
            try:
                self._cached = self.raw.read()
            finally:
                self.raw.close()
                self.raw = None
        return self._cached

    @property
    def text(self):
        return str(self.content, self.encoding)

    @property
    def ok(self):
        return 200 <= self.status_code < 400

    def json(self):
        import json

        return json.loads(self.content)

    def raise_for_status(self):
        if self.status_code >= 400:
            raise RequestException("%d %s for %s" % (self.status_code, str(self.reason, "latin-1"), self.url))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _split_url(url):
    try:
        scheme, rest = url.split("://", 1)
    except ValueError:
        raise ValueError("invalid URL %r: no scheme (http:// or https://)" % url)
    scheme = scheme.lower()
    if scheme == "http":
        port = 80
    elif scheme == "https":
        port = 443
    else:
        raise ValueError("unsupported protocol %r in %r: use http or https" % (scheme, url))
    host, slash, path = rest.partition("/")
    path = slash + path if slash else "/"
    host, q, query = host.partition("?")
    if q:
        path = "/?" + query
    if "@" in host:
        raise ValueError("credentials in URLs are not supported; use auth=(user, password)")
    if host.startswith("["):
        end = host.find("]")
        name = host[1:end]
        if host[end + 1 : end + 2] == ":":
            port = int(host[end + 2 :])
    elif ":" in host:
        name, p = host.rsplit(":", 1)
        port = int(p)
    else:
        name = host
    if not name:
        raise ValueError("invalid URL %r: no host" % url)
    return scheme, name, port, host, path


def _join(base, location):
    if "://" in location:
        return location
    scheme, _, _, hostport, path = _split_url(base)
    if location.startswith("//"):
        return scheme + ":" + location
    if location.startswith("/"):
        return scheme + "://" + hostport + location
    return scheme + "://" + hostport + path.split("?", 1)[0].rpartition("/")[0] + "/" + location


def _urlencode(data):
    def quote(s):
        out = []
        for b in str(s).encode():
            c = chr(b)
            if c.isalpha() and b < 128 or c.isdigit() or c in "-._~":
                out.append(c)
            elif c == " ":
                out.append("+")
            else:
                out.append("%%%02X" % b)
        return "".join(out)

    return "&".join(quote(k) + "=" + quote(v) for k, v in data.items())


def _basic(auth):
    import binascii

    token = binascii.b2a_base64(("%s:%s" % auth).encode())[:-1]
    return "Basic " + str(token, "ascii")


def _read_head(sock):
    line = sock.readline()
    if not line:
        raise RequestException("the server closed the connection without a response")
    parts = line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
        raise RequestException("not an HTTP response: %r" % line[:80])
    status = int(parts[1])
    reason = parts[2].rstrip() if len(parts) > 2 else b""
    # As micropython-lib: a dict of the names as sent; `lower` for lookups here.
    headers = {}
    lower = {}
    while True:
        line = sock.readline()
        if not line or line in (b"\r\n", b"\n"):
            break
        k, _, v = str(line, "latin-1").partition(":")
        k = k.strip()
        v = v.strip()
        if k.lower() in lower:
            v = lower[k.lower()] + ", " + v
        headers[k] = v
        lower[k.lower()] = v
    return status, reason, headers, lower


def _connect(scheme, host, port, timeout):
    ai = usocket.getaddrinfo(host, port, 0, usocket.SOCK_STREAM)
    if not ai:
        raise OSError("[addrinfo error] no address for %s" % host)
    family, kind, proto, _, addr = ai[0]
    sock = usocket.socket(family, kind, proto)
    try:
        if timeout is not None:
            sock.settimeout(timeout)
        sock.connect(addr)
        if scheme == "https":
            import ussl

            sock = ussl.wrap_socket(sock, server_hostname=host)
        return sock
    except:
        sock.close()
        raise


def request(method, url, data=None, json=None, headers=None, stream=None, auth=None, timeout=None, parse_headers=True, allow_redirects=True):
    # stream=True only documents intent: the body is never read before
    # `content`, `text` or `json()` asks for it, so `raw` is always a stream.
    method = method.upper()
    hops = 0
    while True:
        scheme, host, port, hostport, path = _split_url(url)
        lines = ["%s %s HTTP/1.0" % (method, path)]
        given = {}
        for k, v in (headers or {}).items():
            given[k.lower()] = v
        if "host" not in given:
            lines.append("Host: " + hostport)
        if auth is not None and "authorization" not in given:
            lines.append("Authorization: " + _basic(auth))
        body = data
        if json is not None:
            import json as _json

            body = _json.dumps(json)
            if "content-type" not in given:
                lines.append("Content-Type: application/json")
        elif isinstance(data, dict):
            body = _urlencode(data)
            if "content-type" not in given:
                lines.append("Content-Type: application/x-www-form-urlencoded")
        if isinstance(body, str):
            body = body.encode()
        if body is not None and "content-length" not in given:
            lines.append("Content-Length: %d" % len(body))
        if "connection" not in given:
            lines.append("Connection: close")
        for k, v in (headers or {}).items():
            lines.append("%s: %s" % (k, v))
        sock = _connect(scheme, host, port, timeout)
        try:
            sock.write(("\r\n".join(lines) + "\r\n\r\n").encode())
            if body:
                sock.write(body)
            status, reason, resp_headers, lower = _read_head(sock)
        except:
            sock.close()
            raise
        location = lower.get("location")
        if allow_redirects and status in _REDIRECTS and location:
            sock.close()
            hops += 1
            if hops > _MAX_REDIRECTS:
                raise TooManyRedirects("more than %d redirects, the last to %s" % (_MAX_REDIRECTS, location))
            url = _join(url, location)
            if status == 303 or status in (301, 302) and method == "POST":
                method = "HEAD" if method == "HEAD" else "GET"
                data = json = None
            continue
        length = lower.get("content-length")
        chunked = "chunked" in lower.get("transfer-encoding", "").lower()
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            length = "0"
            chunked = False
        raw = _Body(sock, None if chunked or length is None else int(length), chunked)
        return Response(raw, status, reason, resp_headers if parse_headers else {}, url)


def head(url, **kw):
    return request("HEAD", url, **kw)


def get(url, **kw):
    return request("GET", url, **kw)


def post(url, **kw):
    return request("POST", url, **kw)


def put(url, **kw):
    return request("PUT", url, **kw)


def patch(url, **kw):
    return request("PATCH", url, **kw)


def delete(url, **kw):
    return request("DELETE", url, **kw)
