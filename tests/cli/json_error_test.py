#!/usr/bin/env python3
"""--format json when the run fails: stdout (or the --output file) still holds exactly one
JSON document, {"tool", "command", "error": {"exit_code", "kind", "message"}}, and stderr the
same message on one line, escaped. A command that printed its own report (fix exiting 5)
prints no second document.

Only 127.0.0.1 with BOXWARDEN_NETNS=@loopback: a closed port (127.0.0.1:1), damaged backups on
disk, and the Livebox emulator of livebox_cli_test.py. In a private network namespace
(unshare -rn) when one is available. Environment: BOXWARDEN (the binary).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from schema_check import validate  # tests/cli/schema_check.py: the shipped JSON Schemas

HERE = os.path.dirname(os.path.abspath(__file__))
BOXWARDEN = os.environ.get("BOXWARDEN", "")

if __name__ == "__main__" and not os.environ.get("JSON_ERROR_IN_NETNS") and shutil.which("unshare"):
    # Our own loopback, nothing else: run again inside a private network namespace.
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True)
    if probe.returncode == 0:
        env = dict(os.environ, JSON_ERROR_IN_NETNS="1")
        os.execvpe("unshare", ["unshare", "-rn", "sh", "-c", 'ip link set lo up 2>/dev/null; exec "$@"', "sh",
                               sys.executable, os.path.abspath(__file__)] + sys.argv[1:], env)

sys.path.insert(0, HERE)
import livebox_cli_test as livebox  # noqa: E402

ESC = "\x1b"


def run_bw(*args, cwd=None, timeout=60, extra_env=None):
    env = dict(os.environ, BOXWARDEN_NETNS="@loopback")
    env.pop("BOXWARDEN_PASSWORD", None)
    env.pop("BOXWARDEN_TEST_INTERNAL_ERROR", None)
    env.update(extra_env or {})
    return subprocess.run([BOXWARDEN] + list(args), capture_output=True, text=True, timeout=timeout, env=env,
                          stdin=subprocess.DEVNULL, cwd=cwd)


def damaged_backup(path, external_port):
    forward = {"protocol": "TCP", "external_port": external_port, "internal_host": "192.168.1.10",
               "internal_port": 3389}
    with open(path, "w") as f:
        json.dump({"format": "boxwarden-backup-1", "gateway": "127.0.0.1",
                   "state": {"port_forwards": [forward]}, "plan": []}, f)


@unittest.skipUnless(BOXWARDEN and os.access(BOXWARDEN, os.X_OK), "BOXWARDEN must name the built binary")
class JsonError(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="bw-json-error-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def assert_error_document(self, text, command, exit_code, kind):
        doc = validate(json.loads(text), "error")  # exactly one document: trailing data raises
        self.assertEqual(doc["tool"]["name"], "boxwarden")
        self.assertTrue(doc["tool"]["version"])
        self.assertEqual(doc["command"], command)
        self.assertEqual(doc["error"]["exit_code"], exit_code)
        self.assertEqual(doc["error"]["kind"], kind)
        self.assertTrue(doc["error"]["message"])
        return doc

    def assert_one_error_line(self, stderr, doc=None):
        lines = stderr.splitlines()
        self.assertEqual(len(lines), 1, stderr)
        self.assertTrue(lines[0].startswith("boxwarden: "), stderr)
        self.assertNotIn(ESC, stderr)
        if doc is not None:
            self.assertTrue(lines[0].endswith(doc["error"]["message"]), (lines[0], doc["error"]["message"]))

    def test_closed_port_exits_3_with_an_error_document(self):
        p = run_bw("--gateway", "127.0.0.1:1", "--timeout", "2", "--format", "json", "audit")
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        doc = self.assert_error_document(p.stdout, "audit", 3, "unreachable")
        self.assertIn("127.0.0.1", doc["error"]["message"])
        self.assert_one_error_line(p.stderr, doc)

    def test_closed_port_in_text_prints_nothing_on_stdout(self):
        p = run_bw("--gateway", "127.0.0.1:1", "--timeout", "2", "audit")
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        self.assertEqual(p.stdout, "")
        self.assert_one_error_line(p.stderr)

    def test_output_file_gets_the_document_and_stdout_nothing(self):
        out = os.path.join(self.dir, "site.json")
        with open(out, "w") as f:
            f.write('{"stale": "report of an earlier run"}\n')
        p = run_bw("--gateway", "127.0.0.1:1", "--timeout", "2", "--format", "json", "-o", out, "plan")
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        self.assertEqual(p.stdout, "")
        with open(out) as f:
            self.assert_error_document(f.read(), "plan", 3, "unreachable")
        self.assert_one_error_line(p.stderr)

    def test_usage_errors_after_the_options_are_read(self):
        p = run_bw("--format", "json", "--timeout", "0", "audit")
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        doc = self.assert_error_document(p.stdout, "audit", 2, "usage")
        self.assertIn("--timeout", doc["error"]["message"])
        self.assert_one_error_line(p.stderr, doc)

    def test_every_usage_error_has_a_document(self):
        # argv is read for --format and --output before the parser, which may be what fails.
        cases = [
            ("unknown option before the command", ["--format", "json", "--no-such-option", "audit"], "audit",
             "--no-such-option"),
            ("unknown option after the command", ["--format=json", "vendors", "--no-such-option"], "vendors",
             "--no-such-option"),
            ("unknown short option", ["--format", "json", "-x", "vendors"], "vendors", "-x"),
            ("--timeout abc", ["--format", "json", "--timeout", "abc", "audit"], "audit", "abc"),
            ("too many arguments", ["--format", "json", "rollback", "a", "b"], "rollback", "rollback takes"),
            ("no argument where one is needed", ["--format", "json", "forget-certificate"], "forget-certificate",
             "forget-certificate takes"),
            ("not a command", ["--format", "json", "audti"], "", "audit"),
            ("no command", ["--format", "json"], "", "no command"),
            ("--format given twice", ["--format", "json", "--format", "json", "vendors"], "vendors", "format"),
            ("--format after the command", ["vendors", "--bogus", "--format", "json"], "vendors", "--bogus"),
        ]
        for name, args, command, needle in cases:
            with self.subTest(name):
                p = run_bw(*args)
                self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
                doc = self.assert_error_document(p.stdout, command, 2, "usage")
                self.assertIn(needle, doc["error"]["message"])
                self.assertTrue(p.stderr.rstrip("\n").endswith(doc["error"]["message"]), p.stderr)
                self.assertEqual(p.stderr.splitlines()[-1], "boxwarden: error: " + doc["error"]["message"])

    def test_unknown_format_is_a_usage_error_with_a_document(self):
        # A script asked for a machine format: it gets the JSON document saying why there is none.
        for args in (["--format", "yaml", "vendors"], ["--format=JSON", "audit"], ["--format", "", "vendors"]):
            with self.subTest(args=args):
                p = run_bw(*args)
                self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
                doc = self.assert_error_document(p.stdout, args[-1], 2, "usage")
                # audit also takes jsonl and html, fix html, fleet csv, html and junit: each says its own list.
                self.assertRegex(doc["error"]["message"],
                                 r"is not a format of \w+; use text(, json, jsonl or html|, json or html| or json)$")
                self.assert_one_error_line(p.stderr, doc)

    def test_a_value_that_looks_like_format_json_is_not_read_as_it(self):
        # "--format" here is the value of --user: text output, no document on stdout.
        p = run_bw("--user", "--format", "json", "vendors", "--bogus")
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertEqual(p.stdout, "")
        self.assert_one_error_line(p.stderr)

    def test_usage_error_with_output_file_replaces_the_old_report(self):
        for fmt in ("json", "text"):
            with self.subTest(format=fmt):
                out = os.path.join(self.dir, "report." + fmt)
                with open(out, "w") as f:
                    f.write("report of an earlier run\n")
                p = run_bw("--format", fmt, "-o", out, "--timeout", "abc", "audit")
                self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
                self.assertEqual(p.stdout, "")
                self.assert_one_error_line(p.stderr)
                with open(out) as f:
                    text = f.read()
                self.assertNotIn("earlier run", text)
                if fmt == "json":
                    self.assert_error_document(text, "audit", 2, "usage")
                else:
                    self.assertEqual(text, p.stderr)

    def test_text_output_file_of_a_failed_run_holds_the_error_line(self):
        # A failed run leaves no earlier report in the -o file looking current (man page OUTPUT).
        for form in (["-o", "X"], ["-oX"], ["--output", "X"], ["--output=X"]):
            with self.subTest(form=form):
                out = os.path.join(self.dir, "site.txt")
                with open(out, "w") as f:
                    f.write("boxwarden audit of an earlier run: 0 findings\n")
                args = [a.replace("X", out) for a in form]
                p = run_bw("--gateway", "127.0.0.1:1", "--timeout", "2", *args, "audit")
                self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
                self.assertEqual(p.stdout, "")
                self.assert_one_error_line(p.stderr)
                with open(out) as f:
                    self.assertEqual(f.read(), p.stderr)

    def test_internal_error_exits_70_says_it_is_a_bug(self):
        # BOXWARDEN_TEST_INTERNAL_ERROR (for tests only) fails as a bug would, before the command
        # starts: an exception that is not an Error, or an Error of kind internal.
        for hook in ("exception", "error"):
            for fmt in ("text", "json"):
                with self.subTest(hook=hook, format=fmt):
                    p = run_bw("--format", fmt, "--gateway", "127.0.0.1:1", "audit",
                               extra_env={"BOXWARDEN_TEST_INTERNAL_ERROR": hook})
                    self.assertEqual(p.returncode, 70, p.stdout + p.stderr)
                    self.assert_one_error_line(p.stderr)
                    line = p.stderr.splitlines()[0]
                    self.assertTrue(line.startswith("boxwarden: error: internal error (a bug in boxwarden"), line)
                    self.assertIn("BOXWARDEN_TEST_INTERNAL_ERROR", line)
                    self.assertIn("please report it", line)
                    self.assertIn("boxwarden --version", line)
                    if fmt == "json":
                        doc = self.assert_error_document(p.stdout, "audit", 70, "internal")
                        self.assertEqual(line, "boxwarden: error: " + doc["error"]["message"])
                    else:
                        self.assertEqual(p.stdout, "")

    def test_damaged_backup_is_refused_naming_the_field(self):
        # The two inputs fuzz_backup found: 70000 (was restored as port 4464) and 1e30 (UB).
        state = os.path.join(self.dir, "state")
        for port in (70000, 1e30, -1):
            with self.subTest(port=port):
                path = os.path.join(self.dir, "damaged.json")
                damaged_backup(path, port)
                p = run_bw("--state-dir", state, "--format", "json", "--yes", "rollback", path)
                self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
                doc = self.assert_error_document(p.stdout, "rollback", 2, "usage")
                self.assertIn("state.port_forwards[0].external_port: ", doc["error"]["message"])
                self.assertIn(path, doc["error"]["message"])
                self.assert_one_error_line(p.stderr, doc)

    def test_escape_sequences_in_a_message_never_reach_the_terminal(self):
        # The path is quoted in the error; an ESC (or a bidi control) in it is shown escaped.
        name = os.path.join(self.dir, "x" + ESC + "[2J\u202ey.json")
        for fmt in ("text", "json"):
            with self.subTest(format=fmt):
                p = run_bw("--state-dir", self.dir, "--format", fmt, "--yes", "rollback", name)
                self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
                self.assert_one_error_line(p.stderr)
                self.assertIn("\\x1b[2J\\u202ey.json", p.stderr)
                self.assertNotIn("\u202e", p.stderr)
                if fmt == "json":
                    doc = self.assert_error_document(p.stdout, "rollback", 2, "usage")
                    self.assertNotIn(ESC, doc["error"]["message"])
                else:
                    self.assertEqual(p.stdout, "")

    def test_success_prints_one_document_without_error(self):
        p = run_bw("--format", "json", "vendors")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = validate(json.loads(p.stdout), "vendors")
        self.assertFalse(isinstance(doc, dict) and "error" in doc)


@unittest.skipUnless(BOXWARDEN and os.access(BOXWARDEN, os.X_OK), "BOXWARDEN must name the built binary")
class JsonErrorLivebox(livebox.LiveboxCliBase):
    """Against the Livebox emulator: a failed fix prints its own report, never a second one."""

    def bw(self, *args, password_file=None, timeout=120):
        cmd = ["--gateway", "127.0.0.1:%d" % self.emu.port, "--vendor", "livebox",
               "--password-file", password_file or self.pwfile, "--state-dir", self.state_dir,
               "--profile", "medical-practice", "--format", "json"] + list(args)
        env = dict(os.environ, HOME=self.dir, BOXWARDEN_NETNS="@loopback")
        env.pop("BOXWARDEN_PASSWORD", None)
        return subprocess.run([BOXWARDEN] + cmd, capture_output=True, text=True, timeout=timeout, env=env,
                              stdin=subprocess.DEVNULL)

    def test_failed_fix_prints_only_its_report(self):
        self.emu.fail("Firewall:deleteDMZ", "error", 1)
        p = self.bw("--yes", "fix")
        self.assertEqual(p.returncode, 5, p.stdout + p.stderr)
        report = validate(json.loads(p.stdout), "report")  # one document: trailing data raises
        self.assertNotIn("error", report)
        self.assertEqual(report["fix"]["outcome"], "rolled-back")
        self.assertTrue(report["fix"]["backup"])

    def test_wrong_password_is_an_auth_error_document(self):
        bad = os.path.join(self.dir, "bad")
        with open(bad, "w") as f:
            f.write("nope\n")
        os.chmod(bad, 0o600)
        p = self.bw("audit", password_file=bad)
        self.assertEqual(p.returncode, 4, p.stdout + p.stderr)
        doc = validate(json.loads(p.stdout), "error")
        self.assertEqual(doc["command"], "audit")
        self.assertEqual(doc["error"]["exit_code"], 4)
        self.assertEqual(doc["error"]["kind"], "auth")
        self.assertNotIn("nope", p.stdout + p.stderr)


if __name__ == "__main__":
    import ci_guard  # a skip fails under CI
    ci_guard.main()
