# mpy: found only when the interpreter's own `js` module is closed (the
# built-in comes first whenever it is open).
raise ImportError(
    "no module named 'js': JavaScript is closed to this interpreter "
    "(MicroPython.create without { js: true }, or mpy with MPY_NET_ALLOW set)"
)
