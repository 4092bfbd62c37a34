#!/usr/bin/env python3
"""`boxwarden vpn setup` against the Livebox emulator on 127.0.0.1 (never any other address).

The vendor path of issue 4: the forward is a static rule made through the Livebox API, with a
backup and rollback; refusals (no --host on a loopback box, port already forwarded, bad
names) exit 2 and change nothing; a refused change leaves no file behind (exit 5); the QR
codes go to a terminal only; private keys are printed only with --show-secrets.
Runs with BOXWARDEN_NETNS=@loopback, which lets the binary talk to 127.0.0.0/8 only.
"""

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "emulators"))
from livebox_client import EmulatorProcess  # noqa: E402

BOXWARDEN = os.environ.get("BOXWARDEN", "")
PASSWORD = "vpn-test-pw"
PC = "192.168.1.10"


def rule(rid, proto, port, dest):
    return {"Id": rid, "Origin": "webui", "Description": rid, "Status": "Enabled", "SourceInterface": "data",
            "Protocol": proto, "ExternalPort": port, "InternalPort": port, "SourcePrefix": "",
            "DestinationIPAddress": dest, "DestinationMACAddress": "", "LeaseDuration": 0,
            "HairpinNAT": True, "SymmetricSNAT": False, "UPnPV1Compat": False, "Enable": True}


def conf_value(path, key, n=1):
    seen = 0
    with open(path) as f:
        for line in f:
            k, sep, v = line.partition("=")
            if sep and k.strip() == key:
                seen += 1
                if seen == n:
                    return v.strip()
    return None


@unittest.skipUnless(BOXWARDEN and os.access(BOXWARDEN, os.X_OK), "BOXWARDEN must name the built binary")
class VpnLivebox(unittest.TestCase):
    scenario = {"password": PASSWORD, "port_forwards": {}, "dmz": {}}

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="bw-vpn-cli-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.emu = EmulatorProcess(self.scenario, ("--throttle", "1"), workdir=self.dir).start()
        self.addCleanup(self.emu.stop)
        self.pwfile = os.path.join(self.dir, "pw")
        with open(self.pwfile, "w") as f:
            f.write(PASSWORD + "\n")
        os.chmod(self.pwfile, 0o600)
        self.state_dir = os.path.join(self.dir, "state")
        self.out = os.path.join(self.dir, "vpn")

    def command(self, *args):
        return [BOXWARDEN, "--gateway", "127.0.0.1:%d" % self.emu.port, "--vendor", "livebox",
                "--password-file", self.pwfile, "--state-dir", self.state_dir,
                "--profile", "medical-practice"] + list(args)

    def env(self):
        env = dict(os.environ, HOME=self.dir, BOXWARDEN_NETNS="@loopback", NO_COLOR="1")
        env.pop("BOXWARDEN_PASSWORD", None)
        return env

    def bw(self, *args):
        p = subprocess.run(self.command(*args), capture_output=True, text=True, timeout=120, env=self.env(),
                           stdin=subprocess.DEVNULL)
        self.assertNotIn(PASSWORD, p.stdout + p.stderr)
        return p

    def setup(self, *extra):
        return self.bw("--yes", "vpn", "setup", "--host", PC, "--peer", "doctor", "--out", self.out, *extra)

    def forwards(self):
        return self.emu.state()["port_forwards"]

    def private_keys(self):
        return [conf_value(os.path.join(self.out, f), "PrivateKey") for f in ("server.conf", "doctor.conf")]

    # -- tests ----------------------------------------------------------------------------
    def test_setup_adds_one_static_forward_and_rollback_removes_it(self):
        p = self.setup()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        rules = self.forwards()
        self.assertEqual(len(rules), 1, rules)
        (rid, r), = rules.items()
        self.assertEqual((r["Protocol"], r["ExternalPort"], r["InternalPort"], r["DestinationIPAddress"]),
                         ("17", "51820", "51820", PC), r)
        self.assertEqual(r["Description"], "boxwarden WireGuard")
        self.assertNotIn("upnp", rid)  # a rule of the box's own pages: it survives a reboot
        self.assertEqual(stat.S_IMODE(os.stat(self.out).st_mode), 0o700)
        for name in ("server.conf", "doctor.conf", "doctor.png"):
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(self.out, name)).st_mode), 0o600, name)
        self.assertEqual(conf_value(os.path.join(self.out, "doctor.conf"), "Endpoint"), "11.22.33.44:51820")
        for key in self.private_keys():
            self.assertNotIn(key, p.stdout + p.stderr)
        self.assertIn("No QR code here", p.stdout)
        self.assertNotIn("\u2588", p.stdout)
        # The audit takes it as the practice's one allowed opening.
        a = self.bw("--format", "json", "audit")
        findings = [f for f in json.loads(a.stdout)["findings"]
                    if (f.get("subject") or {}).get("external_port") == 51820]
        self.assertEqual([(f["rule"], f["severity"]) for f in findings], [("EXPOSE-ALLOWED", "info")], a.stdout)
        r = self.bw("--yes", "rollback")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.forwards(), {})

    def test_json_lists_files_and_public_keys_only(self):
        p = self.setup("--format", "json", "--preshared-keys")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual(doc["outcome"], "applied")
        self.assertEqual(doc["endpoint"], "11.22.33.44:51820")
        self.assertEqual(doc["server"]["public_key"], conf_value(os.path.join(self.out, "doctor.conf"), "PublicKey"))
        self.assertEqual([q["name"] for q in doc["peers"]], ["doctor"])
        self.assertTrue(doc["peers"][0]["preshared_key"])
        self.assertEqual(len(doc["files"]), 3)
        self.assertTrue(doc["backup"])
        for key in self.private_keys() + [conf_value(os.path.join(self.out, "doctor.conf"), "PresharedKey")]:
            self.assertNotIn(key, p.stdout)

    def test_show_secrets_prints_the_keys_and_the_qr_code(self):
        p = self.setup("--show-secrets")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        for key in self.private_keys():
            self.assertIn(key, p.stdout)
        self.assertIn("\u2588", p.stdout)

    def test_a_terminal_gets_the_qr_code(self):
        if shutil.which("script") is None:
            self.skipTest("script(1) is not installed")
        cmd = " ".join("'%s'" % a for a in self.command("--yes", "vpn", "setup", "--host", PC, "--peer", "doctor",
                                                          "--out", self.out))
        p = subprocess.run(["script", "-qec", cmd, "/dev/null"], capture_output=True, text=True, timeout=120,
                           env=self.env(), stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("QR code for doctor", p.stdout)
        self.assertIn("\u2588", p.stdout)
        for key in self.private_keys():
            self.assertNotIn(key, p.stdout)

    def test_dry_run_writes_nothing_and_changes_nothing(self):
        before = self.emu.state()
        p = self.bw("--dry-run", "vpn", "setup", "--host", PC, "--peer", "doctor", "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("would send", p.stdout)
        self.assertIn("setPortForwarding", p.stdout)
        self.assertFalse(os.path.exists(self.out))
        self.assertEqual(self.emu.state(), before)
        p = self.bw("--dry-run", "--format", "json", "vpn", "setup", "--host", PC, "--peer", "doctor", "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual(doc["outcome"], "dry-run")
        self.assertTrue(any("setPortForwarding" in r for r in doc["requests"]), doc["requests"])
        self.assertIsNone(doc["server"]["public_key"])
        self.assertFalse(os.path.exists(self.out))
        self.assertEqual(self.emu.state(), before)

    def test_refused_change_keeps_no_file(self):
        self.emu.fail("Firewall:setPortForwarding", "error", -1)
        p = self.setup()
        self.assertEqual(p.returncode, 5, p.stdout + p.stderr)
        self.assertFalse(os.path.exists(self.out))
        self.assertEqual(self.forwards(), {})
        self.assertIn("no file was kept", p.stderr)

    def test_refusals_exit_2_and_change_nothing(self):
        before = self.emu.state()
        cases = [
            (["--peer", "doctor", "--out", self.out], "--host"),  # a loopback box says nothing about the LAN
            (["--host", PC, "--out", self.out], "--peer"),
            (["--host", PC, "--peer", "a/b", "--out", self.out], "peer name"),
            (["--host", PC, "--peer", "x", "--peer", "x", "--out", self.out], "twice"),
            (["--host", PC, "--peer", "x", "--subnet", "192.168.1.0/24", "--out", self.out], "overlaps the LAN"),
            (["--host", PC, "--peer", "x", "--port", "0", "--out", self.out], "--port"),
        ]
        for args, words in cases:
            with self.subTest(args=args):
                p = self.bw("--yes", "vpn", "setup", *args)
                self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
                self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
                self.assertIn(words, p.stderr)
        self.assertFalse(os.path.exists(self.out))
        self.assertEqual(self.emu.state(), before)

    def test_without_yes_and_without_a_terminal_it_asks_for_yes(self):
        p = self.bw("vpn", "setup", "--host", PC, "--peer", "doctor", "--out", self.out)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("--yes", p.stderr)
        self.assertFalse(os.path.exists(self.out))

    def test_subcommand_is_checked(self):
        p = self.bw("vpn", "stup")
        self.assertEqual(p.returncode, 2)
        self.assertIn("did you mean 'setup'", p.stderr)
        p = self.bw("vpn")
        self.assertEqual(p.returncode, 2)


class VpnLiveboxPortTaken(unittest.TestCase):
    """The UDP port already goes to another computer: refused, nothing changed."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="bw-vpn-cli-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        scenario = {"password": PASSWORD, "dmz": {},
                    "port_forwards": {"webui_nas": rule("webui_nas", "17", "51820", "192.168.1.30")}}
        self.emu = EmulatorProcess(scenario, ("--throttle", "1"), workdir=self.dir).start()
        self.addCleanup(self.emu.stop)
        self.pwfile = os.path.join(self.dir, "pw")
        with open(self.pwfile, "w") as f:
            f.write(PASSWORD + "\n")
        os.chmod(self.pwfile, 0o600)

    @unittest.skipUnless(BOXWARDEN and os.access(BOXWARDEN, os.X_OK), "BOXWARDEN must name the built binary")
    def test_port_already_forwarded_elsewhere(self):
        before = self.emu.state()
        out = os.path.join(self.dir, "vpn")
        cmd = [BOXWARDEN, "--gateway", "127.0.0.1:%d" % self.emu.port, "--vendor", "livebox", "--password-file",
               self.pwfile, "--state-dir", os.path.join(self.dir, "state"), "--yes", "vpn", "setup", "--host", PC,
               "--peer", "doctor", "--out", out]
        env = dict(os.environ, HOME=self.dir, BOXWARDEN_NETNS="@loopback")
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("already forwarded", p.stderr)
        self.assertIn("192.168.1.30", p.stderr)
        self.assertIn("--port", p.stderr)
        self.assertFalse(os.path.exists(out))
        self.assertEqual(self.emu.state(), before)


if __name__ == "__main__":
    import ci_guard  # a skip fails under CI
    ci_guard.main()
