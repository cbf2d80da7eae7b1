# Runs mpy_cpu_bench as a program (for native MicroPython and CPython):
#   micropython main.py LOOPS REPEAT
# and prints one JSON line: the best of REPEAT timed runs, in loops per second.
import sys
import time

import mpy_cpu_bench

try:
    ticks_ms = time.ticks_ms
    ticks_diff = time.ticks_diff
except AttributeError:
    def ticks_ms():
        return time.perf_counter() * 1000

    def ticks_diff(a, b):
        return a - b

loops = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 5
best = None
check = None
mpy_cpu_bench.run(loops // 4 or 1)  # warm up
for _ in range(repeat):
    start = ticks_ms()
    check = mpy_cpu_bench.run(loops)
    ms = ticks_diff(ticks_ms(), start)
    if best is None or ms < best:
        best = ms
print('{"loops": %d, "best_ms": %s, "checksum": %d}' % (loops, best, check))
