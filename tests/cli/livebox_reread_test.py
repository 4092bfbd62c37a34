#!/usr/bin/env python3
"""Issue 12, case 4 on the Livebox emulator (127.0.0.1): the box changes while the person reads
the plan. fix runs on a real pseudo-terminal (tests/lab/pty_expect.py); at the [y/N] prompt another
client re-points the Remote Desktop rule to the laptop through the box's own /ws API. fix must
read again after the yes, say what changed, ask again, and back up and act on the new read:
rollback then puts back the re-pointed rule, not the one it replaced.
"""

import json
import os
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from livebox_cli_test import BOXWARDEN, PASSWORD, LiveboxCliBase  # noqa: E402

PTY_RUN = os.path.join(HERE, "..", "lab", "pty_expect.py")
RDP = "webui_Bureau a distance"


def repoint_command(port):
    """A shell command: log in to the emulator as another client and re-point the RDP rule."""
    code = (
        "import sys; sys.path.insert(0, %r)\n"
        "from livebox_client import WsSession\n"
        "s = WsSession(%d); s.login(%r)\n"
        "r = s.call('Firewall', 'setPortForwarding', {'id': %r, 'origin': 'webui', 'sourceInterface': 'data',"
        " 'internalPort': '3389', 'externalPort': '3389', 'destinationIPAddress': '192.168.1.20',"
        " 'protocol': '6', 'description': 'LaptopRDP', 'enable': True})\n"
        "s.call('Firewall', 'commit', {})\n"
    ) % (os.path.join(HERE, "..", "emulators"), port, PASSWORD, RDP)
    return "%s -c %s" % (shlex.quote(sys.executable), shlex.quote(code))


class LiveboxReread(LiveboxCliBase):
    def fix_on_pty(self, *steps):
        transcript = os.path.join(self.dir, "pty")
        cmd = [sys.executable, PTY_RUN, "--timeout", "60", "--transcript", transcript, *steps, "--",
               BOXWARDEN, "--gateway", "127.0.0.1:%d" % self.emu.port, "--vendor", "livebox",
               "--password-file", self.pwfile, "--state-dir", self.state_dir, "--no-color",
               "--profile", "medical-practice", "fix"]
        env = dict(os.environ, HOME=self.dir)
        env.pop("BOXWARDEN_PASSWORD", None)
        p = subprocess.run(cmd, env=env, timeout=120)
        with open(transcript, encoding="utf-8", errors="replace") as f:
            text = f.read()
        self.assertNotIn(PASSWORD, text)
        return p.returncode, text

    def test_repointed_rule_is_shown_backed_up_and_restored_as_it_now_is(self):
        rc, text = self.fix_on_pty("expect:[y/N]", "sh:" + repoint_command(self.emu.port), "send:y\n",
                                   "expect:The box changed while you were reading", "expect:[y/N]", "send:y\n")
        self.assertEqual(rc, 1, text)  # fixed; the ISP's cwmp rule stays, a manual step
        self.assertIn("changed: TCP port 3389 now goes to 192.168.1.20 port 3389 (\"LaptopRDP\"); "
                      "it went to 192.168.1.10 port 3389", text)
        self.assertEqual(text.count("[y/N]"), 2, text)
        repointed = self.emu.state()["port_forwards"]
        self.assertTrue(self.fixed(self.emu.state()), self.emu.state())
        backups = self.backups()
        self.assertEqual(len(backups), 1)
        with open(os.path.join(self.state_dir, "backups", backups[0])) as f:
            saved = json.load(f)
        rdp = [f for f in saved["state"]["port_forwards"] if f["external_port"] == 3389]
        self.assertEqual([(f["internal_host"], f["description"]) for f in rdp], [("192.168.1.20", "LaptopRDP")])
        del repointed  # the rule was deleted by the fix; rollback must bring back the laptop's
        p = self.bw("--yes", "rollback")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        rule = self.emu.state()["port_forwards"][RDP]
        self.assertEqual((rule["DestinationIPAddress"], rule["Description"]), ("192.168.1.20", "LaptopRDP"))

    def test_no_at_the_second_question_changes_nothing(self):
        rc, text = self.fix_on_pty("expect:[y/N]", "sh:" + repoint_command(self.emu.port), "send:y\n",
                                   "expect:The box changed while you were reading", "expect:[y/N]", "send:n\n")
        self.assertEqual(rc, 1, text)
        self.assertIn("nothing was changed", text)
        self.assertEqual(self.backups(), [])
        writes = [c["call"] for c in self.writes()]
        self.assertEqual(writes, ["Firewall:setPortForwarding", "Firewall:commit"], "only the other client's")
        self.assertEqual(self.emu.state()["port_forwards"][RDP]["DestinationIPAddress"], "192.168.1.20")

    def test_unchanged_box_is_asked_once(self):
        rc, text = self.fix_on_pty("expect:[y/N]", "send:y\n")
        self.assertEqual(rc, 1, text)
        self.assertEqual(text.count("[y/N]"), 1, text)
        self.assertNotIn("The box changed", text)
        self.assertTrue(self.fixed(self.emu.state()), self.emu.state())


if __name__ == "__main__":
    if not (BOXWARDEN and os.access(BOXWARDEN, os.X_OK)):
        sys.exit("BOXWARDEN must name the built binary")
    import ci_guard  # a skip fails under CI
    ci_guard.main()
