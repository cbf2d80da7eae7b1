# mpy: uasyncio, the old name of asyncio (the Unix port freezes both).
import asyncio

from asyncio import *
from asyncio import __version__, open_connection, start_server, StreamReader, StreamWriter

