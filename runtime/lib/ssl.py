# mpy: CPython-style name of ussl (the Unix port has both).
from ussl import *
