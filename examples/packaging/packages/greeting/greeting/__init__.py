import pkg_resources
import tinywrap


def template():
    with pkg_resources.resource_stream(__name__, "templates/hello.txt") as f:
        return f.read().decode()


def greet(name, width=32):
    return tinywrap.wrap(template().strip().replace("{name}", name), width)
