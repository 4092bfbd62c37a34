#!/usr/bin/env python3
"""Run a command under a real pseudo-terminal, for tests that need a person at a terminal.

    pty_run.py --log FILE --pid FILE --rc FILE --input FIFO [--timeout S] -- CMD ARGS...

The command is the session leader and the foreground process group of a new pty (so a
Ctrl-C typed on the terminal reaches it as SIGINT from the terminal driver itself). Everything
it writes to the terminal is copied to --log as it comes; bytes written to the --input FIFO
are typed on the terminal (printf '\\003' >FIFO is Ctrl-C). Its pid goes to --pid before it
runs; when it ends, its status goes to --rc as a shell would show it (the exit code, or 128+N
when signal N killed it), and the terminal's ECHO flag, as left, to --rc's "echo=" line.
After --timeout seconds it is killed (SIGKILL) and the status is "timeout".
Standard library only.
"""

import argparse
import os
import pty
import select
import signal
import sys
import termios
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--pid", required=True)
    ap.add_argument("--rc", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        ap.error("no command")
    # Opened read-write: never sees end of file when a writer closes, and never blocks here.
    fifo = os.open(a.input, os.O_RDWR | os.O_NONBLOCK)
    pid, master = pty.fork()
    if pid == 0:
        try:
            # As a terminal's shell would start it: a test started in the background (`&`) of a
            # shell without job control has SIGINT and SIGQUIT ignored, and they are inherited.
            for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, signal.SIG_DFL)
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    with open(a.pid + ".tmp", "w") as f:
        f.write(f"{pid}\n")
    os.rename(a.pid + ".tmp", a.pid)
    deadline = time.monotonic() + a.timeout
    status = None
    with open(a.log, "ab", buffering=0) as log:
        while True:
            if status is None:
                done, st = os.waitpid(pid, os.WNOHANG)
                if done:
                    status = st
            try:
                ready, _, _ = select.select([master, fifo], [], [], 0.05)
            except InterruptedError:
                continue
            if fifo in ready:
                data = os.read(fifo, 1024)
                if data:
                    os.write(master, data)
            got = False
            if master in ready:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    data = b""
                if data:
                    log.write(data)
                    got = True
            if status is not None and not got:
                break
            if status is None and time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                with open(a.rc, "w") as f:
                    f.write("timeout\n")
                return 1
    echo = "unknown"
    try:
        echo = "on" if termios.tcgetattr(master)[3] & termios.ECHO else "off"
    except termios.error:
        pass
    rc = os.waitstatus_to_exitcode(status)
    rc = 128 - rc if rc < 0 else rc
    with open(a.rc + ".tmp", "w") as f:
        f.write(f"{rc}\necho={echo}\n")
    os.rename(a.rc + ".tmp", a.rc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
