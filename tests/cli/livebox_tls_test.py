#!/usr/bin/env python3
"""boxwarden against the Livebox emulator over HTTPS, on 127.0.0.1 only (BOXWARDEN_NETNS=@loopback).

Certificates are made at test time with `openssl req -x509` in a temporary directory. The
emulator answers HTTPS with a self-signed certificate; plain HTTP redirects there (or does not
exist). Checks: the first audit pins the key (file 0600 in a 0700 dir) and works, the password
travels only over TLS, the second audit works, the emulator restarted with another certificate
is refused (exit 3, one line that names the command to run, nothing sent, nothing changed), the
command in that message accepts the new key, a redirect off the gateway is never followed, and
the libcurl client (boxwarden_https_get) verifies against a test CA and refuses a wrong one.
"""

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "emulators"))
from livebox_cli_test import DOCTOR, FIXED_EXIT, PASSWORD  # noqa: E402
from livebox_client import EmulatorProcess  # noqa: E402

from schema_check import validate  # tests/cli/schema_check.py: the shipped JSON Schemas

BOXWARDEN = os.environ.get("BOXWARDEN", "")
HTTPS_GET = os.environ.get("BOXWARDEN_HTTPS_GET", "")
OPENSSL = shutil.which("openssl")


def openssl(*args):
    subprocess.run([OPENSSL] + list(args), check=True, capture_output=True)


def self_signed(d, name):
    """A self-signed EC certificate for 127.0.0.1, as a Livebox would have: (cert, key)."""
    cert, key = os.path.join(d, name + ".pem"), os.path.join(d, name + ".key")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=livebox",
            "-addext", "subjectAltName=IP:127.0.0.1")
    return cert, key


def ca_signed(d, name, ca_cert, ca_key):
    cert, key, csr = (os.path.join(d, name + ext) for ext in (".pem", ".key", ".csr"))
    ext = os.path.join(d, name + ".ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
            "-out", csr, "-subj", "/CN=127.0.0.1")
    openssl("x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
            "-days", "2", "-extfile", ext)
    return cert, key


def spki_pin(cert):
    pub = subprocess.run([OPENSSL, "x509", "-in", cert, "-pubkey", "-noout"], check=True, capture_output=True).stdout
    der = subprocess.run([OPENSSL, "pkey", "-pubin", "-outform", "der"], input=pub, check=True,
                         capture_output=True).stdout
    import base64
    import hashlib
    return "sha256//" + base64.b64encode(hashlib.sha256(der).digest()).decode()


@unittest.skipUnless(BOXWARDEN and os.access(BOXWARDEN, os.X_OK), "BOXWARDEN must name the built binary")
@unittest.skipUnless(OPENSSL, "needs the openssl command")
class LiveboxTls(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="bw-livebox-tls-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.cert_a = self_signed(self.dir, "a")
        self.cert_b = self_signed(self.dir, "b")
        self.pwfile = os.path.join(self.dir, "pw")
        with open(self.pwfile, "w") as f:
            f.write(PASSWORD + "\n")
        os.chmod(self.pwfile, 0o600)
        self.state_dir = os.path.join(self.dir, "state")

    def emulator(self, **kw):
        emu = EmulatorProcess(DOCTOR, ("--throttle", "1"), workdir=self.dir, tls=self.cert_a, **kw).start()
        self.addCleanup(emu.stop)
        return emu

    def bw(self, port, *args):
        cmd = [BOXWARDEN, "--gateway", "127.0.0.1:%d" % port, "--vendor", "livebox", "--password-file",
               self.pwfile, "--state-dir", self.state_dir, "--profile", "medical-practice", "--timeout", "30"] + list(args)
        return self.run_bw(cmd)

    def run_bw(self, cmd):
        env = dict(os.environ, HOME=self.dir, BOXWARDEN_NETNS="@loopback")
        env.pop("BOXWARDEN_PASSWORD", None)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL)
        self.assertNotIn(PASSWORD, p.stdout + p.stderr)
        return p

    def pin_file(self, port):
        return os.path.join(self.state_dir, "pins", "127.0.0.1_%d" % port)

    def read_pin(self, port):
        with open(self.pin_file(port)) as f:
            return f.read().strip()

    def assert_secrets_only_over_tls(self, emu):
        calls = emu.calls()
        self.assertTrue(calls)
        for c in calls:
            if c["call"] != "(redirected)":
                self.assertTrue(c["tls"], c)  # login, cookie, every call: TLS only

    def test_pin_on_first_use_refuse_a_new_key_until_accepted(self):
        emu = self.emulator(http_mode="redirect")
        before = emu.state()

        p = self.bw(emu.port, "--format", "json", "audit")  # HTTP port: redirected to HTTPS
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(validate(json.loads(p.stdout), "report")["gateway"]["vendor"], "livebox")
        self.assertIn("now pinned", p.stderr)
        self.assertEqual(self.read_pin(emu.tls_port), spki_pin(self.cert_a[0]))
        self.assertEqual(stat.S_IMODE(os.stat(self.pin_file(emu.tls_port)).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.dirname(self.pin_file(emu.tls_port))).st_mode), 0o700)
        self.assertIn("sah.Device.Information:createContext", [c["call"] for c in emu.calls()])
        self.assert_secrets_only_over_tls(emu)

        p = self.bw(emu.port, "audit")  # second time: the pinned key matches
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertNotIn("pinned", p.stderr)
        self.assertEqual(emu.state(), before)

        emu.restart(tls=self.cert_b)  # same ports and state, another certificate
        p = self.bw(emu.port, "--yes", "fix")
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        errors = [line for line in p.stderr.splitlines() if line.startswith("boxwarden: error:")]
        self.assertEqual(len(errors), 1, p.stderr)
        self.assertIn("different certificate key", errors[0])
        self.assertIn(spki_pin(self.cert_b[0]), errors[0])
        self.assertEqual([c["call"] for c in emu.calls()], ["(redirected)"])  # nothing over TLS
        self.assertEqual(emu.state(), before)
        self.assertEqual(self.read_pin(emu.tls_port), spki_pin(self.cert_a[0]))
        self.assertFalse(os.path.isdir(os.path.join(self.state_dir, "backups")))

        # The message says what to run; run exactly that.
        accept = re.search(r"accept the new key with: (boxwarden [^;]*forget-certificate \S+);", errors[0])
        self.assertIsNotNone(accept, errors[0])
        self.assertTrue(accept.group(1).endswith("forget-certificate 127.0.0.1:%d" % emu.tls_port))
        p = self.run_bw([BOXWARDEN] + accept.group(1).split()[1:])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn(self.pin_file(emu.tls_port), p.stdout)
        self.assertFalse(os.path.exists(self.pin_file(emu.tls_port)))

        p = self.bw(emu.port, "--yes", "fix")
        self.assertEqual(p.returncode, FIXED_EXIT, p.stdout + p.stderr)
        self.assertEqual(set(emu.state()["port_forwards"]), {"cwmp_ACS"})
        self.assertEqual(self.read_pin(emu.tls_port), spki_pin(self.cert_b[0]))
        self.assert_secrets_only_over_tls(emu)

    def test_port_without_plain_http_is_spoken_to_over_tls(self):
        emu = self.emulator(http_mode="off")
        p = self.bw(emu.tls_port, "audit")  # --gateway names the HTTPS port: plain HTTP gets no answer
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertEqual(self.read_pin(emu.tls_port), spki_pin(self.cert_a[0]))
        self.assert_secrets_only_over_tls(emu)

    def test_redirect_off_the_gateway_is_never_followed(self):
        # 127.0.0.2 is still loopback: even a bug could not send anything outside.
        emu = self.emulator(http_mode="redirect", redirect_to="https://127.0.0.2:9/ws")
        p = self.bw(emu.port, "audit")
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        self.assertIn("never elsewhere", p.stderr)
        self.assertEqual([c["call"] for c in emu.calls()], ["(redirected)"])
        self.assertFalse(os.path.exists(os.path.join(self.state_dir, "pins")))

    def test_forget_certificate_without_port_and_when_nothing_is_pinned(self):
        p = self.run_bw([BOXWARDEN, "--state-dir", self.state_dir, "forget-certificate", "127.0.0.1"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("No certificate key is pinned", p.stdout)
        pins = os.path.join(self.state_dir, "pins")
        os.makedirs(pins, mode=0o700)
        for name in ("127.0.0.1_443", "127.0.0.1_8443", "127.0.0.10_443"):
            with open(os.path.join(pins, name), "w") as f:
                f.write(spki_pin(self.cert_a[0]) + "\n")
        p = self.run_bw([BOXWARDEN, "--state-dir", self.state_dir, "--format", "json", "forget-certificate",
                         "127.0.0.1"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sorted(os.path.basename(f) for f in json.loads(p.stdout)["forgotten"]),
                         ["127.0.0.1_443", "127.0.0.1_8443"])
        self.assertEqual(os.listdir(pins), ["127.0.0.10_443"])
        p = self.run_bw([BOXWARDEN, "--state-dir", self.state_dir, "forget-certificate", "127.0.0.1:99999"])
        self.assertEqual(p.returncode, 2, p.stderr)
        p = self.run_bw([BOXWARDEN, "--state-dir", self.state_dir, "forget-certificate", "../x"])
        self.assertEqual(p.returncode, 2, p.stderr)

    @unittest.skipUnless(HTTPS_GET and os.access(HTTPS_GET, os.X_OK), "BOXWARDEN_HTTPS_GET must name the helper")
    def test_ca_bundle_verifies_and_a_wrong_ca_is_refused(self):
        ca = self_signed(self.dir, "test-ca")
        wrong_ca = self_signed(self.dir, "wrong-ca")
        self.cert_a = ca_signed(self.dir, "box", *ca)
        emu = self.emulator(http_mode="off")
        url = "https://127.0.0.1:%d/ws" % emu.tls_port
        p = subprocess.run([HTTPS_GET, url, "--ca", ca[0]], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.split(), ["HTTP", "200", spki_pin(self.cert_a[0])])
        self.assertEqual(len(emu.calls()), 1)
        p = subprocess.run([HTTPS_GET, url, "--ca", wrong_ca[0]], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        self.assertIn("did not sign", p.stderr)
        p = subprocess.run([HTTPS_GET, url, "--pin", spki_pin(self.cert_b[0])], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        self.assertEqual(len(emu.calls()), 1)  # neither refused request reached the box


if __name__ == "__main__":
    import ci_guard  # a skip fails under CI
    ci_guard.main()
