# pkg_resources for mpy: resource_stream(), as micropython-lib's module
# behaves, written for this project.
#
# A package's resources come from its resource module PACKAGE.R (a dict `R`
# from resource path to bytes, written by `mpy sdist` or `mpy bin2res`) when
# that module can be imported, whether as R.py or compiled R.mpy. Otherwise
# the resource is the file of that name beside the package. A resource missing
# from R raises KeyError; a missing file raises OSError (ENOENT).

# uio: the built-in io, which an io.py on the user's path cannot replace.
import uio as io

_sources = {}


def _package_dir(package):
    if not package:
        return "."
    mod = __import__(package, None, None, True)
    path = getattr(mod, "__path__", None)
    if path is not None:
        if not isinstance(path, str):
            path = path[0]
        return path
    f = mod.__file__
    i = f.rfind("/")
    return f[:i] if i > 0 else ("/" if i == 0 else ".")


def _source(package):
    src = _sources.get(package)
    if src is None:
        try:
            if package:
                src = __import__(package + ".R", None, None, True).R
            else:
                src = __import__("R").R
        except ImportError:
            src = _package_dir(package) + "/"
        _sources[package] = src
    return src


def resource_stream(package, resource):
    src = _source(package)
    if isinstance(src, dict):
        return io.BytesIO(src[resource])
    return open(src + resource, "rb")
