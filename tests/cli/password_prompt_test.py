#!/usr/bin/env python3
"""The password prompt and the terminal (issue 12: Ctrl-C at the prompt left the echo off).

boxwarden runs under a real pseudo-terminal, through `dash -c` (dash, unlike bash, does not
reset the terminal after a command), against the Livebox emulator on 127.0.0.1 inside a
private network namespace (unshare -rn), with no password source: no --password-file, no
BOXWARDEN_PASSWORD, no ~/.netrc. It asks on /dev/tty, even with stdin from /dev/null. At the
prompt, the echo is off; then:
  - Ctrl-C typed on the terminal, SIGTERM, SIGHUP: "interrupted; nothing was changed", the
    shell sees 128+signo, and the terminal's echo is on again;
  - end of file (Ctrl-D): no password, exit 4, the echo on again;
  - the password typed: the audit runs (exit 1) and the password never shows;
  - stdin and stderr both redirected (a script): no question, exit 4 at once;
  - --no-input on the terminal: no question either, exit 4 at once.
Nothing is ever written to the emulated box. Environment: BOXWARDEN (the binary).
"""

import os
import pty
import shutil
import signal
import subprocess
import sys
import tempfile
import termios
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BOXWARDEN = os.environ.get("BOXWARDEN", "")
IN_NETNS = "PASSWORD_PROMPT_IN_NETNS"

if __name__ == "__main__" and not os.environ.get(IN_NETNS) and shutil.which("unshare"):
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True)
    if probe.returncode == 0:
        env = dict(os.environ, **{IN_NETNS: "1"})
        os.execvpe("unshare", ["unshare", "-rn", "sh", "-c", 'ip link set lo up 2>/dev/null; exec "$@"', "sh",
                               sys.executable, os.path.abspath(__file__)] + sys.argv[1:], env)

sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "emulators"))
import livebox_cli_test as livebox  # noqa: E402
from livebox_client import EmulatorProcess  # noqa: E402

PROMPT = b"Password of the box's administrator (not shown): "


def skip_or_fail(why):
    if os.environ.get("CI"):
        raise AssertionError(why + " (CI is set: a skip is a failure)")
    raise unittest.SkipTest(why)


class Pty:
    """dash -c SCRIPT under a new pty; the output as it comes; the terminal's settings."""

    def __init__(self, script, env, args):
        self.pid, self.master = pty.fork()
        if self.pid == 0:
            for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, signal.SIG_DFL)  # as a terminal's shell starts it
            os.execvpe("dash", ["dash", "-c", script] + list(args), env)
        self.out = b""

    def kill(self):
        if self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = None

    def echo(self):
        return bool(termios.tcgetattr(self.master)[3] & termios.ECHO)

    def read_until(self, what, seconds=30):
        end = time.monotonic() + seconds
        while what not in self.out:
            if time.monotonic() > end:
                raise AssertionError("no %r on the terminal within %s s; got %r" % (what, seconds, self.out))
            self._read(end - time.monotonic())
        return self.out

    def _read(self, seconds):
        import select
        ready, _, _ = select.select([self.master], [], [], max(0.0, min(seconds, 1.0)))
        if ready:
            try:
                data = os.read(self.master, 4096)
            except OSError:
                data = b""
            if not data:
                raise EOFError
            self.out += data

    def finish(self, seconds=60):
        """Reads to the end; the shell's status as a shell shows it (128+N for signal N)."""
        end = time.monotonic() + seconds
        while True:
            try:
                self._read(end - time.monotonic())
            except EOFError:
                break
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.pid = None
                self.status = status
                try:
                    while True:
                        self._read(0.2)
                except EOFError:
                    pass
                break
            if time.monotonic() > end:
                os.kill(self.pid, signal.SIGKILL)
                raise AssertionError("the shell did not end; output %r" % self.out)
        if self.pid is not None:
            _, self.status = os.waitpid(self.pid, 0)
            self.pid = None
        code = os.waitstatus_to_exitcode(self.status)
        return 128 - code if code < 0 else code

    def child_of_shell(self):
        """boxwarden's pid: the shell's child."""
        path = "/proc/%d/task/%d/children" % (self.pid, self.pid)
        end = time.monotonic() + 10
        while time.monotonic() < end:
            with open(path) as f:
                kids = f.read().split()
            if kids:
                return int(kids[0])
            time.sleep(0.02)
        raise AssertionError("no child of the shell")


@unittest.skipUnless(BOXWARDEN and os.access(BOXWARDEN, os.X_OK), "BOXWARDEN must name the built binary")
class PasswordPrompt(unittest.TestCase):
    def setUp(self):
        if not shutil.which("dash"):
            skip_or_fail("dash is not installed")
        if not os.environ.get(IN_NETNS):
            skip_or_fail("needs 'unshare -rn' (a private network namespace for the emulator)")
        self.dir = tempfile.mkdtemp(prefix="bw-prompt-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.emu = EmulatorProcess(livebox.DOCTOR, ("--throttle", "1"), workdir=self.dir).start()
        self.addCleanup(self.emu.stop)
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.dir, "TERM": "dumb",
                    "BOXWARDEN_NETNS": "@loopback", "BOXWARDEN_LOCK_DIR": os.path.join(self.dir, "locks"),
                    "XDG_STATE_HOME": os.path.join(self.dir, "state")}

    def start(self, command="audit"):
        # stdin from /dev/null: the prompt must use the terminal itself (/dev/tty).
        script = '"$0" --gateway "127.0.0.1:$1" --vendor livebox --profile medical-practice ' + command + \
                 ' </dev/null; echo "exit=$?"'
        t = Pty(script, self.env, [BOXWARDEN, str(self.emu.port)])
        self.addCleanup(t.kill)
        self.assertTrue(t.echo(), "the terminal starts with its echo on")
        t.read_until(PROMPT)
        self.assertFalse(t.echo(), "the echo is off while the password is typed")
        return t

    def assert_no_write(self):
        self.assertEqual(livebox.LiveboxCliBase.writes(self), [])

    def check_interrupted(self, t, shell_status, signo):
        out = t.out.decode(errors="replace")
        self.assertIn("boxwarden: interrupted; nothing was changed", out)
        self.assertTrue(t.echo(), "the echo is back on after %s; terminal output %r" % (signal.Signals(signo).name, out))
        # The shell shows 128+signo: dash went on and printed it, or (Ctrl-C reaches the whole
        # foreground group) died of the same signal.
        self.assertTrue("exit=%d" % (128 + signo) in out or shell_status == 128 + signo, (shell_status, out))
        self.assert_no_write()

    def test_ctrl_c_at_the_prompt(self):
        t = self.start()
        os.write(t.master, b"sec")  # half a password, then Ctrl-C
        os.write(t.master, b"\x03")
        self.check_interrupted(t, t.finish(), signal.SIGINT)
        self.assertNotIn("sec", t.out.decode(errors="replace").split("not shown): ", 1)[1])

    def test_sigterm_at_the_prompt(self):
        t = self.start()
        os.kill(t.child_of_shell(), signal.SIGTERM)
        status = t.finish()
        self.assertEqual(status, 0, t.out)  # dash went on after boxwarden
        self.check_interrupted(t, status, signal.SIGTERM)

    def test_sighup_at_the_prompt(self):
        t = self.start()
        os.kill(t.child_of_shell(), signal.SIGHUP)
        status = t.finish()
        self.check_interrupted(t, status, signal.SIGHUP)

    def test_ctrl_c_at_the_prompt_of_fix(self):
        t = self.start("--state-dir " + os.path.join(self.dir, "st") + " --yes fix")
        os.write(t.master, b"\x03")
        self.check_interrupted(t, t.finish(), signal.SIGINT)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "st", "backups")))

    def test_end_of_file_at_the_prompt(self):
        t = self.start()
        os.write(t.master, b"\x04")  # Ctrl-D: no password
        status = t.finish()
        out = t.out.decode(errors="replace")
        self.assertEqual(status, 0, out)
        self.assertIn("exit=4", out)
        self.assertTrue(t.echo(), out)
        self.assert_no_write()

    def test_no_question_nobody_sees(self):
        # stdin and stderr both redirected (a script, a test harness): the one-line error at
        # once, no question waiting on the terminal.
        err = os.path.join(self.dir, "err")
        script = '"$0" --gateway "127.0.0.1:$1" --vendor livebox audit </dev/null 2>"$2"; echo "exit=$?"'
        t = Pty(script, self.env, [BOXWARDEN, str(self.emu.port), err])
        self.addCleanup(t.kill)
        status = t.finish(seconds=30)
        out = t.out.decode(errors="replace")
        self.assertEqual(status, 0, out)
        self.assertIn("exit=4", out)
        self.assertNotIn("Password", out)
        with open(err) as f:
            self.assertIn("needs its admin password", f.read())

    def test_no_input_asks_nothing_even_on_a_terminal(self):
        # --no-input (Ansible with a tty, ssh -t): stdin, stdout and stderr are the terminal, yet
        # no question: the run fails at once as a script's would (exit 4), in JSON too.
        script = '"$0" --gateway "127.0.0.1:$1" --vendor livebox --no-input --format json --site s1 audit; ' \
                 'echo "exit=$?"'
        t = Pty(script, self.env, [BOXWARDEN, str(self.emu.port)])
        self.addCleanup(t.kill)
        status = t.finish(seconds=30)
        out = t.out.decode(errors="replace")
        self.assertEqual(status, 0, out)
        self.assertIn("exit=4", out)
        self.assertNotIn(PROMPT.decode(), out)
        self.assertIn("needs its admin password", out)
        self.assertIn('"kind": "auth"', out)
        self.assertIn('"site": "s1"', out)
        self.assertTrue(t.echo(), out)
        self.assert_no_write()

    def test_the_password_typed_is_used_and_never_shown(self):
        t = self.start()
        os.write(t.master, livebox.PASSWORD.encode() + b"\r")
        status = t.finish()
        out = t.out.decode(errors="replace")
        self.assertEqual(status, 0, out)
        self.assertIn("exit=1", out)  # the audit ran: findings
        self.assertNotIn(livebox.PASSWORD, out)
        self.assertTrue(t.echo(), out)
        self.assert_no_write()


if __name__ == "__main__":
    unittest.main(verbosity=2)
