# mpy: found only when the interpreter's own `uctypes` module is closed (the
# built-in comes first whenever it is open).
raise ImportError(
    "no module named 'uctypes': raw memory access is closed to this interpreter "
    "(MicroPython.create without { js: true }, or mpy with MPY_NET_ALLOW set)"
)
