#!/usr/bin/env python3
"""SIGTERM while `vpn setup` adds its forward (issue 12, item 1), on the Livebox emulator
(127.0.0.1 only, BOXWARDEN_NETNS=@loopback): the emulator makes the change, then holds its
answer (fault "hang-after", 2 s); the signal arrives while the request is in flight (the
emulator's log shows the call: an event, not a guess). boxwarden lets the request finish, starts
no new change, removes the forward it made, checks the box, keeps no file and exits 5.
Environment: BOXWARDEN (the binary).
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
IN_NETNS = "VPN_INTERRUPT_IN_NETNS"
if __name__ == "__main__" and not os.environ.get(IN_NETNS) and shutil.which("unshare"):
    # Our own loopback, nothing else: run again inside a private network namespace.
    if subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0:
        os.execvpe("unshare", ["unshare", "-rn", "sh", "-c", 'ip link set lo up 2>/dev/null; exec "$@"', "sh",
                               sys.executable, os.path.abspath(__file__)] + sys.argv[1:],
                   dict(os.environ, **{IN_NETNS: "1"}))
sys.path.insert(0, os.path.join(HERE, "..", "emulators"))
from livebox_client import EmulatorProcess  # noqa: E402

BOXWARDEN = os.environ.get("BOXWARDEN", "")
PASSWORD = "vpn-interrupt-pw"
PC = "192.168.1.10"
CALL = "Firewall:setPortForwarding"


@unittest.skipUnless(BOXWARDEN and os.access(BOXWARDEN, os.X_OK), "BOXWARDEN must name the built binary")
class VpnInterrupt(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="bw-vpn-int-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        scenario = {"password": PASSWORD, "port_forwards": {}, "dmz": {}}
        self.emu = EmulatorProcess(scenario, ("--throttle", "1", "--hang-seconds", "2"), workdir=self.dir).start()
        self.addCleanup(self.emu.stop)
        self.pwfile = os.path.join(self.dir, "pw")
        with open(self.pwfile, "w") as f:
            f.write(PASSWORD + "\n")
        os.chmod(self.pwfile, 0o600)

    def test_sigterm_while_the_forward_is_added(self):
        before = self.emu.state()
        self.emu.fail(CALL, "hang-after", 1)
        out = os.path.join(self.dir, "vpn")
        env = dict(os.environ, HOME=self.dir, BOXWARDEN_NETNS="@loopback", NO_COLOR="1",
                   BOXWARDEN_LOCK_DIR=os.path.join(self.dir, "locks"))
        env.pop("BOXWARDEN_PASSWORD", None)
        p = subprocess.Popen([BOXWARDEN, "--gateway", "127.0.0.1:%d" % self.emu.port, "--vendor", "livebox",
                              "--password-file", self.pwfile, "--state-dir", os.path.join(self.dir, "state"),
                              "--yes", "vpn", "setup", "--host", PC, "--peer", "doctor", "--out", out],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=env)
        self.addCleanup(lambda: p.poll() is None and p.kill())
        end = time.monotonic() + 30
        while not any(c["call"] == CALL for c in self.emu.calls()):
            self.assertIsNone(p.poll(), "boxwarden ended before adding the forward")
            self.assertLess(time.monotonic(), end, "no %s call within 30 s" % CALL)
            time.sleep(0.02)
        p.send_signal(signal.SIGTERM)
        stdout, stderr = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 5, stdout + stderr)
        self.assertIn("interrupted (SIGTERM): no new change will start", stderr)
        self.assertIn("interrupted by SIGTERM: the box was put back as it was and checked, and no file was kept",
                      stderr)
        calls = [c["call"] for c in self.emu.calls()]
        self.assertEqual(calls.count(CALL), 1, calls)  # no new change after the signal...
        self.assertIn("Firewall:deletePortForwarding", calls)  # ...and the one made was undone
        self.assertEqual(self.emu.state()["port_forwards"], {})
        self.assertEqual(self.emu.state()["port_forwards"], before["port_forwards"])
        self.assertFalse(os.path.exists(out))
        self.assertTrue(stdout == "" or stdout.endswith("\n"), stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
