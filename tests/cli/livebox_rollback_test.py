#!/usr/bin/env python3
"""Backups with an outcome and a rollback that asks knowingly (issue 12 items 2, 5, 6), against
the Livebox emulator on 127.0.0.1 (BOXWARDEN_NETNS=@loopback: boxwarden refuses any other
address).

(a) a fix killed (SIGKILL) while a step hangs leaves its backup "in-progress" and the box
    half-changed; a second fix completes; plain `rollback --yes` restores both, newest first,
    and the emulator's state is exactly as before the first fix; `backups` shows the outcomes.
    When the newest restore fails, the older one is not attempted: exit 5, both named as still
    to restore, outcomes unchanged; run again, both restored.
(b) `rollback` through a real pseudo-terminal lists what it puts back and warns of each
    opening with its severity under the profile; "n" changes nothing.
(c) nothing to restore: exit 0 and no question, through a terminal.
(d) an edited backup (internal_host "not-an-ip", {"format":1}): exit 2 with the field named,
    and nothing at all is sent to the box.
"""

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
import unittest

from schema_check import validate  # tests/cli/schema_check.py: the shipped JSON Schemas

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import livebox_cli_test as base  # noqa: E402

EDITED = "this file was not written by boxwarden or was edited"
os.environ["BOXWARDEN_NETNS"] = "@loopback"  # boxwarden refuses any address outside 127.0.0.0/8


class Terminal:
    """boxwarden on a pseudo-terminal (stdin, stdout and stderr): what a person sees."""

    def __init__(self, cmd, env):
        self.master, slave = os.openpty()
        self.proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        self.seen = b""

    def read_until(self, text, timeout=60):
        """Reads until `text` was printed (True) or the program ended without it (False)."""
        end = time.monotonic() + timeout
        while text.encode() not in self.seen:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError("timed out waiting for %r; saw:\n%s" % (text, self.text()))
            ready, _, _ = select.select([self.master], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # EIO: the program ended and closed the terminal
                chunk = b""
            if not chunk:
                return False
            self.seen += chunk
        return True

    def send(self, text):
        os.write(self.master, text.encode())

    def finish(self, timeout=60):
        self.read_until("\0never printed\0", timeout)
        code = self.proc.wait(timeout)
        os.close(self.master)
        return code

    def text(self):
        return self.seen.decode(errors="replace")

    def close(self):
        """Cleanup: a program still waiting (a failed test) is killed, by its own pid."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        try:
            os.close(self.master)
        except OSError:
            pass


@unittest.skipUnless(base.BOXWARDEN and os.access(base.BOXWARDEN, os.X_OK), "BOXWARDEN must name the built binary")
class LiveboxRollback(base.LiveboxCliBase):
    def command(self, *args, profile="medical-practice"):
        return [base.BOXWARDEN, "--gateway", "127.0.0.1:%d" % self.emu.port, "--vendor", "livebox",
                "--password-file", self.pwfile, "--state-dir", self.state_dir, "--profile", profile] + list(args)

    def env(self):
        env = dict(os.environ, HOME=self.dir, BOXWARDEN_NETNS="@loopback", LC_ALL="C.UTF-8")
        env.pop("BOXWARDEN_PASSWORD", None)
        return env

    def outcomes(self):
        p = self.bw("--format", "json", "backups")
        self.assertEqual(p.returncode, 0, p.stderr)
        return [b["outcome"] for b in validate(json.loads(p.stdout), "backups")["backups"]]

    def backup_path(self, i=0):
        return os.path.join(self.state_dir, "backups", self.backups()[i])

    def terminal(self, *args):
        t = Terminal(self.command(*args), self.env())
        self.addCleanup(t.close)
        return t

    # (a) ------------------------------------------------------------------------------------
    def killed_then_completed(self):
        """A fix killed while its second deletion hangs, then a fix that completes."""
        before = self.emu.state()
        # The second port-forward deletion hangs: the first one is done, the box half-changed.
        self.emu.control("POST", "/_emu/fail", {"call": "Firewall:deletePortForwarding", "kind": "hang",
                                                "count": 1, "skip": 1})
        env = self.env()
        run = subprocess.Popen(self.command("--yes", "fix"), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while not any(c.get("fault") == "hang" for c in self.emu.calls()):
                self.assertIsNone(run.poll(), "the fix ended before the hanging step")
                self.assertLess(time.monotonic(), deadline, "the hanging step never came")
                time.sleep(0.05)  # polling the emulator's log for the event
            os.kill(run.pid, signal.SIGKILL)
        finally:
            run.communicate(timeout=30)
        self.assertEqual(run.returncode, -signal.SIGKILL)
        half = self.emu.state()
        self.assertEqual(len(half["port_forwards"]), len(before["port_forwards"]) - 1, half)
        self.assertEqual(self.outcomes(), ["in-progress"])
        p = self.bw("backups")
        self.assertRegex(p.stdout, r"in-progress +box 127\.0\.0\.1")

        # The second fix reads the half-changed box and completes.
        self.emu.clear()
        p = self.bw("--yes", "fix")
        self.assertEqual(p.returncode, base.FIXED_EXIT, p.stdout + p.stderr)
        self.assertTrue(self.fixed(self.emu.state()), self.emu.state())
        self.assertEqual(self.outcomes(), ["in-progress", "completed"])
        return before

    # (a) ------------------------------------------------------------------------------------
    def test_a_killed_fix_then_a_completed_fix_are_both_rolled_back(self):
        before = self.killed_then_completed()

        # Plain rollback restores both, newest first, and says why.
        p = self.bw("--yes", "rollback")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(self.emu.state(), before)
        first, second = self.backup_path(0), self.backup_path(1)
        self.assertLess(p.stdout.index("Restoring " + second), p.stdout.index("Restoring " + first), p.stdout)
        self.assertIn("Restoring %s (unfinished: the run was cut short on " % first, p.stdout)
        self.assertIn("Restoring %s (the last completed fix, on " % second, p.stdout)
        self.assertEqual(self.outcomes(), ["rolled-back", "rolled-back"])
        with open(first) as f:
            self.assertRegex(json.load(f)["rolled_back_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(os.stat(first).st_mode & 0o777, 0o600)
        self.assert_no_bulk_delete()

        # Nothing is left to restore.
        self.emu.clear()
        p = self.bw("--yes", "rollback")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("nothing to restore", p.stdout)
        self.assertEqual(self.writes(), [])

    def test_a_a_failed_restore_stops_and_names_what_remains(self):
        before = self.killed_then_completed()
        fixed = self.emu.state()
        self.emu.clear()
        # The newest backup's restore fails at its port forward: taken back, the older one is
        # not attempted.
        self.emu.fail("Firewall:setPortForwarding")
        p = self.bw("--yes", "rollback")
        self.assertEqual(p.returncode, 5, p.stdout + p.stderr)
        first, second = self.backup_path(0), self.backup_path(1)
        self.assertNotIn("Restoring " + first, p.stdout)
        self.assertIn("still to restore: %s %s" % (second, first), p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        self.assertEqual(self.emu.state(), fixed)
        self.assertEqual(self.outcomes(), ["in-progress", "completed"])
        # Run again, as it says: both restored.
        p = self.bw("--yes", "rollback")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(self.emu.state(), before)
        self.assertEqual(self.outcomes(), ["rolled-back", "rolled-back"])

    # (b) ------------------------------------------------------------------------------------
    def test_b_the_question_lists_what_comes_back_and_warns_of_each_opening(self):
        p = self.bw("--yes", "fix")
        self.assertEqual(p.returncode, base.FIXED_EXIT, p.stdout + p.stderr)
        fixed = self.emu.state()
        self.emu.clear()
        t = self.terminal("rollback")
        self.assertTrue(t.read_until("[y/N]"), t.text())
        shown = t.text()
        self.assertIn("Reopen TCP port 3389 (forwarded to 192.168.1.10)", shown)
        self.assertIn("Reopen TCP port 11112 (forwarded to 192.168.1.10)", shown)
        self.assertIn("Switch the DMZ back on (it sends everything to 192.168.1.10)", shown)
        self.assertIn("Switch UPnP back on", shown)
        # Each opening, with its severity under the profile (judged on the saved state).
        self.assertRegex(shown, r"Reopen TCP port 3389 \(forwarded to 192\.168\.1\.10\)\s+warning: this re-opens: .*"
                                r"remote desktop.*: critical under medical-practice \(EXPOSE-SERVICE\)")
        self.assertRegex(shown, r"Switch the DMZ back on \(it sends everything to 192\.168\.1\.10\)\s+warning: this re-opens: .*DMZ.*: critical under medical-practice "
                                r"\(EXPOSE-DMZ\)")
        t.send("n\n")
        self.assertEqual(t.finish(), 0, t.text())
        self.assertIn("nothing was changed", t.text())
        self.assertEqual(self.emu.state(), fixed)
        self.assertEqual(self.writes(), [])
        self.assertEqual(self.outcomes(), ["completed"])

    def test_b_json_lists_the_same_items(self):
        p = self.bw("--yes", "fix")
        self.assertEqual(p.returncode, base.FIXED_EXIT, p.stdout + p.stderr)
        self.emu.clear()
        p = self.bw("--format", "json", "--dry-run", "rollback")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        items = {i["summary"]: (i["severity"], i["rule"]) for i in doc["restore"]}
        self.assertEqual(items["Reopen TCP port 3389 (forwarded to 192.168.1.10)"], ("critical", "EXPOSE-SERVICE"))
        self.assertEqual(items["Switch the DMZ back on (it sends everything to 192.168.1.10)"], ("critical", "EXPOSE-DMZ"))
        self.assertIn("Switch UPnP back on", items)
        self.assertEqual(len(doc["restore"]), 4, doc["restore"])
        self.assertTrue(doc["would_send"])
        self.assertEqual(self.writes(), [])

    # (c) ------------------------------------------------------------------------------------
    def test_c_nothing_to_restore_asks_nothing(self):
        p = self.bw("--yes", "fix")
        self.assertEqual(p.returncode, base.FIXED_EXIT, p.stdout + p.stderr)
        p = self.bw("--yes", "rollback")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.emu.clear()
        # Every fix rolled back: nothing selected.
        t = self.terminal("rollback")
        self.assertEqual(t.finish(), 0, t.text())
        self.assertIn("nothing to restore", t.text())
        self.assertNotIn("[y/N]", t.text())
        # The backup named, the box already as it says: nothing to restore either.
        t = self.terminal("rollback", self.backup_path())
        self.assertEqual(t.finish(), 0, t.text())
        self.assertIn("nothing to restore", t.text())
        self.assertNotIn("[y/N]", t.text())
        self.assertEqual(self.writes(), [])

    # (d) ------------------------------------------------------------------------------------
    def edited_backup(self, edit):
        p = self.bw("--yes", "fix")
        self.assertEqual(p.returncode, base.FIXED_EXIT, p.stdout + p.stderr)
        path = self.backup_path()
        with open(path) as f:
            doc = json.load(f)
        doc = edit(doc) or doc
        with open(path, "w") as f:
            json.dump(doc, f)
        self.emu.clear()
        return path

    def test_d_a_backup_with_a_bad_address_is_refused_before_any_network(self):
        def edit(doc):
            for f in doc["state"]["port_forwards"]:
                f["internal_host"] = "not-an-ip"
            for a in doc["plan"]:
                if "target_forward" in a:
                    a["target_forward"]["internal_host"] = "not-an-ip"
        path = self.edited_backup(edit)
        fixed = self.emu.state()
        for args in (("--yes", "rollback"), ("--yes", "rollback", path)):
            p = self.bw(*args)
            self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
            self.assertRegex(p.stderr, r"%s: state\.port_forwards\[0\]\.internal_host: \"not-an-ip\" is not an IPv4 or "
                                       r"IPv6 address; %s" % (path, EDITED))
            self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        self.assertEqual(self.emu.calls(), [])  # not even a login
        self.assertEqual(self.emu.state(), fixed)

    def test_d_format_1_is_a_usage_error_not_an_internal_one(self):
        path = self.edited_backup(lambda doc: {"format": 1})
        p = self.bw("--yes", "rollback", path)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn('%s: format: must be "boxwarden-backup-1", not 1; %s' % (path, EDITED), p.stderr)
        self.assertEqual(self.emu.calls(), [])
        p = self.bw("backups")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("(unreadable) " + path, p.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
