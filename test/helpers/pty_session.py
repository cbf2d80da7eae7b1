"""Drives a command in a pseudo-terminal for the REPL tests.

usage: python3 pty_session.py SCRIPT.json -- COMMAND [ARGS...]

SCRIPT.json is a list of steps: {"expect": "text"} waits (up to the step
timeout) until the accumulated output contains the text after the previous
match; {"send": "text"} writes keystrokes. At the end it waits for the child to
exit and prints a JSON object {"status": N, "failure": WHY or null,
"failedStep": INDEX or null, "transcript": "..."} on stdout.
"""
import json
import os
import pty
import select
import sys
import time

STEP_TIMEOUT = float(os.environ.get("PTY_STEP_TIMEOUT", "20"))


def main():
    sep = sys.argv.index("--")
    steps = json.load(open(sys.argv[1]))
    cmd = sys.argv[sep + 1 :]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    out = b""
    seen = 0
    status = None
    failure = None
    failed_step = None

    def pump(deadline):
        nonlocal out
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([fd], [], [], left)
        if fd in r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return False
            if not data:
                return False
            out += data
        return True

    for index, step in enumerate(steps):
        if "send" in step:
            os.write(fd, step["send"].encode("utf-8"))
            continue
        want = step["expect"].encode("utf-8")
        deadline = time.monotonic() + STEP_TIMEOUT
        while out.find(want, seen) < 0:
            if not pump(deadline):
                failure = "timed out waiting for %r" % step["expect"]
                failed_step = index
                break
        if failure:
            break
        seen = out.find(want, seen) + len(want)
    deadline = time.monotonic() + STEP_TIMEOUT
    open_pty = True
    while status is None:
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(st)
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            failure = failure or "child did not exit"
            continue
        if open_pty:
            open_pty = pump(deadline)
        else:
            time.sleep(0.01)  # pty closed: poll for the exit status
    while pump(time.monotonic() + 0.05):
        pass
    report = {"status": status, "failure": failure, "failedStep": failed_step, "transcript": out.decode("utf-8", "replace")}
    print(json.dumps(report))


main()
