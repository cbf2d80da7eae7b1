# mpy: an empty module; _mpy_run imports it for a fresh module object to run a compiled __main__ in.
