# mpy: the Python side of the embedding API (host/embed). The worker keeps
# `run` (below) and calls it for each request without compiling anything: it
# does the request in `__main__` and returns a plain value as it is, or one
# reply text.
#
# Values cross as JSON with tags (the same encoding as host/embed/codec.ts):
# None, bools, ints within +-(2**53 - 1), finite floats, strs and lists are
# plain JSON (tuples become lists); everything else is an object
# {"t": TAG, "v": PAYLOAD}: "i" big int (decimal text), "f" nan/inf/-inf,
# "b" bytes-like (hex: C-fast on this build), "o" dict with only str keys (a JSON object),
# "m" any other dict ([[key, value], ...]), "s" set or frozenset (a list);
# from JS only, "h" a PyHandle (its number in the handle table below).
import sys
import json
import gc
import _mpy_boot
from _mpy_outcome import exit_status, format_exception

_LIB = _mpy_boot.LIB + "/"
_MAX_SAFE = 9007199254740991
# The reply for an error that there is no heap left to report (a constant: it needs none).
_OUT_OF_MEMORY = '{"error":["MemoryError","MemoryError: memory allocation failed (no heap left for the traceback)\\n"]}'
_MAX_DEPTH = 200
_INF = float("inf")


def _main():
    import __main__

    return __main__.__dict__


def _encode(v, depth):
    if depth > _MAX_DEPTH:
        raise ValueError("value nests too deeply to convert to JS (a cycle?)")
    if v is None or v is True or v is False:
        return v
    if isinstance(v, int):
        if -_MAX_SAFE <= v <= _MAX_SAFE:
            return v
        return {"t": "i", "v": str(v)}
    if isinstance(v, float):
        if v != v:
            return {"t": "f", "v": "nan"}
        if v == _INF or v == -_INF:
            return {"t": "f", "v": "inf" if v > 0 else "-inf"}
        return v
    if isinstance(v, str):
        return v
    if isinstance(v, (bytes, bytearray, memoryview)):
        return {"t": "b", "v": bytes(v).hex()}
    depth += 1
    if isinstance(v, (list, tuple)):
        return [_encode(x, depth) for x in v]
    if isinstance(v, dict):
        for k in v:
            if not isinstance(k, str):
                return {"t": "m", "v": [[_encode(k, depth), _encode(x, depth)] for k, x in v.items()]}
        return {"t": "o", "v": {k: _encode(x, depth) for k, x in v.items()}}
    if isinstance(v, (set, frozenset)):
        return {"t": "s", "v": [_encode(x, depth) for x in v]}
    raise TypeError("cannot convert '%s' to a JS value" % type(v).__name__)


def _hashable(v):
    if isinstance(v, list):
        return tuple(_hashable(x) for x in v)
    return v


def _decode(v):
    if isinstance(v, list):
        return [_decode(x) for x in v]
    if not isinstance(v, dict):
        return v
    tag = v["t"]
    p = v["v"]
    if tag == "o":
        return {k: _decode(x) for k, x in p.items()}
    if tag == "m":
        return {_hashable(_decode(k)): _decode(x) for k, x in p}
    if tag == "i":
        return int(p)
    if tag == "f":
        return float(p)
    if tag == "b":
        return bytes.fromhex(p)
    if tag == "s":
        return set(_hashable(_decode(x)) for x in p)
    if tag == "h":
        return _held(p)
    raise ValueError("unknown value tag " + repr(tag))


def encode(value):
    """The JSON text of `value` in the tagged encoding."""
    return json.dumps(_encode(value, 0))


def decode(text):
    """The value of a JSON text in the tagged encoding."""
    return _decode(json.loads(text))


def _ours(path):
    # The host's own modules (this one, the import ranking) in mpy's lib directory.
    return path.startswith(_LIB) and path[len(_LIB) :].startswith("_mpy_")


def _resolve(target):
    parts = target.split(".")
    g = _main()
    head = parts[0]
    if head in g:
        obj = g[head]
    else:
        import builtins

        if hasattr(builtins, head):
            obj = getattr(builtins, head)
        else:
            obj = __import__(head)
    name = head
    for part in parts[1:]:
        name = name + "." + part
        if hasattr(obj, part):
            obj = getattr(obj, part)
        elif type(obj) is type(sys):
            try:
                __import__(name)
            except ImportError as e:
                if "'" + name + "'" not in str(e):
                    raise
                raise AttributeError("module '%s' has no attribute '%s'" % (name[: -len(part) - 1], part))
            obj = sys.modules[name]
        else:
            raise AttributeError("'%s' has no attribute '%s'" % (name[: -len(part) - 1], part))
    return obj


# Compiled code by source text, so that a call repeated with the same code
# (the usual case in a test harness's loop) compiles once. A code object is
# run against the globals given when it runs, so reusing one changes nothing
# but the time. Bounded: short sources only, and emptied when full.
_CACHED_SOURCE_MAX = 2048
_CACHED_ENTRIES = 256
_compiled = ({}, {})


def _compile(source, mode):
    cache = _compiled[mode == "eval"]
    code = cache.get(source)
    if code is None:
        code = compile(source, "<string>", mode)
        if len(source) <= _CACHED_SOURCE_MAX:
            if len(cache) >= _CACHED_ENTRIES:
                cache.clear()
            cache[source] = code
    return code


def _op_exec(req):
    exec(_compile(req["code"], "exec"), _main())


def _op_eval(req):
    return eval(_compile(req["code"], "eval"), _main())


def _op_call(req):
    args = decode(req["args"])
    kwargs = decode(req["kwargs"])
    return _resolve(req["target"])(*args, **kwargs)


def _op_get(req):
    return _resolve(req["target"])


def _op_import(req):
    name = req["target"]
    top = __import__(name)
    _main()[name.split(".")[0]] = top


def _op_globals(req):
    # mp.globals: `get` answers [found, value] (a missing name is not an error there).
    g = _main()
    name = req["name"]
    action = req["action"]
    if action == "get":
        return [True, g[name]] if name in g else [False]
    if action == "has":
        return name in g
    if action == "set":
        g[name] = decode(req["value"])
    elif name in g:
        del g[name]
    else:
        raise NameError("name '%s' isn't defined" % name)


# Handles (host/embed/py-handle.ts): objects a caller keeps by number. The
# table holds them alive until the caller releases them or the instance ends.
_handles = {}
_last_handle = 0


def _held(hid):
    if hid not in _handles:
        raise ValueError("PyHandle %d was released" % hid)
    return _handles[hid]


def _result(req, value):
    # The reply's value; with "handle", {"value": V} or {"handle": [ID, TYPE]}
    # for a value the encoding cannot copy.
    return _result_as(req.get("handle"), value)


def _result_as(handle, value):
    if not handle:
        return encode(value)
    try:
        return '{"t":"o","v":{"value":' + encode(value) + "}}"
    except (TypeError, ValueError):
        global _last_handle
        _last_handle += 1
        _handles[_last_handle] = value
        return '{"t":"o","v":{"handle":[%d,%s]}}' % (_last_handle, json.dumps(type(value).__name__))


def _op_hcall(req):
    return _held(req["ref"])(*decode(req["args"]), **decode(req["kwargs"]))


def _op_hget(req):
    return getattr(_held(req["ref"]), req["attr"])


def _op_hrepr(req):
    return repr(_held(req["ref"]))


def _op_hrelease(req):
    _handles.pop(req["ref"], None)


def _op_run_async(req):
    # The code comes as the body of an async def (host/embed/async-source.ts):
    # the version returning the last expression's value, if that compiles.
    import asyncio

    code = None
    if req["withReturn"] is not None:
        try:
            code = compile(req["withReturn"], "<mpy-async>", "exec")
        except SyntaxError:
            pass
    if code is None:
        code = compile(req["plain"], "<mpy-async>", "exec")
    g = _main()
    exec(code, g)
    return asyncio.run(g.pop("__mpy_async_main__")())


_OPS = {"exec": _op_exec, "eval": _op_eval, "call": _op_call, "get": _op_get, "import": _op_import, "globals": _op_globals}
_OPS["runAsync"] = _op_run_async


def _op_js_module(req):
    import _mpy_jsmodule

    _mpy_jsmodule.install(req["name"], req["functions"], decode(req["values"]))


_OPS["jsModule"] = _op_js_module
_OPS.update({"handle.call": _op_hcall, "handle.get": _op_hget, "handle.repr": _op_hrepr, "handle.release": _op_hrelease})


# The fallback wasm (the official build, used when mpy's optimised one could
# not be built) collects garbage only at the end of a top-level run in which a
# collection was asked for (every 16 KiB allocated, or a failed allocation).
# Under a bounded heap, garbage a caller releases in a small call
# (`data = None`) would stay until an allocation fails once more. So once a
# MemoryError has been seen, every call asks for a collection at its end.
hit_limit = False

# Ints the host's call path reads directly (the C side passes them as int32).
_I32 = 2147483648


def _plain_result(value):
    # run()'s value: None, a bool, an int32 or a float as it is (JS reads it
    # directly); a str as "s" + the str; anything else as a reply text.
    if value is None or value is True or value is False or isinstance(value, float):
        return value
    if isinstance(value, int) and -_I32 <= value < _I32:
        return value
    if isinstance(value, str):
        return "s" + value
    return '{"ok":' + encode(value) + "}"


# run()'s operations (host/embed/worker.ts passes their numbers).
_EXEC = 0
_EVAL = 1
_GET = 2
_CALL = 3


def run(op, handle, *args):
    """The call path host/embed/worker.ts keeps and calls without compiling
    anything: op _EXEC or _EVAL (code), _GET (target), _CALL (target, plain
    arguments), or any other number for a request given as JSON text. Returns
    a plain value as it is, a str as "s" + it, else a reply text:
    {"ok": VALUE}, {"exit": N} or {"error": [TYPE, TRACEBACK]}."""
    global hit_limit
    try:
        if op == _EVAL:
            value = eval(_compile(args[0], "eval"), _main())
        elif op == _EXEC:
            exec(_compile(args[0], "exec"), _main())
            value = None
        elif op == _CALL:
            value = _resolve(args[0])(*args[1:])
        elif op == _GET:
            value = _resolve(args[0])
        else:
            req = json.loads(args[0])
            handle = req.get("handle")
            value = _OPS[req["op"]](req)
        out = '{"ok":' + _result_as(True, value) + "}" if handle else _plain_result(value)
    except SystemExit as e:
        out = '{"exit":%d}' % exit_status(e)
    except BaseException as e:
        hit_limit = hit_limit or isinstance(e, MemoryError)
        try:
            out = json.dumps({"error": [type(e).__name__, format_exception(e, _ours)]})
        except MemoryError:
            # No heap left to describe it (the program's data fills it): a
            # MemoryError out of here would reach the C side with no handler.
            hit_limit = True
            out = _OUT_OF_MEMORY
    if hit_limit:
        gc.collect()
    return out

