# mpy: CPython-style name of usocket (the Unix port has both).
from usocket import *
from usocket import _raise, socket, stats
