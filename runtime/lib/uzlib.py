# mpy: the pre-1.21 `uzlib` module, for code such as upip that still imports it,
# on top of this build's `deflate` module.
# uio: the built-in io, which an io.py on the user's path cannot replace.
import uio as io
import deflate


def _format(wbits):
    # uzlib's convention: 16+N is gzip, a negative value raw deflate, otherwise zlib
    # (0 takes the window size from the stream header).
    if wbits >= 16 + 8:
        return deflate.GZIP, wbits - 16
    if wbits < 0:
        return deflate.RAW, -wbits
    return deflate.ZLIB, wbits


def DecompIO(stream, wbits=0):
    fmt, window = _format(wbits)
    return deflate.DeflateIO(stream, fmt, window)


def decompress(data, wbits=0, bufsize=0):
    with DecompIO(io.BytesIO(data), wbits) as f:
        return f.read()
