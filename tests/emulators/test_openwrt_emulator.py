"""The OpenWrt emulator's own checks (127.0.0.1, standard library): rpcd's shapes and statuses,
per-session staging, apply with rollback and its real timer, confirm, the ACL of
vendors/openwrt/boxwarden-acl.json, and the "drop-after-apply" fault. Run through
tests/cli/openwrt_emulator_test.py."""

import json
import os
import time
import unittest

import livebox_client
import openwrt_model

HERE = os.path.dirname(os.path.abspath(__file__))
ZERO = "0" * 32


class OpenwrtProcess(livebox_client.EmulatorProcess):
    script = os.path.join(HERE, "openwrt_emulator.py")


class OpenwrtEmulatorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(os.path.join(HERE, "openwrt_scenarios", "doctor.json")) as f:
            cls.emu = OpenwrtProcess(json.load(f)).start()

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def setUp(self):
        self.emu.control("POST", "/_emu/clear", {})

    def call(self, sid, obj, method, args=None):
        import urllib.request
        body = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "call", "params": [sid, obj, method, args or {}]})
        req = urllib.request.Request("http://127.0.0.1:%d/ubus" % self.emu.port, body.encode(),
                                     {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.load(r)

    def login(self, user="boxwarden", password="boxwarden-password-1"):
        r = self.call(ZERO, "session", "login", {"username": user, "password": password})
        self.assertEqual(r["result"][0], 0, r)
        return r["result"][1]["ubus_rpc_session"]

    def enabled(self, sid, section):
        v = self.call(sid, "uci", "get", {"config": "firewall", "section": section})["result"][1]["values"]
        return v.get("enabled")

    def redirect(self, sid):
        values = self.call(sid, "uci", "get", {"config": "firewall", "type": "redirect"})["result"][1]["values"]
        return sorted(values.values(), key=lambda s: s[".index"])[0][".name"]

    def test_fixture_firewall_and_shapes(self):
        secs = openwrt_model.parse_uci(openwrt_model.fixture_text("firewall4-default-etc-config-firewall"))
        self.assertEqual([s["type"] for s in secs][:3], ["defaults", "zone", "zone"])
        wan = [s for s in secs if dict(s["options"]).get("name") == "wan"][0]
        self.assertEqual(dict(wan["options"])["network"], ["wan", "wan6"])
        sid = self.login()
        self.assertRegex(sid, "^[0-9a-f]{32}$")
        r = self.call(sid, "uci", "get", {"config": "firewall"})
        self.assertEqual(r["jsonrpc"], "2.0")
        self.assertEqual(r["id"], 7)
        first = min(r["result"][1]["values"].values(), key=lambda s: s[".index"])
        self.assertEqual((first[".type"], first[".anonymous"], first[".index"]), ("defaults", True, 0))

    def test_login_refusals_and_acl(self):
        self.assertEqual(self.call(ZERO, "session", "login", {"username": "boxwarden", "password": "x"})["result"], [6])
        self.assertEqual(self.call(ZERO, "session", "login", {"username": "boxwarden"})["result"], [2])
        self.assertEqual(self.call(ZERO, "uci", "get", {"config": "firewall"})["error"]["code"], -32002)
        sid = self.login()
        self.assertEqual(self.call(sid, "luci", "getVersion")["error"]["code"], -32002)  # not in the ACL
        self.assertEqual(self.call(sid, "uci", "get", {"config": "dhcp"})["result"], [6])
        self.assertEqual(self.call(sid, "uci", "set", {"config": "network", "section": "wan",
                                                       "values": {"proto": "static"}})["result"], [6])
        reader = self.login("reader", "reader-password-1")
        self.assertEqual(self.call(reader, "uci", "set", {"config": "firewall", "section": "x", "values": {}})["error"]["code"],
                         -32002)
        self.assertEqual(self.call(sid, "session", "destroy", {"ubus_rpc_session": sid})["error"]["code"], -32602)

    def test_staging_is_per_session_and_confirm_keeps(self):
        a, b = self.login(), self.login()
        name = self.redirect(a)
        self.assertEqual(self.call(a, "uci", "set", {"config": "firewall", "section": name,
                                                     "values": {"enabled": "0"}})["result"], [0])
        self.assertEqual(self.enabled(a, name), "0")
        self.assertIsNone(self.enabled(b, name), "staged changes are the session's own")
        self.assertEqual(self.call(a, "uci", "changes", {"config": "firewall"})["result"][1]["changes"],
                         [["set", name, "enabled", "0"]])
        self.assertEqual(self.call(a, "uci", "confirm")["result"], [5], "no apply pending")
        self.assertEqual(self.call(a, "uci", "apply", {"rollback": True, "timeout": 30})["result"], [0])
        self.assertEqual(self.enabled(b, name), "0", "applied: every session sees it")
        self.assertEqual(self.call(b, "uci", "confirm")["result"], [6], "another session cannot confirm")
        self.assertEqual(self.call(a, "uci", "confirm")["result"], [0])
        self.assertEqual(self.emu.control("GET", "/_emu/pending")["pending"], False)
        self.call(a, "uci", "delete", {"config": "firewall", "section": name, "option": "enabled"})
        self.call(a, "uci", "apply", {"rollback": False})
        self.assertIsNone(self.enabled(b, name))

    def test_the_timer_rolls_back_and_drop_after_apply(self):
        sid = self.login()
        name = self.redirect(sid)
        before = self.emu.control("GET", "/_emu/pending")["rollbacks"]
        self.emu.control("POST", "/_emu/fail", {"call": "uci apply", "kind": "drop-after-apply"})
        self.call(sid, "uci", "set", {"config": "firewall", "section": name, "values": {"enabled": "0"}})
        self.assertEqual(self.call(sid, "uci", "apply", {"rollback": True, "timeout": 1})["result"], [0])
        stored = [s for s in self.emu.control("GET", "/_emu/state")["configs"]["firewall"] if s["name"] == name][0]
        self.assertEqual(dict(stored["options"]).get("enabled"), "0", "applied: committed before the drop")
        with self.assertRaises(OSError):
            self.call(sid, "uci", "get", {"config": "firewall"})  # the link dropped
        deadline = time.monotonic() + 5
        while self.emu.control("GET", "/_emu/pending")["rollbacks"] == before and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(self.emu.control("GET", "/_emu/pending"), {"pending": False, "rollbacks": before + 1,
                                                                     "dropped": False})
        self.assertIsNone(self.enabled(sid, name), "rpcd's timer restored the snapshot")

    def test_add_with_a_name_and_order(self):
        sid = self.login()
        r = self.call(sid, "uci", "add", {"config": "firewall", "type": "redirect", "name": "back",
                                          "values": {"name": "x", "src": "wan"}})
        self.assertEqual(r["result"], [0, {"section": "back"}])
        values = self.call(sid, "uci", "get", {"config": "firewall"})["result"][1]["values"]
        self.assertFalse(values["back"][".anonymous"], "rpcd's add with a name makes a named section")
        order = ["back"] + [n for n, _ in sorted(values.items(), key=lambda kv: kv[1][".index"]) if n != "back"]
        self.call(sid, "uci", "order", {"config": "firewall", "sections": order})
        values = self.call(sid, "uci", "get", {"config": "firewall"})["result"][1]["values"]
        self.assertEqual(values["back"][".index"], 0)
        self.call(sid, "uci", "revert", {"config": "firewall"})
        self.assertNotIn("back", self.call(sid, "uci", "get", {"config": "firewall"})["result"][1]["values"])


if __name__ == "__main__":
    unittest.main()
