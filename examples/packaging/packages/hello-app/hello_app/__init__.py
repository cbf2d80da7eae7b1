import sys
import pkg_resources
import greeting


def main(name="MicroPython"):
    banner = pkg_resources.resource_stream(__name__, "banner.txt").read().decode()
    print(banner.strip())
    for line in greeting.greet(name):
        print("  " + line)
    print("(running on", sys.implementation.name, sys.implementation._mpy & 0xFF, "bytecode)")
