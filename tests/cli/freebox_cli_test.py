#!/usr/bin/env python3
"""boxwarden against the Freebox emulator on 127.0.0.1 (never any other address).

Drives the real binary ($BOXWARDEN) with --gateway 127.0.0.1:PORT --vendor freebox and compares
the emulator's stored state: no token without a terminal (exit 4, what to run), pair (the
emulator grants like the person at the box; denied; revoked token), audit, fix refused for the
missing "settings" permission (exit 4, nothing changed), fix and an exact rollback, dry run,
HTTPS verified against --ca-file / BOXWARDEN_CA_FILE for the box's TLS name on its LAN address.
After every run: no app token, challenge, session token or session password (the emulator
lists all it handed out or received) in the output, the report, a backup or the state dir
beyond the token file.
"""

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "emulators"))
from freebox_client import FreeboxProcess, make_test_ca  # noqa: E402

from schema_check import validate  # tests/cli/schema_check.py: the shipped JSON Schemas

BOXWARDEN = os.environ.get("BOXWARDEN", "")
APP = "fr.boxwarden"
PC = "192.168.1.10"
DOCTOR = {
    "forwards": [{"id": 1, "ip_proto": "tcp", "wan_port_start": 3389, "wan_port_end": 3389, "lan_ip": PC,
                  "lan_port": 3389, "src_ip": "0.0.0.0", "comment": "Bureau a distance", "enabled": True},
                 {"id": 2, "ip_proto": "tcp", "wan_port_start": 11112, "wan_port_end": 11112, "lan_ip": PC,
                  "lan_port": 104, "src_ip": "198.51.100.7", "comment": "PACS", "enabled": True}],
    "dmz": {"enabled": True, "ip": PC},
    "connection_config": {"remote_access": True, "remote_access_port": 21252},
    "upnp_redirs": [{"proto": "tcp", "ext_port": 26476, "int_ip": "192.168.1.49", "int_port": 32400,
                     "desc": "Plex Media Server"}],
    "lan_hosts": {PC: "imagerie"},
    # Every LAN machine reachable over IPv6 (issue 9).
    "ipv6_config": {"ipv6_enabled": True, "ipv6_firewall": False},
}
WRITE_METHODS = ("PUT", "POST", "DELETE")


def writes(calls):
    return [c["call"] for c in calls
            if c["call"].split(" ")[0] in WRITE_METHODS and " login/" not in c["call"]]


@unittest.skipUnless(BOXWARDEN and os.access(BOXWARDEN, os.X_OK), "BOXWARDEN must name the built binary")
class FreeboxCli(unittest.TestCase):
    extra = ("--auto-grant", "2")
    tls = None

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="bw-freebox-cli-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.start_emulator()
        self.state_dir = os.path.join(self.dir, "state")

    def start_emulator(self, extra=None, tls=None):
        self.emu = FreeboxProcess(DOCTOR, extra if extra is not None else self.extra, workdir=self.dir,
                                  tls=tls).start()
        self.addCleanup(self.emu.stop)

    def bw(self, *args, timeout=150, env_extra=None, port=None):
        cmd = [BOXWARDEN, "--gateway", "127.0.0.1:%d" % (port or self.emu.port), "--vendor", "freebox",
               "--state-dir", self.state_dir, "--profile", "medical-practice"] + list(args)
        env = dict(os.environ, HOME=self.dir, **(env_extra or {}))
        if "BOXWARDEN_CA_FILE" not in (env_extra or {}):
            env.pop("BOXWARDEN_CA_FILE", None)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL)
        self.assert_no_secret(p.stdout + p.stderr)
        return p

    def secrets(self):
        s = self.emu.control("GET", "/_emu/secrets")
        return [v for values in s.values() for v in values if v]

    def assert_no_secret(self, text, where="output"):
        for secret in self.secrets():
            self.assertNotIn(secret, text, "a secret in the %s" % where)

    def assert_state_dir_clean(self):
        """Backups and everything else in the state dir hold no secret; the token file is 0600
        in a 0700 directory and holds exactly the app token."""
        for root, _, files in os.walk(self.state_dir):
            for name in files:
                path = os.path.join(root, name)
                with open(path, errors="replace") as f:
                    text = f.read()
                if os.path.basename(root) == "tokens":
                    self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
                    self.assertEqual(stat.S_IMODE(os.stat(root).st_mode), 0o700)
                    self.assertIn(text.strip(), self.emu.control("GET", "/_emu/secrets")["app_tokens"])
                else:
                    self.assert_no_secret(text, path)

    def pair(self):
        p = self.bw("pair")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Press the right arrow on the Freebox's screen to allow boxwarden", p.stderr)
        return p

    def grant_settings(self):
        self.emu.control("POST", "/_emu/permissions", {"app_id": APP, "settings": True})

    def box(self):
        s = self.emu.state()
        fwd = sorted((f["ip_proto"], f["wan_port_start"], f["wan_port_end"], f["lan_ip"], f["lan_port"],
                      f.get("src_ip", "0.0.0.0"), f.get("comment", ""), f.get("enabled", True))
                     for f in s["forwards"])
        return {"forwards": fwd, "dmz": dict(s["dmz"]), "upnp": s["upnpigd"]["enabled"],
                "remote": (s["connection_config"]["remote_access"], s["connection_config"]["remote_access_port"]),
                "ipv6": s["ipv6_config"]}

    # -- tests ---------------------------------------------------------------------------------
    def test_no_token_without_a_terminal_says_what_to_run(self):
        p = self.bw("audit")
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn("no app token for this Freebox: run `boxwarden pair -g 127.0.0.1` at the box", p.stderr)
        self.assertNotIn("POST login/authorize/", [c["call"] for c in self.emu.calls()])

    def test_pair_audit_fix_rollback(self):
        before = self.box()
        self.pair()
        tokens = os.path.join(self.state_dir, "tokens")
        self.assertEqual(len(os.listdir(tokens)), 1)
        self.assert_state_dir_clean()

        p = self.bw("--format", "json", "audit")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("offers no HTTPS", p.stderr)  # plain HTTP is said
        report = validate(json.loads(p.stdout), "report")
        self.assertEqual(report["gateway"]["vendor"], "freebox")
        self.assertRegex(report["gateway"]["box_id"], "^sha256:[0-9a-f]{32}$")  # from the API's uid
        st = report["state"]
        origins = sorted((f["external_port"], f["origin"][0], f["source"]) for f in st["port_forwards"])
        self.assertEqual(origins, [(3389, "webui", "any"), (11112, "webui", "198.51.100.7"),
                                   (26476, "upnp", "any")])
        self.assertEqual(st["dmz"], {"enabled": True, "host": PC})
        self.assertEqual(st["remote_admin"], {"enabled": True})
        self.assertEqual(st["upnp_igd"], {"enabled": True})
        self.assertEqual((st["ipv6"], st["ipv6_firewall"]), ({"enabled": True}, {"enabled": False}))
        self.assertEqual((st["ipv6_pinholes_known"], st["ipv6_pinholes"]), (True, []))  # the API has none
        self.assertEqual([(f["severity"], f["subject"]["kind"]) for f in report["findings"]
                          if f["rule"] == "IPV6-FIREWALL-OFF"], [("critical", "ipv6_firewall")])
        self.assertIsInstance(st["box_services"], list)
        self.assertIn("https", [b["id"] for b in st["box_services"]])
        self.assertEqual(st["unknown"], [])
        self.assertNotIn("fbxos.fr", p.stdout)  # the api_domain identifies the subscriber

        # A new app lacks "settings": exit 4, the place in Freebox OS, nothing changed.
        n = len(self.emu.calls())
        p = self.bw("--yes", "fix")
        self.assertEqual(p.returncode, 4, p.stdout + p.stderr)
        self.assertIn("Paramètres de la Freebox > Gestion des accès > Applications: tick "
                      "'Modification des réglages' for boxwarden", p.stdout + p.stderr)
        self.assertEqual(writes(self.emu.calls()[n:]), [])
        self.assertEqual(self.box(), before)

        self.grant_settings()
        p = self.bw("--yes", "fix")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        after = self.box()
        self.assertEqual(after["forwards"], [])
        self.assertFalse(after["dmz"]["enabled"])
        self.assertFalse(after["upnp"])
        self.assertFalse(after["remote"][0])
        self.assertEqual(after["ipv6"], dict(before["ipv6"], ipv6_firewall=True))  # the rest left alone
        self.assertEqual(self.emu.state()["upnp_redirs"], [])
        self.assert_state_dir_clean()

        # The permission taken back: the rollback is refused like the fix (exit 4, the place in
        # Freebox OS) and leaves the box as the fix left it.
        self.emu.control("POST", "/_emu/permissions", {"app_id": APP, "settings": False})
        p = self.bw("--yes", "rollback")
        self.assertEqual(p.returncode, 4, p.stdout + p.stderr)
        self.assertIn("Gestion des accès", p.stdout + p.stderr)
        self.assertEqual(self.box(), after)
        self.grant_settings()

        p = self.bw("--yes", "rollback")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        restored = self.box()
        # Static forwards, DMZ, UPnP and remote access (with its port) come back exactly; the
        # UPnP mapping comes back as a static rule to the same host and port (the Freebox has no
        # way to create a UPnP mapping).
        self.assertEqual(restored["dmz"], before["dmz"])
        self.assertEqual(restored["upnp"], before["upnp"])
        self.assertEqual(restored["remote"], before["remote"])
        self.assertEqual(restored["ipv6"], before["ipv6"])  # ipv6_firewall false again
        for f in before["forwards"]:
            self.assertIn(f, restored["forwards"])
        self.assertIn(("tcp", 26476, 26476, "192.168.1.49", 32400), [f[:5] for f in restored["forwards"]])
        self.assert_state_dir_clean()

    def test_vendors_lists_the_freebox_honestly(self):
        p = subprocess.run([BOXWARDEN, "--format", "json", "vendors"], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        fbx = [v for v in validate(json.loads(p.stdout), "vendors")["vendors"] if v["id"] == "freebox"]
        self.assertEqual(len(fbx), 1)
        self.assertEqual(set(fbx[0]["capabilities"]), {
            "read-upnp-mappings", "read-static-forwards", "delete-forward", "restore-forward", "read-dmz",
            "change-dmz", "read-upnp-switch", "switch-upnp-off", "read-remote-admin", "switch-remote-admin-off",
            "vpn-server", "pairing", "read-ipv6-firewall", "change-ipv6-firewall", "read-ipv6-pinholes"})

    def test_dry_run_sends_no_write(self):
        self.pair()
        self.grant_settings()
        n = len(self.emu.calls())
        p = self.bw("--dry-run", "--yes", "fix")
        self.assertIn("DELETE http://127.0.0.1:%d/api/v16/fw/redir/1" % self.emu.port, p.stdout)
        self.assertIn('PUT http://127.0.0.1:%d/api/v16/fw/dmz/ {"enabled":false}' % self.emu.port, p.stdout)
        self.assertIn('PUT http://127.0.0.1:%d/api/v16/connection/ipv6/config/ {"ipv6_firewall":true}' % self.emu.port,
                      p.stdout)
        self.assertEqual(writes(self.emu.calls()[n:]), [])

    def test_revoked_token_is_forgotten(self):
        self.pair()
        self.emu.control("POST", "/_emu/revoke", {"app_id": APP})
        p = self.bw("audit")
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn("boxwarden pair -g 127.0.0.1", p.stderr)
        self.assertEqual(os.listdir(os.path.join(self.state_dir, "tokens")), [])


@unittest.skipUnless(BOXWARDEN and os.access(BOXWARDEN, os.X_OK), "BOXWARDEN must name the built binary")
class FreeboxCliPairingDenied(unittest.TestCase):
    """No auto-grant: the test is the person at the box."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="bw-freebox-cli-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.emu = FreeboxProcess(DOCTOR, (), workdir=self.dir).start()
        self.addCleanup(self.emu.stop)
        self.state_dir = os.path.join(self.dir, "state")

    def test_denied_on_the_box_exits_4(self):
        cmd = [BOXWARDEN, "--gateway", "127.0.0.1:%d" % self.emu.port, "--vendor", "freebox",
               "--state-dir", self.state_dir, "pair"]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                stdin=subprocess.DEVNULL, env=dict(os.environ, HOME=self.dir))
        try:
            # Wait for the request to reach the box (an event, not a sleep), then refuse it.
            for _ in range(400):
                if any(c["call"].startswith("GET login/authorize/") for c in self.emu.calls()):
                    break
                time.sleep(0.025)
            self.emu.control("POST", "/_emu/authorize", {"decision": "denied"})
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        self.assertEqual(proc.returncode, 4, err)
        self.assertIn("access was refused on the Freebox's screen", err)
        self.assertFalse(os.path.isdir(os.path.join(self.state_dir, "tokens")) and
                         os.listdir(os.path.join(self.state_dir, "tokens")))


@unittest.skipUnless(BOXWARDEN and os.access(BOXWARDEN, os.X_OK), "BOXWARDEN must name the built binary")
class FreeboxCliHttps(unittest.TestCase):
    """HTTPS: the box's TLS name (api_domain) checked against --ca-file, on 127.0.0.1."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="bw-freebox-tls-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.ca = make_test_ca(self.dir, "fake-1.fbxos.fr")
        self.emu = FreeboxProcess(DOCTOR, ("--auto-grant", "1"), workdir=self.dir,
                                  tls=(self.ca["chain"], self.ca["key"])).start()
        self.addCleanup(self.emu.stop)
        self.state_dir = os.path.join(self.dir, "state")

    def bw(self, *args, ca=True, env_ca=False):
        cmd = [BOXWARDEN, "--gateway", "127.0.0.1:%d" % self.emu.port, "--vendor", "freebox",
               "--state-dir", self.state_dir] + (["--ca-file", self.ca["ca"]] if ca else []) + list(args)
        env = dict(os.environ, HOME=self.dir)
        env.pop("BOXWARDEN_CA_FILE", None)
        if env_ca:
            env["BOXWARDEN_CA_FILE"] = self.ca["ca"]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=150, env=env, stdin=subprocess.DEVNULL)

    def test_https_with_the_test_ca(self):
        p = self.bw("pair")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.bw("--format", "json", "audit")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertNotIn("offers no HTTPS", p.stderr)
        api = [c for c in self.emu.calls() if c["call"] != "GET api_version" and not c["call"].startswith("GET /")]
        self.assertTrue(api)
        self.assertTrue(all(c.get("tls") for c in api), api)
        p = self.bw("audit", ca=False, env_ca=True)  # the same CA from the environment
        self.assertEqual(p.returncode, 1, p.stderr)

    def test_untrusted_certificate_sends_nothing(self):
        n = len(self.emu.calls())
        p = self.bw("pair", ca=False)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("certificate", p.stderr)
        self.assertNotIn("fbxos.fr", p.stderr)  # the box's TLS name identifies the subscriber
        self.assertNotIn("POST login/authorize/", [c["call"] for c in self.emu.calls()[n:]])

    def test_ca_file_without_a_certificate_is_a_usage_error(self):
        bad = os.path.join(self.dir, "bad.pem")
        with open(bad, "w") as f:
            f.write("not a certificate\n")
        p = subprocess.run([BOXWARDEN, "--gateway", "127.0.0.1:%d" % self.emu.port, "--vendor", "freebox",
                            "--state-dir", self.state_dir, "--ca-file", bad, "audit"],
                           capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
                           env=dict(os.environ, HOME=self.dir))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--ca-file", p.stderr)


if __name__ == "__main__":
    import ci_guard  # a skip fails under CI
    ci_guard.main()
