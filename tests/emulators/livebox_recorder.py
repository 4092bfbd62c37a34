#!/usr/bin/env python3
"""The Livebox emulator, plus two test hooks for tests/cli/secrets_test.py.

  --record FILE      append one JSON line per createContext: whether the password was right,
                     the SHA-256 of the password received, and the session context id and
                     cookie handed out (so a test can look for them in boxwarden's output)
  --delay-file FILE  while FILE exists, wait the seconds it holds before answering each /ws
                     call (a slow box, so that a run lasts long enough to watch its processes)

Every other argument goes to livebox_emulator.py unchanged. Binds 127.0.0.1 only (the test
passes --bind 127.0.0.1, as livebox_client.EmulatorProcess does).
"""

import hashlib
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import livebox_emulator as emu  # noqa: E402


def take(argv, name):
    if name in argv:
        i = argv.index(name)
        value = argv[i + 1]
        del argv[i:i + 2]
        return value
    return None


def main():
    argv = sys.argv[1:]
    record = take(argv, "--record")
    delay_file = take(argv, "--delay-file")
    lock = threading.Lock()

    login = emu.Emulator.login

    def recording_login(self, params):
        code, body, cookies = login(self, params)
        if record:
            pw = params.get("password")
            entry = {"ok": code == 200,
                     "pw_sha256": hashlib.sha256(pw.encode()).hexdigest() if isinstance(pw, str) else None,
                     "ctx": body.get("data", {}).get("contextID"),
                     "cookie": cookies[0].split(";", 1)[0].split("=", 1)[1] if cookies else None}
            with lock, open(record, "a") as f:
                f.write(json.dumps(entry) + "\n")
        return code, body, cookies

    emu.Emulator.login = recording_login

    do_post = emu.Handler.do_POST

    def slow_post(self):
        if delay_file and self.path == "/ws":
            try:
                with open(delay_file) as f:
                    time.sleep(float(f.read().strip() or 0))
            except OSError:
                pass
        return do_post(self)

    emu.Handler.do_POST = slow_post
    return emu.main(argv)


if __name__ == "__main__":
    sys.exit(main())
