"""The Ansible collection boxwarden.router (ansible/ansible_collections/boxwarden/router),
checked offline with Debian's ansible-core 2.14 (issue 10, item 5):

- the command line the modules build (module_utils/boxwarden.py build_argv): JSON, no prompt,
  --site, the password as a file only, every value as --option=VALUE, the rollback's backup
  after '--', check mode as plan / --dry-run;
- what validate-modules checks, as far as it runs offline: `ansible-doc` loads each module's
  documentation (with its fragments), and the documented options are exactly the module's
  argument spec (names, types, choices, defaults), the attributes check_mode/diff_mode say
  what the module does, EXAMPLES and RETURN are YAML;
- `ansible-test sanity` for the tests that need no download (ansible-test installs the
  others' requirements from PyPI), in a copy of the collection, with no network (unshare -rn);
- the playbook and the role parse (`ansible-playbook --syntax-check`).
The modules against real boxes: tests/lab/fleet_test.sh.
"""
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

# Debian's ansible-core is a package of Debian's Python: run under it (a python3 of another
# installation, e.g. pyenv's, first on the PATH has no ansible module).
if importlib.util.find_spec("ansible") is None and os.path.exists("/usr/bin/python3") and \
        os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
    os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)

import yaml  # noqa: E402

SOURCE_DIR = os.environ.get("SOURCE_DIR") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
COLLECTIONS = os.path.join(SOURCE_DIR, "ansible")
COLLECTION = os.path.join(COLLECTIONS, "ansible_collections", "boxwarden", "router")
MODULES = ["audit", "fix", "rollback"]
ENV = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_NOCOLOR="1",
           ANSIBLE_DEPRECATION_WARNINGS="1", LC_ALL="C.UTF-8")

# The sanity tests of ansible-test 2.14 that need no requirement installed into a venv.
OFFLINE_SANITY = ["action-plugin-docs", "compile", "empty-init", "future-import-boilerplate", "ignores",
                  "line-endings", "metaclass-boilerplate", "no-assert", "no-basestring", "no-dict-iteritems",
                  "no-dict-iterkeys", "no-dict-itervalues", "no-get-exception", "no-illegal-filenames",
                  "no-main-display", "no-smart-quotes", "no-unicode-literals", "replace-urlopen", "shebang",
                  "symlinks", "use-argspec-type-path", "use-compat-six"]

sys.path.insert(0, COLLECTIONS)
from ansible_collections.boxwarden.router.plugins.module_utils import boxwarden as bwu  # noqa: E402


class ArgvTest(unittest.TestCase):
    def test_minimal(self):
        self.assertEqual(bwu.build_argv("/usr/bin/boxwarden", "audit", {}),
                         ["/usr/bin/boxwarden", "--format=json", "--no-input", "audit"])

    def test_every_option(self):
        params = dict(gateway="192.168.1.1", vendor="livebox", password_file="/etc/bw/box.pass",
                      profile="medical-practice", site="Cabinet Dr. Müller", state_dir="/var/lib/bw",
                      timeout=7, fail_on="medium")
        self.assertEqual(bwu.build_argv("bw", "audit", params), [
            "bw", "--format=json", "--no-input", "--site=Cabinet Dr. Müller", "--gateway=192.168.1.1",
            "--vendor=livebox", "--password-file=/etc/bw/box.pass", "--profile=medical-practice",
            "--state-dir=/var/lib/bw", "--timeout=7", "audit", "--fail-on=medium"])

    def test_none_is_left_to_boxwarden(self):
        params = dict(gateway=None, vendor=None, password_file=None, profile="home", site=None,
                      state_dir=None, timeout=None, fail_on=None)
        self.assertEqual(bwu.build_argv("bw", "plan", params),
                         ["bw", "--format=json", "--no-input", "--profile=home", "plan"])

    def test_a_value_is_never_an_option(self):
        argv = bwu.build_argv("bw", "audit", dict(site="--yes", profile="-x"))
        self.assertIn("--site=--yes", argv)
        self.assertIn("--profile=-x", argv)
        self.assertNotIn("--yes", argv)

    def test_fix_and_rollback(self):
        self.assertEqual(bwu.build_argv("bw", "fix", dict(site="s1"), yes=True),
                         ["bw", "--format=json", "--no-input", "--site=s1", "--yes", "fix"])
        self.assertEqual(bwu.build_argv("bw", "rollback", {}, dry_run=True, positional="-odd.json"),
                         ["bw", "--format=json", "--no-input", "--dry-run", "rollback", "--", "-odd.json"])

    def test_password_only_as_a_file(self):
        argv = bwu.build_argv("bw", "audit", dict(password_file="/run/pw"))
        self.assertEqual([a for a in argv if "pass" in a], ["--password-file=/run/pw"])

    def test_bad_timeout(self):
        for bad in (0, -3, True):
            with self.assertRaises(ValueError):
                bwu.build_argv("bw", "audit", dict(timeout=bad))

    def test_error_message(self):
        doc = {"error": {"exit_code": 3, "kind": "unreachable", "message": "no box answered at 192.168.1.1"}}
        self.assertEqual(bwu.error_message(doc, 3, ""), "boxwarden exited 3: no box answered at 192.168.1.1")
        self.assertEqual(bwu.error_message(None, 70, "x\nboom\n\n"), "boxwarden exited 70: boom")
        self.assertIsNone(bwu.parse_document("not json"))
        self.assertIsNone(bwu.parse_document("3"))


def argument_spec_of(name):
    """Imports a module with AnsibleModule replaced by a recorder: its argument spec and options."""
    captured = {}

    class Recorder:
        def __init__(self, argument_spec, supports_check_mode=False, **unused):
            captured["spec"] = argument_spec
            captured["check_mode"] = supports_check_mode
            raise SystemExit(0)

    import ansible.module_utils.basic as basic
    saved = basic.AnsibleModule
    basic.AnsibleModule = Recorder
    try:
        path = os.path.join(COLLECTION, "plugins", "modules", name + ".py")
        spec = importlib.util.spec_from_file_location("bw_module_" + name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        with self_exit():
            module.main()
    finally:
        basic.AnsibleModule = saved
    return captured, module


class self_exit:
    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        return kind is SystemExit


class DocsTest(unittest.TestCase):
    docs = None

    def ansible_doc(self, name):
        # one ansible-doc run for the three modules (each run costs seconds of start-up)
        if DocsTest.docs is None:
            out = subprocess.run(["ansible-doc", "--json", "-t", "module"] + ["boxwarden.router." + m for m in MODULES],
                                 env=ENV, capture_output=True, text=True, timeout=300)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertNotIn("WARNING", out.stderr)
            DocsTest.docs = json.loads(out.stdout)
        return DocsTest.docs["boxwarden.router." + name]

    def test_docs_match_argument_spec(self):
        for name in MODULES:
            with self.subTest(module=name):
                doc = self.ansible_doc(name)
                options = doc["doc"]["options"]
                captured, module = argument_spec_of(name)
                spec = captured["spec"]
                self.assertEqual(sorted(options), sorted(spec))
                for option, s in spec.items():
                    documented = options[option]
                    self.assertEqual(documented.get("type", "str"), s.get("type", "str"), option)
                    self.assertEqual(documented.get("choices"), s.get("choices"), option)
                    self.assertEqual(documented.get("default"), s.get("default"), option)
                    self.assertEqual(bool(documented.get("required")), bool(s.get("required")), option)
                    self.assertTrue(documented.get("description"), option)
                attributes = doc["doc"]["attributes"]
                self.assertEqual(attributes["check_mode"]["support"], "full" if captured["check_mode"] else "none")
                self.assertEqual(attributes["diff_mode"]["support"], "full" if name == "fix" else "none")
                self.assertEqual(doc["doc"]["module"], name)
                for section in ("EXAMPLES", "RETURN"):
                    self.assertIsInstance(yaml.safe_load(getattr(module, section)), (list, dict), section)
                returned = doc["return"]
                self.assertIn("report", returned)
                self.assertEqual(returned["exit_code"]["type"], "int")
                # the task never fails for findings: in the doc, and in the code
                self.assertIn("password", " ".join(options["password_file"]["description"]))

    def test_list_names_the_three_modules(self):
        out = subprocess.run(["ansible-doc", "-l", "boxwarden.router"], env=ENV, capture_output=True, text=True,
                             timeout=300)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(sorted(line.split()[0] for line in out.stdout.splitlines() if line.strip()),
                         ["boxwarden.router." + m for m in MODULES])

    def test_role_argument_spec(self):
        out = subprocess.run(["ansible-doc", "-t", "role", "--json", "boxwarden.router.install"], env=ENV,
                             capture_output=True, text=True, timeout=300)
        self.assertEqual(out.returncode, 0, out.stderr)
        doc = json.loads(out.stdout)["boxwarden.router.install"]
        self.assertIn("boxwarden_install_deb", doc["entry_points"]["main"]["options"])


class PlaybookTest(unittest.TestCase):
    def test_syntax(self):
        work = tempfile.mkdtemp()
        try:
            inventory = os.path.join(work, "sites.ini")
            with open(inventory, "w") as f:
                f.write("site01 ansible_connection=local\n")
            role_play = os.path.join(work, "install.yml")
            with open(role_play, "w") as f:
                f.write("- hosts: all\n  roles:\n    - boxwarden.router.install\n")
            for play in (os.path.join(COLLECTIONS, "playbooks", "audit.yml"), role_play):
                out = subprocess.run(["ansible-playbook", "--syntax-check", "-i", inventory, play], env=ENV,
                                     capture_output=True, text=True, timeout=300, cwd=work)
                self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
                self.assertNotIn("WARNING", out.stderr)
        finally:
            shutil.rmtree(work)


class SanityTest(unittest.TestCase):
    def test_ansible_test_sanity_offline(self):
        if subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode != 0:
            self.skipTest("needs 'unshare -rn' (ansible-test must not reach the network)")
        work = tempfile.mkdtemp()
        try:
            copy = os.path.join(work, "ansible_collections", "boxwarden", "router")
            shutil.copytree(COLLECTION, copy, ignore=shutil.ignore_patterns("__pycache__", "output"))
            argv = ["unshare", "-rn", "ansible-test", "sanity", "--local", "--python",
                    "%d.%d" % sys.version_info[:2], "--color", "no"]
            for test in OFFLINE_SANITY:
                argv += ["--test", test]
            out = subprocess.run(argv, cwd=copy, capture_output=True, text=True, timeout=300,
                                 env=dict(ENV, HOME=work))
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            for test in OFFLINE_SANITY:
                self.assertIn('Running sanity test "%s"' % test, out.stdout + out.stderr)
        finally:
            shutil.rmtree(work)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import ci_guard  # a skip fails under CI
    ci_guard.main()
