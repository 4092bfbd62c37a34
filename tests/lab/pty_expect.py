#!/usr/bin/env python3
"""Runs a command on a real pseudo-terminal and plays a person's part in it, by a script of
steps (pty_run.py, beside it, is the free-running variant: input through a FIFO, signals by pid).

    pty_expect.py [--transcript FILE] [--timeout S] STEP... -- COMMAND [ARG...]

STEP is one of
    expect:TEXT   wait until TEXT appears in what the command printed since the last expect
    send:TEXT     type TEXT (\\n, \\x03 ... are decoded: send:\\x03 is Ctrl-C through the terminal)
    sh:COMMAND    run COMMAND with /bin/sh and wait for it (e.g. change the box meanwhile)

The command gets the pty as its stdin, stdout and stderr and as its controlling terminal, as
under a person's terminal. Exit status: the command's own (128+N when killed by signal N), or
124 when a step timed out (the transcript says which). Standard library only.
"""
import argparse
import os
import pty
import select
import signal
import subprocess
import sys
import time


def main():
    argv = sys.argv[1:]
    if "--" not in argv:
        sys.exit("usage: pty_expect.py [--transcript FILE] [--timeout S] STEP... -- COMMAND [ARG...]")
    cut = argv.index("--")
    ap = argparse.ArgumentParser()
    ap.add_argument("--transcript")
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("steps", nargs="*")
    args = ap.parse_args(argv[:cut])
    command = argv[cut + 1:]

    pid, fd = pty.fork()
    if pid == 0:
        # As a terminal's shell starts it: a test run in the background of a shell without job
        # control has SIGINT ignored, and that would be inherited.
        for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        os.execvp(command[0], command)
    seen = b""
    mark = 0  # expect looks after the previous match

    def pump(wait):
        nonlocal seen
        r, _, _ = select.select([fd], [], [], wait)
        if not r:
            return True
        try:
            data = os.read(fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        seen += data
        return True

    def finish(code):
        if args.transcript:
            with open(args.transcript, "wb") as f:
                f.write(seen)
        sys.exit(code)

    for step in args.steps:
        kind, _, text = step.partition(":")
        if kind == "expect":
            want = text.encode()
            end = time.monotonic() + args.timeout
            while seen.find(want, mark) < 0:
                if time.monotonic() > end or not pump(0.1) and seen.find(want, mark) < 0:
                    seen += b"\n[pty_expect: timed out waiting for " + want + b"]\n"
                    try:
                        os.kill(pid, 9)
                    except ProcessLookupError:
                        pass
                    finish(124)
            mark = seen.find(want, mark) + len(want)
        elif kind == "send":
            os.write(fd, text.encode().decode("unicode_escape").encode("latin-1"))
        elif kind == "sh":
            subprocess.run(["/bin/sh", "-c", text], check=False)
        else:
            sys.exit("pty_expect.py: unknown step " + step)
    end = time.monotonic() + args.timeout
    while pump(0.1):
        if time.monotonic() > end:
            seen += b"\n[pty_expect: the command did not end]\n"
            os.kill(pid, 9)
            break
    _, status = os.waitpid(pid, 0)
    finish(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


if __name__ == "__main__":
    main()
