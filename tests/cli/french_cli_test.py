#!/usr/bin/env python3
"""boxwarden in French (LANG=fr_FR.UTF-8), and the wording of the doctor's case (issue 11).

French: --help, a usage error (text and JSON) and an audit of the doctor's Livebox (the
emulator of livebox_cli_test.py, on 127.0.0.1 in a private network namespace) must be French:
no line may hold a word that is neither in a French message of po/fr.po nor in the data the
box gave (its model, its rules' labels, addresses), and no English message of the catalogue
may appear; the same runs in the C locale are English (so the check could fail).

Wording (English, the C locale): the GDPR sentence is said once; no "low risk" under a HIGH
finding; the ISP's TR-069 rule is not "patients' data"; fix ends by saying how to undo it and
rollback names each change in the fix's own words; a box that does not answer is said in
words, never as a URL.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("SOURCE_DIR") or os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(HERE, "..", "emulators"))
sys.path.insert(0, HERE)
from livebox_client import EmulatorProcess  # noqa: E402
from livebox_cli_test import DOCTOR, PASSWORD  # noqa: E402  (the doctor's box)
from po_test import parse_po  # noqa: E402

BOXWARDEN = os.environ.get("BOXWARDEN", "")
FRENCH = "fr_FR.UTF-8"
WORD = re.compile(r"[^\W\d_]+")
PLACE = re.compile(r"\{[a-z_]+\}")


def in_private_netns():
    return os.environ.get("FRENCH_CLI_IN_NETNS") == "1"


def reexec_in_netns():
    """Runs this file again in a private network namespace with its loopback up, if possible."""
    if in_private_netns() or shutil.which("unshare") is None:
        return
    if subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode != 0:
        return
    env = dict(os.environ, FRENCH_CLI_IN_NETNS="1")
    os.execvpe("unshare", ["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$0" "$@"',
                           sys.executable, os.path.abspath(__file__)] + sys.argv[1:], env)


def french_locale_present():
    out = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.lower()
    return "fr_fr.utf8" in out.split()


def catalogue():
    with open(os.path.join(ROOT, "po", "fr.po"), encoding="utf-8") as f:
        return [e for e in parse_po(f.read()) if e["msgstr"] and all(e["msgstr"])]


def words(text):
    return {w.lower() for w in WORD.findall(text)}


class Vocabulary:
    """The French words of the catalogue (every word of a translation) and the English
    fragments that must never show in French output (the fixed text between the places of a
    message whose translation differs, when it is long enough to be a sentence's part)."""

    def __init__(self):
        self.french = set()
        self.english = set()
        for e in catalogue():
            ids = [e["msgid"]] + ([e["msgid_plural"]] if "msgid_plural" in e else [])
            for s in e["msgstr"]:
                self.french |= words(PLACE.sub(" ", s))
            if e["msgstr"][0] == e["msgid"]:
                continue
            for i in ids:
                for part in PLACE.split(i):
                    part = " ".join(part.split())
                    if len(part) >= 16 and len(WORD.findall(part)) >= 3:
                        self.english.add(part)


def values(j):
    """Every string and number in a JSON value (not its keys): what the box said."""
    if isinstance(j, dict):
        return " ".join(values(v) for v in j.values())
    if isinstance(j, list):
        return " ".join(values(v) for v in j)
    return "" if j is None or isinstance(j, bool) else str(j)


def env_for(lang, home):
    env = dict(os.environ, HOME=home, LANG=lang)
    for k in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "BOXWARDEN_PASSWORD"):
        env.pop(k, None)
    return env


@unittest.skipUnless(BOXWARDEN and os.access(BOXWARDEN, os.X_OK), "BOXWARDEN must name the built binary")
class French(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not french_locale_present():
            raise unittest.SkipTest("needs the fr_FR.UTF-8 locale (scripts/install-deps.sh generates it)")
        cls.vocab = Vocabulary()
        cls.dir = tempfile.mkdtemp(prefix="bw-french-")
        cls.emu = EmulatorProcess(DOCTOR, ("--throttle", "1"), workdir=cls.dir).start()
        cls.pwfile = os.path.join(cls.dir, "pw")
        with open(cls.pwfile, "w") as f:
            f.write(PASSWORD + "\n")
        os.chmod(cls.pwfile, 0o600)

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()
        shutil.rmtree(cls.dir, True)

    def run_bw(self, args, lang=FRENCH, box=True, state="state"):
        cmd = [BOXWARDEN]
        if box:
            cmd += ["--gateway", "127.0.0.1:%d" % self.emu.port, "--vendor", "livebox", "--password-file",
                    self.pwfile, "--state-dir", os.path.join(self.dir, state), "--profile", "medical-practice"]
        p = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=120,
                           env=env_for(lang, self.dir), stdin=subprocess.DEVNULL)
        self.assertNotIn(PASSWORD, p.stdout + p.stderr)
        return p

    def assert_french(self, text, data_words=frozenset()):
        """Every line is made of French catalogue words and the box's data; no English message."""
        flat = " ".join(text.split())
        for part in self.vocab.english:
            self.assertNotIn(part, flat, "an English message in the French output:\n" + text)
        lines = [line for line in text.splitlines() if WORD.search(line)]
        self.assertTrue(lines, "no output")
        for line in lines:
            foreign = words(line) - self.vocab.french - data_words
            self.assertEqual(foreign, set(), "not French: %r\n%s" % (line, text))

    def test_help_is_french(self):
        p = self.run_bw(["--help"], box=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Usage\u00a0: boxwarden [OPTIONS GÉNÉRALES] COMMAND [OPTIONS]", p.stdout)
        self.assertIn("lire la box et rapporter les constats selon un profil", p.stdout)
        # Option names and commands are never translated: they are the help's data.
        data = words(" ".join(re.findall(r"--?[a-z][a-z-]*|\b[A-Z][A-Z_|:\[\].]+\b", p.stdout)))
        data |= {"boxwarden", "discover", "audit", "plan", "fix", "rollback", "vpn", "setup", "pair", "profiles",
                 "fleet", "backups", "history", "breach", "vendors", "forget", "certificate", "text", "json", "jsonl", "csv", "html", "junit", "ok", "auto",
                 "home", "xdg", "state", "ca", "man", "pem", "https", "api", "utf", "wireguard"}
        self.assert_french(p.stdout, data)
        english = self.run_bw(["--help"], lang="C", box=False)
        self.assertIn("Usage: boxwarden [GLOBAL OPTIONS] COMMAND [OPTIONS]", english.stdout)
        with self.assertRaises(AssertionError):  # the check tells English from French
            self.assert_french(english.stdout, data)

    def test_usage_errors_are_french_and_json_keeps_its_fields(self):
        p = self.run_bw(["frobnicate"], box=False)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr, "boxwarden\u00a0: erreur\u00a0: «\u00a0frobnicate\u00a0» n'est pas une commande (voir boxwarden --help)\n")
        p = self.run_bw(["--format", "json", "audit", "--bogus-option"], box=False)
        self.assertEqual(p.returncode, 2)
        doc = json.loads(p.stdout)
        self.assertEqual(doc["error"]["kind"], "usage")  # never translated
        self.assertEqual(doc["error"]["exit_code"], 2)
        self.assertIn("option inconnue --bogus-option", doc["error"]["message"])

    def test_the_doctors_audit_is_entirely_french(self):
        data = self.run_bw(["--format", "json", "audit"], lang="C")
        self.assertEqual(data.returncode, 1, data.stderr)
        report = json.loads(data.stdout)
        data_words = words(values({"gateway": report["gateway"], "state": report["state"]}))
        data_words |= {"medical", "practice", "livebox", "tcp", "udp"}  # the profile's name, the API, protocols
        p = self.run_bw(["audit"])
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("Ce que votre box ouvre sur Internet\u00a0:", p.stdout)
        self.assertIn("Bilan\u00a0: ", p.stdout)
        # Times (RFC 3339, UTC) are data: the drift section names the last record's.
        data_words |= words(" ".join(re.findall(r"\d{4}-\d\d-\d\dT[\d:.]+Z", p.stdout + p.stderr)))
        self.assert_french(p.stdout + p.stderr, data_words)
        # Said once, in French, with its accents and no-break spaces as they are (not escaped).
        self.assertEqual(p.stdout.count("Les données de santé des patients (RGPD art. 9)"), 1, p.stdout)
        self.assertNotIn("\\x", p.stdout)
        english = self.run_bw(["audit"], lang="C")
        self.assertIn("What your box opens to the Internet:", english.stdout)
        with self.assertRaises(AssertionError):
            self.assert_french(english.stdout, data_words)

    def test_the_doctors_wording(self):
        p = self.run_bw(["audit"], lang="C")
        self.assertEqual(p.returncode, 1, p.stderr)
        out = p.stdout
        # The GDPR sentence once, not under every finding.
        self.assertEqual(out.count("Patients' health data (GDPR Art. 9)"), 1, out)
        # A severity and its words agree.
        self.assertNotIn("low risk", out.lower())
        # The ISP's TR-069 rule says whose it is, and no patients' data.
        doc = json.loads(self.run_bw(["--format", "json", "audit"], lang="C").stdout)
        cwmp = [f for f in doc["findings"] if (f["subject"].get("forward") or f["subject"]).get("external_port") == 7547]
        self.assertEqual(len(cwmp), 1, doc["findings"])
        self.assertIn("Internet provider", cwmp[0]["why"])
        self.assertNotIn("atient", cwmp[0]["why"])
        for f in doc["findings"]:
            self.assertNotIn("GDPR", f["why"], f)

        # fix ends by saying how to undo; rollback names each change in the fix's words.
        fix = self.run_bw(["--yes", "fix"], lang="C", state="fixstate")
        self.assertIn(fix.returncode, (1,), fix.stdout + fix.stderr)  # the ISP's rule remains by design
        last = [line for line in fix.stdout.splitlines() if line.strip()][-1]
        self.assertRegex(last, r"^To undo these changes and put back the settings saved in \S+: boxwarden rollback$")
        closed = re.findall(r"^  done  Close (.+)$", fix.stdout, re.M)
        self.assertTrue(closed, fix.stdout)
        back = self.run_bw(["--dry-run", "rollback"], lang="C", state="fixstate")
        self.assertEqual(back.returncode, 0, back.stdout + back.stderr)
        for what in closed:
            self.assertIn("Reopen " + what, back.stdout)
        for what in re.findall(r"^  done  Switch the DMZ off (.+)$", fix.stdout, re.M):
            self.assertIn("Switch the DMZ back on " + what, back.stdout)

    def test_a_box_that_does_not_answer_is_said_in_words(self):
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # connections complete in the backlog; nothing ever answers
        self.addCleanup(silent.close)
        cmd = [BOXWARDEN, "--gateway", "127.0.0.1:%d" % silent.getsockname()[1], "--vendor", "livebox",
               "--password-file", self.pwfile, "--timeout", "2", "audit"]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env_for("C", self.dir),
                           stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertRegex(p.stderr, r"did not answer|--timeout ran out")
        self.assertNotIn("://", p.stderr)

    def test_vpn_setup_is_french(self):
        # Last of the class (the names sort so): it adds a forward of UDP 51820 to the emulated box.
        out = os.path.join(self.dir, "vpn-fr")
        p = self.run_bw(["--yes", "vpn", "setup", "--host", "192.168.1.10", "--peer", "cabinet", "--out", out],
                        state="state-vpn")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Accès à distance WireGuard au réseau local 192.168.1.0/24", p.stdout)
        self.assertIn("Fichiers (vous seul pouvez les lire\u00a0; ils contiennent des clés privées)\u00a0:", p.stdout)
        self.assertIn("1. Démarrez le serveur WireGuard sur l'ordinateur 192.168.1.10.", p.stdout)
        self.assertIn("Pour retirer la redirection de la box\u00a0: boxwarden rollback ", p.stdout)
        # Keys, paths, addresses and the shell commands to type are data, not messages.
        text = p.stdout + p.stderr
        data = words(" ".join(re.findall(r"[A-Za-z0-9+/]{42,44}=|\S*/\S*|\S*\d\S*", text)))
        data |= {"sudo", "apt", "install", "wireguard", "tools", "m", "cabinet", "udp", "livebox", "conf", "png", "linux"}
        self.assert_french(text, data)
        english = self.run_bw(["--dry-run", "vpn", "setup", "--host", "192.168.1.10", "--peer", "cabinet2", "--out",
                               out + "2"], lang="C", state="state-vpn")
        self.assertIn("WireGuard remote access to the LAN", english.stdout)
        with self.assertRaises(AssertionError):
            self.assert_french(english.stdout, data)


if __name__ == "__main__":
    reexec_in_netns()
    import ci_guard  # a skip fails under CI
    ci_guard.main()
