"""Tests of the Freebox emulator itself, on 127.0.0.1 with free ports (tests/cli/freebox_emulator_test.py
runs them under ctest). The reference client (freebox_client.FbxClient) drives it.

Run: python3 -m unittest discover -s tests/emulators -p 'test_freebox_*.py'
"""

import base64
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from freebox_client import FIXTURES, ApiFailure, FbxClient, FreeboxProcess, ca_context, make_test_ca  # noqa: E402
import freebox_nft  # noqa: E402

PC, LAPTOP = "192.168.1.10", "192.168.1.20"
APP = "fr.boxwarden.test"
DOCTOR = {
    "forwards": [{"id": 1, "ip_proto": "tcp", "wan_port_start": 3389, "wan_port_end": 3389, "lan_ip": PC,
                  "lan_port": 3389, "comment": "Bureau a distance"}],
    "dmz": {"enabled": True, "ip": PC},
    "connection_config": {"remote_access": True},
    "upnp_redirs": [{"proto": "tcp", "ext_port": 26476, "int_ip": "192.168.1.49", "int_port": 32400,
                     "desc": "Plex Media Server"}],
    "lan_hosts": {PC: "imagerie"},
}

# Every captured body and the endpoint that gave it (freebox.md section 12).
FIXTURE_PATHS = {
    "fbxcli_connection.json": "connection/",
    "fbxcli_connection_config.json": "connection/config/",
    "fbxcli_connection_ftth.json": "connection/ftth/",
    "fbxcli_connection_xdsl_error_service_down.json": "connection/xdsl/",
    "fbxcli_connection_aggregation_error_noent.json": "connection/aggregation",
    "fbxcli_lan_config.json": "lan/config/",
    "fbxcli_fw_dmz.json": "fw/dmz/",
    "fbxcli_fw_redir_empty.json": "fw/redir/",
    "fbxcli_fw_incoming.json": "fw/incoming/",
    "fbxcli_upnpigd_config.json": "upnpigd/config/",
    "fbxcli_upnpigd_redir.json": "upnpigd/redir/",
    "fbxcli_vpn_servers.json": "vpn/",
    "fbxcli_vpn_user_empty.json": "vpn/user/",
    "fbxcli_vpn_ip_pool.json": "vpn/ip_pool/",
    "fbxcli_vpn_connection_empty.json": "vpn/connection/",
    "fbxcli_vpn_client_status.json": "vpn_client/status",
    "fbxcli_system.json": "system/",
    "fbxcli_home_nodes_error_404_invalid_request.json": "home/nodes",
    "fbxcli_rrd_error_invalid_db.json": "rrd/",
    "fbxcli_login_perms.json": "login/perms/",
    "fbxcli_authorization.json": "authorization/",
    "fbxcli_domain_config.json": "domain/config/",
}
# Bodies the empty box gives back byte for byte (after JSON decoding).
EXACT = {"fbxcli_fw_dmz.json", "fbxcli_fw_redir_empty.json", "fbxcli_fw_incoming.json", "fbxcli_upnpigd_config.json",
         "fbxcli_vpn_servers.json", "fbxcli_vpn_user_empty.json", "fbxcli_vpn_ip_pool.json",
         "fbxcli_vpn_connection_empty.json", "fbxcli_vpn_client_status.json", "fbxcli_system.json",
         "fbxcli_home_nodes_error_404_invalid_request.json", "fbxcli_rrd_error_invalid_db.json",
         "fbxcli_connection.json", "fbxcli_lan_config.json",
         "fbxcli_connection_ftth.json", "fbxcli_connection_xdsl_error_service_down.json",
         "fbxcli_connection_aggregation_error_noent.json", "fbxcli_domain_config.json"}


def fixture(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return json.load(f)


def shape(value):
    """Key sets and value types, recursively (a list by its first element)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def x25519_public(private_b64):
    """The public key of a raw X25519 private key, computed by openssl (as `wg pubkey` would)."""
    der = bytes.fromhex("302e020100300506032b656e04220420") + base64.b64decode(private_b64)
    out = subprocess.run(["openssl", "pkey", "-inform", "DER", "-pubout", "-outform", "DER"], input=der,
                         capture_output=True, check=True).stdout
    return base64.b64encode(out[-32:]).decode()


class Case(unittest.TestCase):
    scenario = DOCTOR
    extra_args = ()
    tls = None

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="fbx-emu-test-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.emu = FreeboxProcess(self.scenario, self.extra_args, workdir=self.dir, tls=self.tls).start()
        self.addCleanup(self.emu.stop)

    def client(self, settings=True, app_id=APP):
        """A paired, logged-in client (the person at the box pressed "yes")."""
        c = FbxClient(self.emu.port, app_id=app_id)
        track = c.pair()
        self.emu.decide("granted", track)
        self.assertEqual(c.wait_decision(track), "granted")
        if settings:
            self.emu.permissions(app_id, settings=True)
        status, body = c.login()
        self.assertEqual(status, 200, body)
        return c

    def state(self):
        return self.emu.state()


class FixtureShapeTest(Case):
    scenario = {"upnp_redirs": DOCTOR["upnp_redirs"]}

    def test_api_version_as_captured(self):
        got = FbxClient(self.emu.port).api_version()
        want = fixture("fbxcli_api_version.json")
        self.assertEqual(shape(got), shape(want))
        self.assertEqual(dict(got, https_available=True), want)
        self.assertIs(got["https_available"], False)  # no --tls-cert

    def test_every_captured_reply_has_its_shape(self):
        c = self.client()
        for name, endpoint in sorted(FIXTURE_PATHS.items()):
            with self.subTest(fixture=name):
                want = fixture(name)
                status, got = c.request("GET", endpoint)
                self.assertEqual(status, 404 if "404" in name else 200)
                self.assertEqual(shape(got), shape(want))
                if name in EXACT:
                    self.assertEqual(got, want)
        # As captured but for HTTPS, which this emulator only has with --tls-cert.
        want = fixture("fbxcli_connection_config.json")
        want["result"]["https_available"] = False
        self.assertEqual(c.request("GET", "connection/config/")[1], want)

    def test_forward_shape_as_documented(self):
        c = self.client()
        rule = c.call("POST", "fw/redir/", {"enabled": True, "comment": "port comment", "lan_port": 69,
                                            "wan_port_end": 69, "wan_port_start": 69, "lan_ip": "192.168.1.22",
                                            "ip_proto": "tcp", "src_ip": "8.8.8.8"})
        want = fixture("ha_lan_get_port_forwarding_config_list.DOCS_DERIVED.json")[0]
        self.assertEqual(set(rule), set(want))
        host = fixture("fbxcli_upnpigd_redir.json")["result"][0]["host"]
        self.assertEqual(shape(rule["host"]), shape(host))
        self.assertEqual(c.call("GET", "fw/redir/"), [rule])

    def test_versions_and_unknown_paths(self):
        c = self.client()
        for base in ("/api/v16/", "/api/v3/", "/api/latest/"):
            c.base = base
            self.assertEqual(c.call("GET", "fw/dmz/"), {"enabled": False, "ip": ""})
        c.base = "/api/v17/"
        self.assertEqual(c.request("GET", "fw/dmz/"), (404, fixture("fbxcli_home_nodes_error_404_invalid_request.json")))
        c.base = "/api/v16/"
        self.assertEqual(c.request("DELETE", "fw/dmz/")[0], 404)
        # Unknown paths are 404 even without a session; known ones need one.
        anon = FbxClient(self.emu.port)
        self.assertEqual(anon.request("GET", "nothing/here")[0], 404)
        self.assertEqual(anon.request("GET", "fw/dmz/")[1]["error_code"], "auth_required")


class PairingTest(Case):
    def test_pending_then_granted(self):
        c = FbxClient(self.emu.port)
        track = c.pair()
        self.assertEqual(len(c.app_token), 64)
        self.assertEqual(c.track(track), "pending")
        self.assertEqual(c.track(track), "pending")
        status, body = c.login()  # not yet validated on the box
        self.assertEqual((status, body["error_code"]), (403, "pending_token"))
        self.assertEqual(self.emu.decide("granted")["decided"], 1)
        self.assertEqual(c.track(track), "granted")
        self.assertEqual(c.login()[0], 200)
        self.assertIs(c.permissions["settings"], False)  # a new app lacks "settings"

    def test_denied_timeout_unknown(self):
        for decision in ("denied", "timeout"):
            with self.subTest(decision=decision):
                c = FbxClient(self.emu.port, app_id="fr.test." + decision)
                track = c.pair()
                self.emu.decide(decision, track)
                self.assertEqual(c.track(track), decision)
                status, body = c.login()
                self.assertEqual((status, body["error_code"]), (403, "invalid_token"))
        c = self.client()
        track = self.state()["apps"][-1]["track_id"]
        self.emu.revoke(APP)
        self.assertEqual(c.track(track), "unknown")
        self.assertEqual(c.track(999), "unknown")

    def test_each_app_gets_its_own_random_token(self):
        a, b = FbxClient(self.emu.port), FbxClient(self.emu.port)
        ta, tb = a.pair(), b.pair()
        self.assertNotEqual(ta, tb)
        self.assertNotEqual(a.app_token, b.app_token)

    def test_new_apps_denied(self):
        c = self.client()
        c.call("PUT", "connection/config/", {"allow_token_request": False})
        status, body = FbxClient(self.emu.port).request("POST", "login/authorize/", {
            "app_id": "x", "app_name": "x", "app_version": "1", "device_name": "x"})
        self.assertEqual((status, body["error_code"]), (403, "new_apps_denied"))


class PairedInScenarioTest(Case):
    token = "k" * 32 + "+/" * 16  # a test value, 64 characters like the box's
    scenario = dict(DOCTOR, apps=[{"app_id": "fr.pre.paired", "app_token": token, "permissions": {"settings": True}},
                                  {"app_id": "fr.pre.reader", "app_token": "r" * 64}])

    def test_apps_from_the_scenario_log_in(self):
        c = FbxClient(self.emu.port, app_id="fr.pre.paired")
        c.app_token = self.token
        self.assertEqual(c.login()[0], 200)
        self.assertEqual(c.call("PUT", "fw/dmz/", {"enabled": False})["enabled"], False)
        reader = FbxClient(self.emu.port, app_id="fr.pre.reader")
        reader.app_token = "r" * 64
        self.assertEqual(reader.login()[0], 200)
        self.assertIs(reader.permissions["settings"], False)  # new_app_permissions by default
        self.assertEqual(reader.request("PUT", "fw/dmz/", {"enabled": True})[1]["error_code"], "insufficient_rights")
        self.assertEqual([a["app_id"] for a in c.call("GET", "authorization/")], ["fr.pre.paired", "fr.pre.reader"])


class AutoGrantTest(Case):
    extra_args = ("--auto-grant", "2")

    def test_granted_after_two_pending_polls(self):
        c = FbxClient(self.emu.port)
        track = c.pair()
        self.assertEqual([c.track(track) for _ in range(3)], ["pending", "pending", "granted"])


class LoginTest(Case):
    extra_args = ("--max-bad-logins", "3", "--ratelimit-seconds", "1")

    def test_hmac_login_and_one_use_challenge(self):
        c = self.client()
        challenge = c.challenge()
        self.assertEqual(c.login(challenge)[0], 200)
        status, body = c.login(challenge)  # the same challenge again: used up
        self.assertEqual((status, body["error_code"]), (403, "invalid_token"))
        self.assertEqual(body["uid"], "scrubbed-uid-1")
        self.assertIsInstance(body["result"]["challenge"], str)
        self.assertEqual(c.login(body["result"]["challenge"])[0], 200)  # the one the refusal gave
        self.assertEqual(set(c.permissions), set(fixture("fbxcli_login_perms.json")["result"]))

    def test_bad_password_and_ratelimit(self):
        c = self.client()
        good = c.app_token
        c.app_token = good[:-1] + ("A" if good[-1] != "A" else "B")
        for _ in range(3):
            self.assertEqual(c.login()[1]["error_code"], "invalid_token")
        c.app_token = good
        status, body = c.login()
        self.assertEqual((status, body["error_code"]), (403, "ratelimited"))
        time.sleep(1.1)  # the scenario: the rate limit's period passes
        self.assertEqual(c.login()[0], 200)

    def test_auth_required_expire_and_relogin(self):
        c = self.client()
        token = c.session_token
        c.session_token = None
        status, body = c.request("GET", "fw/dmz/")
        self.assertEqual((status, body["error_code"]), (403, "auth_required"))
        c.session_token = token
        self.emu.control("POST", "/_emu/expire", {})
        self.assertEqual(c.request("GET", "fw/dmz/")[1]["error_code"], "auth_required")
        self.assertEqual(c.call("GET", "fw/dmz/")["ip"], PC)  # the client logs in again once
        self.assertNotEqual(c.session_token, token)

    def test_logout(self):
        c = self.client()
        self.assertEqual(c.request("GET", "login/")[1]["result"]["logged_in"], True)
        token = c.session_token
        self.assertEqual(c.logout(), (200, {"success": True}))
        c.session_token = token
        self.assertEqual(c.request("GET", "fw/dmz/")[1]["error_code"], "auth_required")

    def test_revoked_token(self):
        c = self.client()
        self.emu.revoke(APP)
        self.assertEqual(c.request("GET", "fw/dmz/")[1]["error_code"], "auth_required")
        status, body = c.login()
        self.assertEqual((status, body["error_code"]), (403, "invalid_token"))

    def test_insufficient_rights_and_permissions_captured_at_open(self):
        c = self.client(settings=False)
        self.assertEqual(c.call("GET", "fw/dmz/")["enabled"], True)  # reading needs no "settings"
        for method, endpoint, body in (("PUT", "fw/dmz/", {"enabled": False}), ("DELETE", "fw/redir/1", None),
                                       ("PUT", "upnpigd/config/", {"enabled": False}),
                                       ("PUT", "connection/config/", {"remote_access": False}),
                                       ("PUT", "connection/ipv6/config/", {"ipv6_firewall": False}),
                                       ("POST", "vpn/user/", {"login": "x"})):
            status, reply = c.request(method, endpoint, body)
            self.assertEqual((status, reply["error_code"], reply["missing_right"]),
                             (403, "insufficient_rights", "settings"), endpoint)
        self.assertEqual(self.state()["dmz"], DOCTOR["dmz"])
        self.assertIs(self.state()["ipv6_config"]["ipv6_firewall"], True)
        self.emu.permissions(APP, settings=True)
        self.assertEqual(c.request("PUT", "fw/dmz/", {"enabled": False})[0], 403)  # the session kept its rights
        c.login()
        self.assertEqual(c.call("PUT", "fw/dmz/", {"enabled": False}), {"enabled": False, "ip": PC})
        self.assertEqual(c.call("GET", "login/perms/")["settings"]["granted"], True)


class WriteTest(Case):

    def test_forwards(self):
        c = self.client()
        self.assertEqual(c.call("GET", "fw/redir/1")["hostname"], "imagerie")
        new = {"enabled": True, "lan_port": 8443, "wan_port_start": 443, "wan_port_end": 443, "lan_ip": LAPTOP,
               "ip_proto": "tcp", "src_ip": "203.0.113.9", "comment": "web"}
        rule = c.call("POST", "fw/redir/", new)
        self.assertEqual(rule["id"], 2)
        self.assertEqual({k: rule[k] for k in new}, new)
        self.assertEqual(c.call("PUT", "fw/redir/2", {"enabled": False})["enabled"], False)
        self.assertIs(self.state()["forwards"][1]["enabled"], False)
        for bad in ({"lan_ip": "10.0.0.1"}, {"ip_proto": "icmp"}, {"wan_port_start": 0}, {"lan_port": "x"}):
            with self.assertRaises(ApiFailure) as e:
                c.call("POST", "fw/redir/", dict(new, **bad))
            self.assertEqual(e.exception.code, "inval", bad)
        with self.assertRaises(ApiFailure) as e:
            c.call("POST", "fw/redir/", dict(new, wan_port_start=3389, wan_port_end=3390))
        self.assertEqual(e.exception.code, "exist")
        self.assertIsNone(c.call("DELETE", "fw/redir/1"))
        with self.assertRaises(ApiFailure) as e:
            c.call("DELETE", "fw/redir/1")
        self.assertEqual((e.exception.status, e.exception.code), (200, "noent"))
        self.assertEqual([r["id"] for r in self.state()["forwards"]], [2])
        self.assertEqual(c.call("POST", "fw/redir/", dict(new, wan_port_start=80, wan_port_end=80))["id"], 3)

    def test_dmz_upnp_connection_ipv6_incoming(self):
        c = self.client()
        with self.assertRaises(ApiFailure) as e:
            c.call("PUT", "fw/dmz/", {"enabled": True, "ip": ""})
        self.assertEqual(e.exception.code, "inval")
        c.call("PUT", "fw/dmz/", {"enabled": False})
        self.assertEqual(self.state()["dmz"], {"enabled": False, "ip": PC})
        redirs = c.call("GET", "upnpigd/redir/")
        self.assertEqual([r["id"] for r in redirs], ["0.0.0.0-26476-tcp"])
        c.call("PUT", "upnpigd/config/", {"enabled": False})
        with self.assertRaises(ApiFailure) as e:
            c.call("GET", "upnpigd/redir/")
        self.assertEqual(e.exception.code, "disabled")
        c.call("PUT", "upnpigd/config/", {"enabled": True})
        self.assertIsNone(c.call("DELETE", "upnpigd/redir/0.0.0.0-26476-tcp"))
        self.assertIsNone(c.call("GET", "upnpigd/redir/"))
        cfg = c.call("PUT", "connection/config/", {"remote_access": False})
        self.assertEqual((cfg["remote_access"], cfg["remote_access_port"]), (False, 21252))
        with self.assertRaises(ApiFailure) as e:
            c.call("PUT", "connection/config/", {"remote_access_port": 80})
        self.assertEqual(e.exception.code, "invalid_port")
        self.assertIs(c.call("PUT", "connection/ipv6/config/", {"ipv6_firewall": False})["ipv6_firewall"], False)
        self.assertIs(self.state()["ipv6_config"]["ipv6_firewall"], False)
        self.assertIs(c.call("PUT", "fw/incoming/http", {"enabled": False})["enabled"], False)
        self.assertIs(c.call("GET", "fw/incoming/http")["enabled"], False)
        with self.assertRaises(ApiFailure) as e:
            c.call("PUT", "fw/incoming/pptp", {"in_port": 1724})
        self.assertEqual(e.exception.code, "inval")

    def test_wireguard_server_users_and_config(self):
        c = self.client()
        cfg = c.call("PUT", "vpn/wireguard/config/", {"enabled": True, "port": 18964, "conf_wireguard": {"mtu": 1420}})
        self.assertEqual((cfg["enabled"], cfg["port"], cfg["type"]), (True, 18964, "wireguard"))
        servers = {s["name"]: s["state"] for s in c.call("GET", "vpn/")}
        self.assertEqual((servers["wireguard"], servers["pptp"]), ("started", "stopped"))
        with self.assertRaises(ApiFailure):
            c.call("PUT", "vpn/wireguard/config/", {"port": 80})
        user = c.call("POST", "vpn/user/", {"login": "docteur", "type": "wireguard", "ip_reservation": "192.168.27.70",
                                            "conf_wireguard": {"keepalive": 25, "psk": True}})
        self.assertEqual(user, {"login": "docteur", "type": "wireguard", "ip_reservation": "192.168.27.70",
                                "password_set": False, "conf_wireguard": {"keepalive": 25, "psk": True}})
        with self.assertRaises(ApiFailure) as e:
            c.call("POST", "vpn/user/", {"login": "autre", "type": "wireguard", "ip_reservation": "192.168.27.70"})
        self.assertEqual(e.exception.code, "exist")
        self.assertEqual(c.call("GET", "vpn/ip_pool/")["reservations"], [{"login": "docteur", "ip": "192.168.27.70"}])
        status, ctype, data = c.download("vpn/download_config/wireguard/docteur/plain")
        self.assertEqual((status, ctype), (200, "text/plain"))
        conf = data.decode()
        keys = self.state()["wireguard_keys"]
        self.assertIn("PublicKey = %s\n" % keys["server"]["public"], conf)
        self.assertIn("PrivateKey = %s\n" % keys["users"]["docteur"]["private"], conf)
        self.assertIn("PresharedKey = %s\n" % keys["users"]["docteur"]["psk"], conf)
        for line in ("Address = 192.168.27.70/32", "Endpoint = 203.0.113.1:18964", "AllowedIPs = 192.168.1.0/24",
                     "PersistentKeepalive = 25"):
            self.assertIn(line + "\n", conf)
        self.assertEqual(x25519_public(keys["users"]["docteur"]["private"]), keys["users"]["docteur"]["public"])
        self.assertEqual(x25519_public(keys["server"]["private"]), keys["server"]["public"])
        again = c.download("vpn/download_config/wireguard/docteur/plain")[2].decode()
        self.assertNotEqual(again, conf)  # a fresh client key at each download
        self.assertIsNone(c.call("DELETE", "vpn/user/docteur"))
        self.assertIsNone(c.call("GET", "vpn/user/"))
        status, ctype, data = c.download("vpn/download_config/wireguard/docteur/plain")
        self.assertEqual((status, json.loads(data)["error_code"]), (200, "noent"))
        c.call("PUT", "vpn/wireguard/config/", {"enabled": False})
        self.assertEqual({s["name"]: s["state"] for s in c.call("GET", "vpn/")}["wireguard"], "stopped")

    def test_secrets_never_logged(self):
        c = self.client()
        c.call("POST", "vpn/user/", {"login": "std", "type": "standard", "password": "pw-0123456789"})
        c.call("PUT", "vpn/wireguard/config/", {"enabled": True})
        c.call("POST", "vpn/user/", {"login": "wg", "type": "wireguard", "ip_reservation": "192.168.27.71"})
        conf = c.download("vpn/download_config/wireguard/wg/plain")[2].decode()
        challenge = c.challenge()
        c.login(challenge)
        log = json.dumps(self.emu.control("GET", "/_emu/log")) + self.emu.log()
        issued = self.emu.control("GET", "/_emu/secrets")
        self.assertIn(c.app_token, issued["app_tokens"])
        self.assertIn(c.session_token, issued["session_tokens"])
        self.assertIn(challenge, issued["challenges"])
        self.assertIn(c.password(c.app_token, challenge), issued["passwords"])
        private = [line.split(" = ")[1] for line in conf.splitlines() if line.startswith("PrivateKey")][0]
        for secret in (c.app_token, c.session_token, challenge, c.password(c.app_token, challenge),
                       "pw-0123456789", private):
            self.assertNotIn(secret, log)
        self.assertIn('"password": "(hidden)"', log)
        self.assertEqual([sorted(u) for u in c.call("GET", "vpn/user/")],  # the password is write-only
                         [["ip_reservation", "login", "password_set", "type"],
                          ["conf_wireguard", "ip_reservation", "login", "password_set", "type"]])
        self.assertEqual(os.stat(self.emu.state_path).st_mode & 0o777, 0o600)


class Ipv6ConfigTest(Case):
    """GET/PUT connection/ipv6/config/ (freebox.md 8): a partial update, checked whole before
    anything is kept, answered with the whole object; its effect in nftables."""

    def test_get_put_and_validation(self):
        c = self.client()
        cfg = c.call("GET", "connection/ipv6/config/")
        self.assertEqual({k: cfg[k] for k in ("ipv6_enabled", "ipv6_firewall", "ipv6_prefix_firewall")},
                         {"ipv6_enabled": True, "ipv6_firewall": True, "ipv6_prefix_firewall": False})
        self.assertEqual(cfg["delegations"], [{"prefix": "2001:db8:1::/64", "next_hop": ""}])
        self.assertNotIn("box_ipv6", self.emu.control("GET", "/_emu/nft")["script"])  # no --ipv6-chain
        reply = c.call("PUT", "connection/ipv6/config/", {"ipv6_firewall": False})
        self.assertEqual(dict(cfg, ipv6_firewall=False), reply)
        self.assertEqual(self.state()["ipv6_config"], reply)
        before = self.state()["ipv6_config"]
        for bad, code in (({"ipv6_firewall": "false"}, "inval"), ({"ipv6_firewall": 0}, "inval"),
                          ({"ipv6_firewall": True, "ipv6_enabled": None}, "inval"),
                          ({"ipv6_firewall": True, "delegations": [{"prefix": "2001:db8:2::/64"}]}, "inval"),
                          ({"ipv6_firewall": True, "delegations": []}, "inval"),
                          ({"ipv6_firewall": True, "delegations": [{"next_hop": "192.168.1.10"}]}, "inval"),
                          ({"ipv6_firewall": True, "delegations": "x"}, "inval")):
            with self.assertRaises(ApiFailure) as e:
                c.call("PUT", "connection/ipv6/config/", bad)
            self.assertEqual(e.exception.code, code, bad)
            self.assertEqual(self.state()["ipv6_config"], before, bad)  # nothing half kept
        reply = c.call("PUT", "connection/ipv6/config/",
                       {"ipv6_firewall": True, "delegations": [{"next_hop": "fe80:0::0:10"}], "ipv6ll": "fe80::9"})
        self.assertEqual((reply["ipv6_firewall"], reply["delegations"], reply["ipv6ll"]),
                         (True, [{"prefix": "2001:db8:1::/64", "next_hop": "fe80::10"}], "fe80::1"))
        self.assertEqual([x["route"] for x in self.emu.calls() if x["call"].startswith("PUT")][-1],
                         "PUT connection/ipv6/config/")

    def test_faults_on_the_ipv6_write(self):
        c = self.client()
        self.emu.fail("PUT connection/ipv6/config/", "error")
        with self.assertRaises(ApiFailure) as e:
            c.call("PUT", "connection/ipv6/config/", {"ipv6_firewall": False})
        self.assertEqual(e.exception.code, "internal_error")
        self.assertIs(self.state()["ipv6_config"]["ipv6_firewall"], True)
        self.emu.fail("PUT connection/ipv6/config/", "reset-after")
        with self.assertRaises((ConnectionError, OSError)):
            c.call("PUT", "connection/ipv6/config/", {"ipv6_firewall": False})
        self.assertIs(self.state()["ipv6_config"]["ipv6_firewall"], False)  # done, the client never knew


class FaultTest(Case):
    extra_args = ("--hang-seconds", "1.5")

    def test_error_reset_after_http500(self):
        c = self.client()
        self.emu.fail("PUT fw/dmz/", "error")
        with self.assertRaises(ApiFailure) as e:
            c.call("PUT", "fw/dmz/", {"enabled": False})
        self.assertEqual((e.exception.status, e.exception.code), (200, "internal_error"))
        self.assertIs(self.state()["dmz"]["enabled"], True)  # nothing done
        self.emu.fail("PUT fw/dmz/", "reset")
        with self.assertRaises((ConnectionError, OSError)):
            c.call("PUT", "fw/dmz/", {"enabled": False})
        self.assertIs(self.state()["dmz"]["enabled"], True)
        self.emu.fail("PUT fw/dmz/", "reset-after")
        with self.assertRaises((ConnectionError, OSError)):
            c.call("PUT", "fw/dmz/", {"enabled": False})
        self.assertIs(self.state()["dmz"]["enabled"], False)  # done, but the client never knew
        self.emu.fail("DELETE fw/redir/{id}", "http500")  # the route's name matches every id
        self.assertEqual(c.raw("DELETE", c.base + "fw/redir/1", headers={"X-Fbx-App-Auth": c.session_token})[0], 500)
        calls = self.emu.calls()
        self.assertEqual([x.get("fault") for x in calls if x["call"] in ("PUT fw/dmz/", "DELETE fw/redir/1")],
                         ["error", "reset", "reset-after", "http500"])

    def test_hang_and_skip(self):
        c = self.client()
        self.emu.fail("PUT upnpigd/config/", "hang", -1)
        c.timeout = 0.5
        with self.assertRaises((socket.timeout, TimeoutError, OSError)):
            c.call("PUT", "upnpigd/config/", {"enabled": False})
        c.timeout = 10
        self.assertIs(self.state()["upnpigd"]["enabled"], True)
        self.emu.clear()
        self.emu.control("POST", "/_emu/fail", {"call": "POST fw/redir/", "kind": "error", "count": 1, "skip": 1})
        base = {"lan_port": 80, "wan_port_end": 80, "wan_port_start": 80, "lan_ip": LAPTOP, "ip_proto": "tcp"}
        self.assertEqual(c.call("POST", "fw/redir/", base)["id"], 2)
        with self.assertRaises(ApiFailure):
            c.call("POST", "fw/redir/", dict(base, wan_port_start=81, wan_port_end=81))
        self.assertEqual(c.call("POST", "fw/redir/", dict(base, wan_port_start=81, wan_port_end=81))["id"], 3)

    def test_reboot_after_keeps_state_and_token_drops_sessions(self):
        self.emu.stop()
        emu = FreeboxProcess(DOCTOR, self.extra_args, reboot_delay=0.3).start()
        self.addCleanup(emu.stop)
        self.emu = emu
        c = self.client()
        port = emu.port
        emu.fail("DELETE fw/redir/{id}", "reboot-after")
        with self.assertRaises((ConnectionError, OSError)):
            c.call("DELETE", "fw/redir/1")
        deadline = time.monotonic() + 10
        while emu.reboots < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        emu.wait_up()
        self.assertEqual((emu.port, emu.reboots), (port, 1))
        self.assertEqual(emu.state()["forwards"], [])  # done before the reboot, kept
        self.assertEqual(c.request("GET", "fw/dmz/")[1]["error_code"], "auth_required")  # session lost
        self.assertEqual(c.login()[0], 200)  # the app token survives a reboot
        self.assertEqual(c.call("GET", "fw/dmz/")["ip"], PC)


class CliFaultTest(Case):
    extra_args = ("--fail", "POST login/session/:http500:2", "--fail", "GET fw/dmz/", "--fail",
                  "GET fw/incoming/:error:always")

    def test_faults_armed_from_the_command_line(self):
        c = FbxClient(self.emu.port)
        self.emu.decide("granted", c.pair())
        for _ in range(2):
            self.assertEqual(c.raw("POST", c.base + "login/session/", {"app_id": APP, "password": "x"})[0], 500)
        self.assertEqual(c.login()[0], 200)  # the third one goes through
        for endpoint, times in (("fw/dmz/", 1), ("fw/incoming/", 3)):
            for _ in range(times):
                with self.assertRaises(ApiFailure) as e:
                    c.call("GET", endpoint)
                self.assertEqual(e.exception.code, "internal_error")
        self.assertEqual(c.call("GET", "fw/dmz/")["ip"], PC)  # once only


class PersistenceTest(Case):
    def test_restart_keeps_state(self):
        c = self.client()
        c.call("PUT", "fw/dmz/", {"enabled": False})
        before = self.state()
        self.emu.restart()
        self.assertEqual(self.state(), before)
        c.port = self.emu.port
        self.assertEqual(c.login()[0], 200)
        self.assertIs(c.call("GET", "fw/dmz/")["enabled"], False)


def free_port(lo=16384, hi=32767):
    for port in range(lo + os.getpid() % 1000, hi):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port")


class RemoteAccessTest(Case):
    def setUp(self):
        self.remote_port = free_port()
        self.scenario = dict(DOCTOR, connection_config={"remote_access": True, "remote_access_port": self.remote_port})
        self.extra_args = ("--remote-bind", "127.0.0.1")
        super().setUp()

    def reachable(self):
        try:
            socket.create_connection(("127.0.0.1", self.remote_port), 2).close()
            return True
        except OSError:
            return False

    def test_listener_follows_remote_access(self):
        self.assertTrue(self.reachable())
        remote = FbxClient(self.remote_port)
        self.assertEqual(remote.api_version()["uid"], "scrubbed-uid-1")  # the same box, from outside
        c = self.client()
        c.call("PUT", "connection/config/", {"remote_access": False})
        self.assertFalse(self.reachable())
        c.call("PUT", "connection/config/", {"remote_access": True})
        self.assertTrue(self.reachable())


class TlsTest(Case):
    name = "fake-1.fbxos.fr"

    def setUp(self):
        d = tempfile.mkdtemp(prefix="fbx-ca-")
        self.addCleanup(shutil.rmtree, d, True)
        self.ca = make_test_ca(d, self.name)
        self.tls = (self.ca["chain"], self.ca["key"])
        super().setUp()

    def test_https_verified_against_the_ca_and_the_api_domain(self):
        info = FbxClient(self.emu.port).api_version()  # plain HTTP still answers
        self.assertEqual((info["https_available"], info["https_port"]), (True, self.emu.tls_port))
        c = FbxClient(self.emu.tls_port, tls_context=ca_context(self.ca["ca"]), server_name=info["api_domain"])
        self.assertEqual(c.api_version()["api_domain"], self.name)
        track = c.pair()
        self.emu.decide("granted", track)
        self.assertEqual(c.login()[0], 200)
        self.assertEqual(c.call("GET", "fw/dmz/")["ip"], PC)
        self.assertTrue(all(x["tls"] for x in self.emu.calls() if x["call"].startswith("POST login")))
        wrong_name = FbxClient(self.emu.tls_port, tls_context=ca_context(self.ca["ca"]), server_name="other.fbxos.fr")
        with self.assertRaises(ssl.SSLCertVerificationError):
            wrong_name.api_version()
        roots = os.path.join(FIXTURES, "freebox_root_cas_from_hacf-fr_freebox-api.pem")
        wrong_ca = FbxClient(self.emu.tls_port, tls_context=ca_context(roots), server_name=self.name)
        with self.assertRaises(ssl.SSLCertVerificationError):
            wrong_ca.api_version()

    def test_api_domain_option(self):
        self.emu.stop()
        emu = FreeboxProcess(DOCTOR, ["--api-domain", "other-2.fbxos.fr", "--uid", "u-2"], tls=self.tls).start()
        self.addCleanup(emu.stop)
        info = FbxClient(emu.port).api_version()
        self.assertEqual((info["api_domain"], info["uid"]), ("other-2.fbxos.fr", "u-2"))


SCENARIOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "freebox_scenarios")
LAB_LIB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lab", "lib.sh")


class ScenarioFilesTest(unittest.TestCase):
    """The lab's scenarios use the lab's addresses (tests/lab/lib.sh)."""

    def lab(self, name):
        with open(LAB_LIB) as f:
            for line in f:
                if line.startswith(name + "="):
                    return line.strip().split("=", 1)[1]
        raise AssertionError(name + " not in lib.sh")

    def serve(self, name):
        with open(os.path.join(SCENARIOS, name)) as f:
            emu = FreeboxProcess(json.load(f)).start()
        self.addCleanup(emu.stop)
        c = FbxClient(emu.port)
        emu.decide("granted", c.pair())
        c.login()
        return c

    def test_doctor(self):
        c = self.serve("doctor.json")
        pc, box, wan = self.lab("PC_IP"), self.lab("BOX_LAN"), self.lab("WAN_IP")
        self.assertEqual(c.call("GET", "lan/config/")["ip"], box)
        self.assertEqual(c.call("GET", "connection/")["ipv4"], wan)
        self.assertEqual(c.call("GET", "fw/dmz/"), {"enabled": True, "ip": pc})
        self.assertEqual([(r["ip_proto"], r["wan_port_start"], r["lan_ip"], r["lan_port"], r["enabled"])
                          for r in c.call("GET", "fw/redir/")], [("tcp", 3389, pc, 3389, True)])
        cfg = c.call("GET", "connection/config/")
        self.assertEqual((cfg["remote_access"], cfg["remote_access_ip"]), (True, wan))

    def test_empty(self):
        c = self.serve("empty.json")
        self.assertEqual(c.call("GET", "fw/dmz/"), {"enabled": False, "ip": ""})
        self.assertIsNone(c.call("GET", "fw/redir/"))
        self.assertIs(c.call("GET", "connection/config/")["remote_access"], False)


class NftRenderTest(unittest.TestCase):
    def test_forwards_dmz_and_own_ports(self):
        import freebox_model
        state = freebox_model.default_state()
        freebox_model.apply_scenario(state, DOCTOR)
        state["forwards"].append(dict(state["forwards"][0], id=2, ip_proto="udp", wan_port_start=5000,
                                      wan_port_end=5010, lan_port=5000, src_ip="203.0.113.7"))
        state["forwards"].append(dict(state["forwards"][0], id=3, enabled=False, wan_port_start=22, wan_port_end=22))
        state["vpn"]["wireguard"]["enabled"] = True
        script = freebox_nft.render(state, "wan0")
        self.assertIn('iifname "wan0" tcp dport 3389 dnat to 192.168.1.10:3389', script)
        self.assertIn('iifname "wan0" ip saddr { 203.0.113.7/32 } udp dport 5000-5010 dnat to 192.168.1.10\n', script)
        self.assertNotIn("dport 22 ", script)
        self.assertIn('iifname "wan0" dnat to 192.168.1.10', script)
        # The box's own services win over the DMZ: remote access and the WireGuard port.
        dmz = script.split("chain dmz")[1]
        self.assertLess(dmz.index('tcp dport 21252 return'), dmz.index("dnat to"))
        self.assertLess(dmz.index('udp dport 18964 return'), dmz.index("dnat to"))
        self.assertIn("delete table ip freebox_emu", script)
        self.assertNotIn("inet filter", script)  # no --ipv6-chain: the IPv4 lab is left as it was

    def test_ipv6_firewall_off_opens_the_lan_over_ipv6(self):
        import freebox_model
        state = freebox_model.default_state()
        accept = 'add rule inet filter box_ipv6 meta nfproto ipv6 iifname "wan0" oifname "br0" accept'
        script = freebox_nft.render(state, "wan0", "box_ipv6", "br0")
        self.assertTrue(script.endswith("flush chain inet filter box_ipv6\n"), script)
        state["ipv6_config"]["ipv6_firewall"] = False
        script = freebox_nft.render(state, "wan0", "box_ipv6", "br0")
        self.assertTrue(script.endswith("flush chain inet filter box_ipv6\n" + accept + "\n"), script)
        self.assertNotIn(accept, freebox_nft.render(state, "wan0"))
        state["ipv6_config"]["ipv6_enabled"] = False  # no IPv6 on the Internet side: nothing comes in
        self.assertNotIn("accept", freebox_nft.render(state, "wan0", "box_ipv6", "br0").split("box_ipv6", 1)[1])


if __name__ == "__main__":
    unittest.main()
