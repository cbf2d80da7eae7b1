# mpy: the Python side of trusted JS modules (MicroPython.registerJsModule,
# host/embed/js-module-host.ts). A registered module is an object in
# sys.modules whose functions call the JS functions on the embedder's main
# thread through the host module `_mpy_jscall`; arguments and results are
# copied by the embedding's value encoding (_mpy_embed). A JS function that
# returns a promise gives a coroutine, which `await` waits for in asyncio.
import sys
import json
import _mpy_jscall
from _mpy_embed import encode, _decode

# Longest pause between two looks at a pending promise while other tasks run.
_MAX_POLL_MS = 16
# One host wait while no other task is due (the settlement wakes it at once).
_IDLE_WAIT_MS = 50


class JsError(Exception):
    # A JS function threw (or its promise was rejected): "NAME: message".
    pass


def _outcome(text, what):
    r = json.loads(text)
    if "interrupted" in r:
        # A KeyboardInterrupt is pending: a loop is where the VM raises it.
        while True:
            pass
    if "error" in r:
        raise JsError("%s: %s" % (what, r["error"]))
    if "promise" in r:
        return _settlement(r["promise"], what)
    return _decode(r["ok"])


def _settlement(token, what):
    # A coroutine (so asyncio.create_task and gather take it) that waits for
    # the promise's settlement and gives its value or raises JsError.
    from asyncio import core

    pause = 0
    while True:
        text = _mpy_jscall.poll(token)
        if not text and not core._queue and not (core._io is not None and core._io._map):
            text = _mpy_jscall.wait(token, _IDLE_WAIT_MS)
        if text:
            return _outcome(text, what)
        yield from core.sleep_ms(pause)
        pause = min(pause * 2 + 1, _MAX_POLL_MS)


class _JsModule:
    def __init__(self, name):
        self.__name__ = name

    def __repr__(self):
        return "<JS module '%s'>" % self.__name__


def _function(module, member):
    what = module + "." + member

    def call(*args):
        return _outcome(_mpy_jscall.call(module, member, encode(list(args))), what)

    return call


def install(name, functions, values):
    # Makes `import name` give the module (replacing an earlier one).
    m = _JsModule(name)
    for k in values:
        setattr(m, k, values[k])
    for k in functions:
        setattr(m, k, _function(name, k))
    sys.modules[name] = m
