# mpy: the Unix port's ssl module, over the host's network bridge. The
# handshake runs in the host (node:tls); certificates are verified against
# Node's roots plus NODE_EXTRA_CA_CERTS. Failures raise OSError(code, name)
# with mbedTLS's codes, as the Unix port's mbedTLS binding does (the host
# maps them, host/net/errno.ts; usocket._raise raises them).
import usocket
import _mpy_net
from _mpy_errno import EOPNOTSUPP as _EOPNOTSUPP

CERT_NONE = 0
CERT_OPTIONAL = 1
CERT_REQUIRED = 2
PROTOCOL_TLS_CLIENT = 0
PROTOCOL_TLS_SERVER = 1
MBEDTLS_VERSION = "host (Node.js TLS)"

class SSLSocket(usocket.socket):
    pass


def _wrap(sock, server_side, verify, server_hostname):
    if server_side:
        raise OSError(_EOPNOTSUPP)  # no server sockets
    if not isinstance(sock, usocket.socket):
        raise TypeError("socket expected")
    sock._check()
    r = _mpy_net.wrap(sock._id, server_hostname, 1 if verify else 0, sock._timeout)
    if r < 0:
        usocket._raise(r)
    s = SSLSocket(sock.family, fileno=sock._id)
    s._timeout = sock._timeout
    # The plain socket object is spent: the connection now belongs to s.
    sock._closed = True
    return s


class SSLContext:
    def __init__(self, protocol=PROTOCOL_TLS_CLIENT):
        if protocol not in (PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER):
            raise ValueError("protocol must be PROTOCOL_TLS_CLIENT or PROTOCOL_TLS_SERVER")
        self.protocol = protocol
        self.verify_mode = CERT_REQUIRED if protocol == PROTOCOL_TLS_CLIENT else CERT_NONE

    def load_verify_locations(self, cafile=None, cadata=None):
        # The host verifies against Node's roots and NODE_EXTRA_CA_CERTS.
        raise OSError(_EOPNOTSUPP)

    def load_cert_chain(self, certfile, keyfile=None):
        raise OSError(_EOPNOTSUPP)

    def set_ciphers(self, ciphers):
        pass

    def get_ciphers(self):
        return []

    def wrap_socket(self, sock, server_side=False, do_handshake_on_connect=True, server_hostname=None):
        return _wrap(sock, server_side, self.verify_mode != CERT_NONE, server_hostname)


def wrap_socket(sock, server_side=False, key=None, cert=None, cert_reqs=None, cadata=None, server_hostname=None, do_handshake=True):
    # The Unix port does not verify unless asked (cert_reqs=CERT_NONE by
    # default); this host verifies unless told not to with CERT_NONE.
    if key is not None or cert is not None:
        raise OSError(_EOPNOTSUPP)
    return _wrap(sock, server_side, cert_reqs != CERT_NONE, server_hostname)
