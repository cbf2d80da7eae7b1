# mpy: what the runner, the embedding API and the unittest runner report about
# a finished run: the exit status and the traceback as MicroPython prints it.
import sys
import io


def exit_status(exc):
    """The Unix port's exit status for a SystemExit: None 0, an int & 255, else 1."""
    value = exc.args[0] if exc.args else None
    if value is None:
        return 0
    if type(value) is int:
        return value & 255
    return 1


def exit_message(exc):
    """What the Unix port prints on stderr for a SystemExit ending a program:
    the value when it is neither None nor an int (`sys.exit("bye")`), else None."""
    value = exc.args[0] if exc.args else None
    if value is None or type(value) is int:
        return None
    return str(value) + "\n"


def format_exception(exc, hidden):
    """The traceback as sys.print_exception prints it, without the frames whose
    file `hidden(path)` says are the host's, not the program's. A traceback
    left with no frames loses its "Traceback" header, as MicroPython prints
    an exception raised where there is no frame."""
    buf = io.StringIO()
    sys.print_exception(exc, buf)
    kept = []
    for line in buf.getvalue().split("\n"):
        if line.startswith('  File "'):
            if hidden(line[8 : line.find('"', 8)]):
                continue
        kept.append(line)
    if len(kept) > 1 and kept[0].startswith("Traceback") and not kept[1].startswith("  "):
        del kept[0]
    return "\n".join(kept)
