"""Tests of the Livebox emulator itself, on 127.0.0.1 with a random free port.

Run: python3 -m unittest discover -s tests/emulators -p 'test_*.py'
"""

import http.client
import os
import re
import socket
import sys
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, HTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from livebox_client import WS1, EmulatorProcess, WsSession  # noqa: E402
import livebox_model  # noqa: E402
import livebox_nft  # noqa: E402
import livebox_upnp6  # noqa: E402


def rule(rid, origin, proto, ext, dest, internal=None, enable=True, lease=0):
    return {"Id": rid, "Origin": origin, "Description": rid, "Status": "Enabled" if enable else "Disabled",
            "SourceInterface": "data", "Protocol": proto, "ExternalPort": ext, "InternalPort": internal or ext,
            "SourcePrefix": "", "DestinationIPAddress": dest, "DestinationMACAddress": "",
            "LeaseDuration": lease, "HairpinNAT": True, "SymmetricSNAT": False, "UPnPV1Compat": False,
            "Enable": enable}


DOCTOR = {
    "password": "s3cret\"pw",
    "port_forwards": {
        "webui_RDP": rule("webui_RDP", "webui", "6", "3389", "192.168.1.10"),
        "upnp_12": rule("upnp_12", "upnp", "6", "11112", "192.168.1.10", lease=7200),
        "upnp_13": rule("upnp_13", "upnp", "17", "3074", "192.168.1.30", lease=7200),
        "cwmp_TR069": rule("cwmp_TR069", "cwmp", "6", "7547", "192.168.1.1"),
    },
    "dmz": {"webui": {"SourceInterface": "data", "DestinationIPAddress": "192.168.1.10", "SourcePrefix": "",
                      "Status": "Enabled", "Enable": True}},
}


def pinhole(rid, origin, proto, port, dest, enable=True, prefix=""):
    return {"Id": rid, "Origin": origin, "Description": rid, "Status": "Enabled" if enable else "Disabled",
            "SourceInterface": "data", "Protocol": proto, "IPVersion": 6, "SourcePort": "", "DestinationPort": port,
            "SourcePrefix": prefix, "DestinationIPAddress": dest, "DestinationMACAddress": "", "Enable": enable}


PC6 = "2001:db8:77::10"
DOCTOR6 = dict(DOCTOR, firewall={"ipv6_level": "Low"}, pinholes={
    "webui_RDP": pinhole("webui_RDP", "webui", "6", "3389", PC6),
    "webui_NAS": pinhole("webui_NAS", "webui", "6,17", "5000-5001", "2001:db8:77::20", enable=False),
    "upnp_7": pinhole("upnp_7", "upnp", "17", "3074", "2001:db8:77::66"),
})

# What Debian's miniupnpd 2.3.1 (nftables backend) writes for `upnpc -6 -A "" 0 <PC6> 11112 TCP 3600`,
# as `nft -j` and `nft --debug=netlink` list it (captured in a lab namespace), plus an IPv4
# mapping's filter rule, which is not a pinhole.
MINIUPNPD_JSON = {"nftables": [
    {"metainfo": {"version": "1.0.6"}},
    {"chain": {"family": "inet", "table": "filter", "name": "miniupnpd", "handle": 1}},
    {"rule": {"family": "inet", "table": "filter", "chain": "miniupnpd", "handle": 10, "expr": [
        {"match": {"op": "==", "left": {"meta": {"key": "iif"}}, "right": "lb6x-wan"}},
        {"match": {"op": "==", "left": {"payload": {"protocol": "th", "field": "dport"}}, "right": 11112}},
        {"match": {"op": "==", "left": {"payload": {"base": "nh", "offset": 192, "len": 128}},
                   "right": "0x20010db8007700000000000000000010"}},
        {"match": {"op": "==", "left": {"payload": {"base": "nh", "offset": 48, "len": 8}}, "right": 6}},
        {"accept": None}]}},
    {"rule": {"family": "inet", "table": "filter", "chain": "miniupnpd", "handle": 12, "expr": [
        {"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "lb6x-wan"}},
        {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "192.168.1.66"}},
        {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 3074}},
        {"accept": None}]}},
    {"rule": {"family": "inet", "table": "filter", "chain": "miniupnpd", "handle": 13, "expr": [
        {"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "saddr"}}, "right": "2001:db8:5::1"}},
        {"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "daddr"}}, "right": "2001:db8:77::20"}},
        {"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}},
                   "right": {"range": [4000, 4010]}}},
        {"accept": None}]}},
]}
MINIUPNPD_DEBUG = """inet filter miniupnpd 10
  [ meta load iif => reg 1 ]
  [ cmp eq reg 1 0x00000003 ]
  [ immediate reg 0 accept ]
  userdata = { pinhole-1 ts-31311: PACS DICOM }
inet filter miniupnpd 12 10
  [ immediate reg 0 accept ]
"""


class FakeUpnp6:
    """The IGD's pinholes, in memory (Upnp6Mirror's interface)."""

    def __init__(self, holes):
        self.holes = holes
        self.deleted = []

    def rules(self):
        return {k: dict(v) for k, v in self.holes.items()}

    def delete(self, hole):
        self.deleted.append(hole["_handle"])
        self.holes = {k: v for k, v in self.holes.items() if v["_handle"] != hole["_handle"]}


class EmulatorCase(unittest.TestCase):
    extra_args = ("--throttle", "1")

    def setUp(self):
        self.emu = EmulatorProcess(DOCTOR, self.extra_args).start()
        self.addCleanup(self.emu.stop)
        self.ws = WsSession(self.emu.port)

    def login(self):
        status, body = self.ws.login('s3cret"pw')
        self.assertEqual(status, 200, body)
        return body


class LoginTest(EmulatorCase):
    def test_anonymous_fingerprint_and_refusal(self):
        status, body, _ = self.ws.post("DeviceInfo", "get")
        self.assertEqual(status, 200)
        self.assertEqual(body["status"]["ProductClass"], "Livebox 7")
        self.assertIsNone(body["status"]["DeviceStatus"])  # partial when anonymous
        status, body, _ = self.ws.post("Firewall", "getPortForwarding")
        self.assertEqual(body["errors"][0]["error"], 13)

    def test_login_cookie_and_headers(self):
        body = self.login()
        self.assertEqual(body["status"], 0)
        self.assertIn("admin", body["data"]["groups"])
        self.assertTrue(any(name.endswith("/sessid") for name in self.ws.cookies))
        self.assertIn("webui_RDP", self.ws.call("Firewall", "getPortForwarding")["status"])
        # Either header works with the cookie; no cookie or no context header does not.
        self.assertNotIn("errors", self.ws.call("Firewall", "getDMZ", auth=False))
        self.assertNotIn("errors", self.ws.call("Firewall", "getDMZ", xctx=False))
        self.assertEqual(self.ws.call("Firewall", "getDMZ", cookie=False)["errors"][0]["error"], 13)
        self.assertEqual(self.ws.call("Firewall", "getDMZ", auth=False, xctx=False)["errors"][0]["error"], 13)

    def test_ws1_wraps_but_login_never(self):
        ws = WsSession(self.emu.port, content_type=WS1)
        status, body = ws.login('s3cret"pw')
        self.assertEqual(status, 200)
        self.assertIn("contextID", body["data"])  # top level, not under "result"
        status, raw, _ = ws.post("Firewall", "getDMZ", headers=ws.session_headers())
        self.assertIn("result", raw)
        self.assertIn("webui", raw["result"]["status"])

    def test_bad_password_401_waittime_and_throttle(self):
        status, body = self.ws.login("wrong")
        self.assertEqual(status, 401)
        self.assertGreaterEqual(body["errors"][0]["waittime"], 1)
        status, body = self.ws.login('s3cret"pw')  # still throttled, even with the right one
        self.assertEqual(status, 401)
        time.sleep(body["errors"][0]["waittime"] + 0.1)  # the scenario: the throttle's wait passes
        self.assertEqual(self.ws.login('s3cret"pw')[0], 200)

    def test_expired_context_gives_13(self):
        self.login()
        self.emu.expire()
        self.assertEqual(self.ws.call("Firewall", "getDMZ")["errors"][0]["error"], 13)
        self.login()
        self.assertNotIn("errors", self.ws.call("Firewall", "getDMZ"))

    def test_logout(self):
        self.login()
        status, body, _ = self.ws.post("sah.Device.Information", "releaseContext", {"applicationName": "webui"},
                                       headers={"Authorization": "X-Sah-Logout " + self.ws.context})
        self.assertEqual((status, body["status"]), (401, 1))
        self.assertEqual(self.ws.call("Firewall", "getDMZ")["errors"][0]["error"], 13)

    def test_host_header_checked(self):
        ws = WsSession(self.emu.port, host_header="evil.example")
        with self.assertRaises((ConnectionError, http.client.HTTPException, OSError)):
            ws.post("DeviceInfo", "get")
        self.assertEqual(WsSession(self.emu.port, host_header="livebox.home").post("DeviceInfo", "get")[0], 200)


class ForwardTest(EmulatorCase):
    def test_delete_by_id_then_commit(self):
        self.login()
        r = self.ws.call("Firewall", "deletePortForwarding",
                         {"id": "webui_RDP", "origin": "webui", "destinationIPAddress": "192.168.1.10"})
        self.assertIs(r["status"], True)
        self.assertIs(self.ws.call("Firewall", "commit")["status"], True)
        self.assertNotIn("webui_RDP", self.emu.state()["port_forwards"])
        self.assertEqual(self.emu.alerts(), [])

    def test_delete_errors(self):
        self.login()
        r = self.ws.call("Firewall", "deletePortForwarding", {"id": "webui_nope", "origin": "webui"})
        self.assertEqual(r["errors"][0]["error"], 1114115)
        r = self.ws.call("Firewall", "deletePortForwarding", {"id": "webui_RDP"})
        self.assertEqual([e["error"] for e in r["errors"]], [196640])
        self.assertEqual(r["errors"][0]["info"], "origin")

    def test_origin_only_delete_wipes_the_origin_and_is_logged(self):
        self.login()
        self.ws.call("Firewall", "deletePortForwarding", {"origin": "upnp"})
        left = self.emu.state()["port_forwards"]
        self.assertEqual(sorted(left), ["cwmp_TR069", "webui_RDP"])
        self.assertEqual(len(self.emu.alerts()), 1)
        self.assertIn("BULK", self.emu.alerts()[0])

    def test_set_missing_overlap_and_reply(self):
        self.login()
        r = self.ws.call("Firewall", "setPortForwarding", {"id": "x"})
        self.assertEqual([e["info"] for e in r["errors"]],
                         ["origin", "sourceInterface", "internalPort", "destinationIPAddress", "protocol"])
        self.assertTrue(all(e["error"] == 196640 for e in r["errors"]))
        params = {"id": "pi443", "origin": "webui", "sourceInterface": "data", "externalPort": "3389",
                  "internalPort": "443", "destinationIPAddress": "192.168.1.160", "protocol": "6,17"}
        r = self.ws.call("Firewall", "setPortForwarding", params)
        self.assertEqual(r["errors"][0]["error"], 1114120)
        self.assertIn("webui_RDP", r["errors"][0]["info"])
        params["externalPort"] = "443"
        r = self.ws.call("Firewall", "setPortForwarding", params)
        self.assertEqual(r["status"], "webui_pi443")
        self.assertEqual(r["data"]["rule"]["Id"], "webui_pi443")
        # Re-sending the same id updates in place (how a rule is disabled).
        params.update(id="webui_pi443", enable=False)
        self.assertEqual(self.ws.call("Firewall", "setPortForwarding", params)["status"], "webui_pi443")
        stored = self.emu.state()["port_forwards"]["webui_pi443"]
        self.assertEqual((stored["Enable"], stored["Status"]), (False, "Disabled"))


class SettingsTest(EmulatorCase):
    def test_dmz(self):
        self.login()
        self.assertIs(self.ws.call("Firewall", "deleteDMZ", {"id": "webui"})["status"], True)
        self.assertEqual(self.ws.call("Firewall", "getDMZ")["status"], {})
        r = self.ws.call("Firewall", "setDMZ", {"id": "webui", "sourceInterface": "data",
                                                "destinationIPAddress": "192.168.1.10", "enable": True})
        self.assertEqual(r["status"], "webui")
        self.assertEqual(self.emu.state()["dmz"], DOCTOR["dmz"])

    def test_upnp_nested_and_flat(self):
        self.login()
        self.ws.call("UPnP-IGD", "set", {"parameters": {"Enable": False}})
        self.assertFalse(self.ws.call("UPnP-IGD", "get")["status"]["Enable"])
        self.ws.call("UPnP-IGD", "set", {"Enable": True})
        self.assertTrue(self.ws.call("UPnP-IGD", "get")["status"]["Enable"])

    def test_remote_access_keeps_port_when_disabled(self):
        self.login()
        port = self.ws.call("RemoteAccess", "enable", {"secure": True, "timeout": 3600})["status"]
        self.assertTrue(self.ws.call("NMC", "getRemoteAccess")["status"]["enable"])
        self.ws.call("RemoteAccess", "disable")
        ra = self.ws.call("RemoteAccess", "get")["status"]
        self.assertEqual((ra["Enable"], ra["Port"]), (False, port))

    def test_missing_method_answers_196618(self):
        self.login()
        r = self.ws.call("Firewall", "noSuchMethod")
        self.assertEqual(r["errors"][0]["error"], 196618)


class PinholeTest(EmulatorCase):
    def setUp(self):
        self.emu = EmulatorProcess(DOCTOR6, ("--throttle", "1")).start()
        self.addCleanup(self.emu.stop)
        self.ws = WsSession(self.emu.port)
        self.login()

    def test_levels_and_wan_ipv6(self):
        self.assertEqual(self.ws.call("Firewall", "getFirewallIPv6Level")["status"], "Low")
        self.assertIs(self.ws.call("Firewall", "setFirewallIPv6Level", {"level": "Medium"})["status"], True)
        self.assertEqual(self.ws.call("Firewall", "getFirewallIPv6Level")["status"], "Medium")
        self.assertEqual(self.ws.call("Firewall", "getFirewallLevel")["status"], "Medium")  # IPv4 untouched
        r = self.ws.call("Firewall", "setFirewallIPv6Level", {"level": "Off"})
        self.assertEqual(r["errors"][0]["info"], "level")
        self.assertEqual(self.ws.call("Firewall", "setFirewallIPv6Level")["errors"][0]["error"], 196640)
        self.assertEqual(self.emu.state()["firewall"]["ipv6_level"], "Medium")
        wan = self.ws.call("NMC", "getWANStatus")["data"]
        self.assertEqual((wan["ConnectionStateIPv6"], wan["IPv6Address"]), ("Bound", "2001:db8:ff::2"))

    def test_get_all_by_origin_and_by_id(self):
        self.assertEqual(sorted(self.ws.call("Firewall", "getPinhole")["status"]),
                         ["upnp_7", "webui_NAS", "webui_RDP"])
        self.assertEqual(sorted(self.ws.call("Firewall", "getPinhole", {"origin": "webui"})["status"]),
                         ["webui_NAS", "webui_RDP"])
        got = self.ws.call("Firewall", "getPinhole", {"origin": "webui", "id": "RDP"})["status"]
        self.assertEqual(got, {"webui_RDP": DOCTOR6["pinholes"]["webui_RDP"]})

    def test_delete_by_id_and_origin_then_commit(self):
        r = self.ws.call("Firewall", "deletePinhole", {"id": "webui_RDP", "origin": "webui"})
        self.assertIs(r["status"], True)
        self.assertIs(self.ws.call("Firewall", "commit")["status"], True)
        self.assertEqual(sorted(self.emu.state()["pinholes"]), ["upnp_7", "webui_NAS"])
        self.assertEqual(self.emu.alerts(), [])

    def test_delete_errors(self):
        r = self.ws.call("Firewall", "deletePinhole", {"id": "webui_nope", "origin": "webui"})
        self.assertEqual(r["errors"][0]["error"], 1114115)
        r = self.ws.call("Firewall", "deletePinhole", {"id": "upnp_7", "origin": "webui"})  # wrong origin
        self.assertEqual(r["errors"][0]["error"], 1114115)
        r = self.ws.call("Firewall", "deletePinhole", {"id": "webui_RDP"})
        self.assertEqual([(e["error"], e["info"]) for e in r["errors"]], [(196640, "origin")])
        self.assertEqual(len(self.emu.state()["pinholes"]), 3)

    def test_origin_only_delete_wipes_the_origin_and_is_logged(self):
        self.assertIs(self.ws.call("Firewall", "deletePinhole", {"origin": "webui"})["status"], True)
        self.assertEqual(sorted(self.emu.state()["pinholes"]), ["upnp_7"])
        self.assertEqual(len(self.emu.alerts()), 1)
        self.assertIn("BULK DELETE: deletePinhole origin=webui", self.emu.alerts()[0])

    def test_set_missing_invalid_and_recreate(self):
        r = self.ws.call("Firewall", "setPinhole", {"id": "x"})
        self.assertEqual([e["info"] for e in r["errors"]],
                         ["origin", "sourceInterface", "destinationIPAddress", "protocol"])
        params = {"id": "webui_RDP", "origin": "webui", "sourceInterface": "data", "sourcePort": "",
                  "destinationPort": "3389", "destinationIPAddress": "192.168.1.10", "destinationMACAddress": "",
                  "sourcePrefix": "", "protocol": "6", "ipversion": 6, "enable": True, "persistent": True,
                  "description": "webui_RDP"}
        self.assertEqual(self.ws.call("Firewall", "setPinhole", params)["errors"][0]["info"],
                         "destinationIPAddress")  # an IPv4 address is no pinhole
        saved = self.emu.state()["pinholes"]["webui_RDP"]
        self.ws.call("Firewall", "deletePinhole", {"id": "webui_RDP", "origin": "webui"})
        params["destinationIPAddress"] = PC6
        self.assertEqual(self.ws.call("Firewall", "setPinhole", params)["status"], "webui_RDP")
        self.assertEqual(self.emu.state()["pinholes"]["webui_RDP"], saved)  # back exactly
        params.update(id="Tele", description="Tele")  # a bare name gets its origin's prefix
        self.assertEqual(self.ws.call("Firewall", "setPinhole", params)["status"], "webui_Tele")

    def test_nft6_follows_the_state(self):
        script = self.emu.control("GET", "/_emu/nft")["script6"]
        self.assertIn('meta nfproto ipv6 accept', script)  # level Low
        self.assertIn("ip6 daddr %s tcp dport 3389 accept" % PC6, script)
        self.assertNotIn("2001:db8:77::20", script)  # disabled
        self.ws.call("Firewall", "setFirewallIPv6Level", {"level": "Medium"})
        self.ws.call("Firewall", "deletePinhole", {"id": "webui_RDP", "origin": "webui"})
        script = self.emu.control("GET", "/_emu/nft")["script6"]
        self.assertNotIn("nfproto", script)
        self.assertNotIn("3389", script)

    def test_faults_by_name(self):
        self.emu.fail("Firewall:deletePinhole", "error", 1)
        r = self.ws.call("Firewall", "deletePinhole", {"id": "webui_RDP", "origin": "webui"})
        self.assertEqual(r["errors"][0]["error"], 1)
        self.assertIn("webui_RDP", self.emu.state()["pinholes"])  # nothing done
        self.emu.fail("Firewall:setFirewallIPv6Level", "reset-after", 1)
        with self.assertRaises((ConnectionError, http.client.HTTPException, OSError)):
            self.ws.call("Firewall", "setFirewallIPv6Level", {"level": "High"})
        self.assertEqual(self.emu.state()["firewall"]["ipv6_level"], "High")  # done, never told
        self.emu.fail("Firewall:getPinhole", "http500", 1)
        self.assertEqual(self.ws.post("Firewall", "getPinhole", headers=self.ws.session_headers())[0], 500)


class Upnp6MirrorTest(unittest.TestCase):
    def test_parse_miniupnpd_rules(self):
        holes = livebox_upnp6.parse_rules(MINIUPNPD_JSON, livebox_upnp6.parse_labels(MINIUPNPD_DEBUG))
        self.assertEqual(sorted(holes), ["upnp_1", "upnp_h13"])  # the IPv4 filter rule is no pinhole
        one = holes["upnp_1"]
        self.assertEqual((one["Origin"], one["Protocol"], one["DestinationPort"], one["DestinationIPAddress"],
                          one["SourcePrefix"], one["Description"], one["_handle"]),
                         ("upnp", "6", "11112", PC6, "", "PACS DICOM", 10))
        other = holes["upnp_h13"]
        self.assertEqual((other["Protocol"], other["DestinationPort"], other["SourcePrefix"]),
                         ("17", "4000-4010", "2001:db8:5::1"))

    def test_model_lists_and_deletes_the_igd_pinholes(self):
        fake = FakeUpnp6(livebox_upnp6.parse_rules(MINIUPNPD_JSON, livebox_upnp6.parse_labels(MINIUPNPD_DEBUG)))
        model = livebox_model.LiveboxModel(dict(livebox_model.default_state(), pinholes=dict(DOCTOR6["pinholes"])),
                                           igd6=fake, log=lambda msg: None)
        status, _, _ = model.invoke("Firewall", "getPinhole", {"origin": "upnp"})
        self.assertEqual(sorted(status), ["upnp_1", "upnp_7", "upnp_h13"])
        self.assertNotIn("_handle", status["upnp_1"])  # never shown
        self.assertIs(model.invoke("Firewall", "deletePinhole", {"id": "upnp_1", "origin": "upnp"})[0], True)
        self.assertEqual(fake.deleted, [10])
        self.assertNotIn("upnp_1", model.snapshot()["pinholes"])  # never stored
        self.assertEqual(model.invoke("Firewall", "deletePinhole", {"id": "upnp_1", "origin": "upnp"})[2][0]["error"],
                         1114115)
        model.invoke("Firewall", "deletePinhole", {"origin": "upnp"})
        self.assertEqual((fake.deleted, sorted(model.snapshot()["pinholes"])), ([10, 13], ["webui_NAS", "webui_RDP"]))
        self.assertEqual(len(model.alerts), 1)


class UpnpFormTest(EmulatorCase):
    extra_args = ("--upnp-set-form", "flat")

    def test_ignored_form_answers_true_without_effect(self):
        self.login()
        self.assertIs(self.ws.call("UPnP-IGD", "set", {"parameters": {"Enable": False}})["status"], True)
        self.assertTrue(self.ws.call("UPnP-IGD", "get")["status"]["Enable"])


class PersistenceTest(EmulatorCase):
    def test_restart_keeps_state(self):
        self.login()
        self.ws.call("Firewall", "deleteDMZ", {"id": "webui"})
        before = self.emu.state()
        self.emu.stop()
        again = EmulatorProcess(None, self.extra_args, workdir=self.emu.dir, state_path=self.emu.state_path)
        again.start()
        self.addCleanup(again.stop)
        self.assertEqual(again.state(), before)
        ws = WsSession(again.port)
        ws.login('s3cret"pw')
        self.assertEqual(ws.call("Firewall", "getDMZ")["status"], {})


class FaultTest(EmulatorCase):
    extra_args = ("--throttle", "1", "--hang-seconds", "1.5")

    def test_error_once(self):
        self.login()
        self.emu.fail("Firewall:deleteDMZ", "error", 1)
        self.assertEqual(self.ws.call("Firewall", "deleteDMZ", {"id": "webui"})["errors"][0]["error"], 1)
        self.assertIn("webui", self.emu.state()["dmz"])  # nothing done
        self.assertIs(self.ws.call("Firewall", "deleteDMZ", {"id": "webui"})["status"], True)

    def test_reset_and_reset_after(self):
        self.login()
        self.emu.fail("Firewall:deleteDMZ", "reset", 1)
        with self.assertRaises((ConnectionError, http.client.HTTPException, OSError)):
            self.ws.call("Firewall", "deleteDMZ", {"id": "webui"})
        self.assertIn("webui", self.emu.state()["dmz"])
        self.emu.fail("Firewall:deleteDMZ", "reset-after", 1)
        with self.assertRaises((ConnectionError, http.client.HTTPException, OSError)):
            self.ws.call("Firewall", "deleteDMZ", {"id": "webui"})
        self.assertNotIn("webui", self.emu.state()["dmz"])  # done, but the client never knew

    def test_hang(self):
        self.login()
        self.emu.fail("UPnP-IGD:set", "hang", -1)
        ws = WsSession(self.emu.port, timeout=0.5)
        ws.context, ws.cookies = self.ws.context, self.ws.cookies
        with self.assertRaises((socket.timeout, TimeoutError, OSError)):
            ws.call("UPnP-IGD", "set", {"parameters": {"Enable": False}})
        self.assertTrue(self.emu.state()["upnp_igd"]["Enable"])

    def test_skip_and_reboot_after(self):
        # The second deletePortForwarding reboots the box after applying it: the connection
        # drops, the harness starts it again on the same port, state kept, sessions lost.
        self.emu.stop()
        emu = EmulatorProcess(DOCTOR, self.extra_args, reboot_delay=0.3).start()
        self.addCleanup(emu.stop)
        port = emu.port
        ws = WsSession(port)
        ws.login('s3cret"pw')
        emu.control("POST", "/_emu/fail", {"call": "Firewall:deletePortForwarding", "kind": "reboot-after",
                                           "count": 1, "skip": 1})
        self.assertIs(ws.call("Firewall", "deletePortForwarding", {"id": "webui_RDP", "origin": "webui"})["status"],
                      True)
        with self.assertRaises((ConnectionError, http.client.HTTPException, OSError)):
            ws.call("Firewall", "deletePortForwarding", {"id": "upnp_12", "origin": "upnp"})
        # The watcher counts the reboot once it saw the process exit; then wait_up() waits for
        # the restart (before that, "up" may still be the old process's).
        deadline = time.monotonic() + 10
        while emu.reboots < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        emu.wait_up()
        self.assertEqual((emu.port, emu.reboots), (port, 1))
        self.assertEqual(sorted(emu.state()["port_forwards"]), ["cwmp_TR069", "upnp_13"])  # both done, kept
        self.assertEqual(ws.call("Firewall", "getDMZ")["errors"][0]["error"], 13)  # session lost
        ws.login('s3cret"pw')
        self.assertIn("webui", ws.call("Firewall", "getDMZ")["status"])

    def test_cli_fault_spec(self):
        self.emu.stop()
        emu = EmulatorProcess(DOCTOR, ["--fail", "Firewall:commit:http500:always"]).start()
        self.addCleanup(emu.stop)
        ws = WsSession(emu.port)
        ws.login('s3cret"pw')
        for _ in range(2):
            self.assertEqual(ws.post("Firewall", "commit", headers=ws.session_headers())[0], 500)


class FakeIgd(BaseHTTPRequestHandler):
    """A WANIPConnection control point on 127.0.0.1 holding mappings in memory."""
    mappings = []

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        action = self.headers["SOAPAction"].split("#")[1].strip('"')
        args = dict(re.findall(r"<(New\w+)>([^<]*)</New\w+>", body))
        out, code = "", 200
        if action == "GetGenericPortMappingEntry":
            i = int(args["NewPortMappingIndex"])
            if i < len(self.mappings):
                out = "".join("<%s>%s</%s>" % (k, v, k) for k, v in self.mappings[i].items())
            else:
                code, out = 500, "<errorCode>713</errorCode><errorDescription>SpecifiedArrayIndexInvalid</errorDescription>"
        elif action == "AddPortMapping":
            self.mappings.append({k: args[k] for k in ("NewRemoteHost", "NewExternalPort", "NewProtocol",
                                                       "NewInternalPort", "NewInternalClient", "NewEnabled",
                                                       "NewPortMappingDescription", "NewLeaseDuration")})
        elif action == "DeletePortMapping":
            before = len(self.mappings)
            self.mappings[:] = [m for m in self.mappings if (m["NewExternalPort"], m["NewProtocol"]) !=
                                (args["NewExternalPort"], args["NewProtocol"])]
            if len(self.mappings) == before:
                code, out = 500, "<errorCode>714</errorCode><errorDescription>NoSuchEntryInArray</errorDescription>"
        data = ("<s:Envelope><s:Body>%s</s:Body></s:Envelope>" % out).encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class IgdMirrorTest(unittest.TestCase):
    def setUp(self):
        FakeIgd.mappings = [{"NewRemoteHost": "", "NewExternalPort": "3074", "NewProtocol": "TCP",
                             "NewInternalPort": "3074", "NewInternalClient": "192.168.1.66", "NewEnabled": "1",
                             "NewPortMappingDescription": "Console", "NewLeaseDuration": "0"}]
        self.igd = HTTPServer(("127.0.0.1", 0), FakeIgd)
        threading.Thread(target=self.igd.serve_forever, daemon=True).start()
        self.addCleanup(self.igd.server_close)
        self.addCleanup(self.igd.shutdown)
        url = "http://127.0.0.1:%d/ctl/IPConn" % self.igd.server_address[1]
        self.emu = EmulatorProcess(DOCTOR, ["--igd-mirror", url]).start()
        self.addCleanup(self.emu.stop)
        self.ws = WsSession(self.emu.port)
        self.ws.login('s3cret"pw')

    def test_the_igd_mappings_are_upnp_rules_and_change_with_them(self):
        rules = self.ws.call("Firewall", "getPortForwarding")["status"]
        self.assertEqual(rules["upnp_3074t"]["Origin"], "upnp")
        self.assertEqual(rules["upnp_3074t"]["DestinationIPAddress"], "192.168.1.66")
        self.assertIn("webui_RDP", rules)
        saved = rules["upnp_3074t"]
        self.assertIs(self.ws.call("Firewall", "deletePortForwarding",
                                   {"id": "upnp_3074t", "origin": "upnp"})["status"], True)
        self.assertEqual(FakeIgd.mappings, [])
        self.assertNotIn("upnp_3074t", self.emu.state()["port_forwards"])  # never stored twice
        params = {"id": "upnp_3074t", "origin": "upnp", "sourceInterface": "data", "externalPort": "3074",
                  "internalPort": "3074", "destinationIPAddress": "192.168.1.66", "protocol": "6",
                  "description": "Console", "enable": True}
        self.assertEqual(self.ws.call("Firewall", "setPortForwarding", params)["status"], "upnp_3074t")
        self.assertEqual(self.ws.call("Firewall", "getPortForwarding")["status"]["upnp_3074t"], saved)

    def test_origin_only_delete_wipes_the_igd_too(self):
        self.ws.call("Firewall", "deletePortForwarding", {"origin": "upnp"})
        self.assertEqual(FakeIgd.mappings, [])
        self.assertEqual(len(self.emu.alerts()), 1)


class NftRenderTest(unittest.TestCase):
    def test_forwards_and_dmz(self):
        script = livebox_nft.render(DOCTOR, "wan0")
        self.assertIn('iifname "wan0" tcp dport 3389 dnat to 192.168.1.10:3389', script)
        self.assertIn('iifname "wan0" udp dport 3074 dnat to 192.168.1.30:3074', script)
        self.assertIn('iifname "wan0" dnat to 192.168.1.10', script)
        self.assertIn("delete table ip livebox_emu", script)

    def test_disabled_ranges_both_protocols_and_sources(self):
        state = {"port_forwards": {
            "a": rule("a", "webui", "6,17", "10000-10005", "192.168.1.5"),
            "b": rule("b", "webui", "6", "80", "192.168.1.6", enable=False),
            "c": dict(rule("c", "webui", "6", "8443", "192.168.1.7", internal="443"), SourcePrefix="1.2.3.0/24"),
            "d": rule("d", "webui", "6", "22", "**REDACTED**")}, "dmz": {}}
        script = livebox_nft.render(state, "eth9")
        self.assertIn("tcp dport 10000-10005 dnat to 192.168.1.5\n", script)
        self.assertIn("udp dport 10000-10005 dnat to 192.168.1.5\n", script)
        self.assertNotIn("192.168.1.6", script)
        self.assertIn("ip saddr { 1.2.3.0/24 } tcp dport 8443 dnat to 192.168.1.7:443", script)
        self.assertNotIn("REDACTED", script)

    def test_ipv6_level_and_pinholes(self):
        script = livebox_nft.render6(DOCTOR6, "wan0", "br0")
        self.assertTrue(script.startswith("flush chain inet filter box_ipv6\n"))
        self.assertIn('iifname "wan0" oifname "br0" meta nfproto ipv6 accept', script)
        self.assertIn('ip6 daddr 2001:db8:77::66 udp dport 3074 accept', script)
        self.assertNotIn("5000-5001", script)  # disabled
        state = {"firewall": {"ipv6_level": "Medium"}, "pinholes": {
            "a": pinhole("a", "webui", "6,17", "5000-5001", PC6, prefix="2001:db8:5::/48"),
            "b": pinhole("b", "webui", "6", "", PC6),
            "c": pinhole("c", "webui", "6", "22", "192.168.1.10")}}
        script = livebox_nft.render6(state, "wan0", "br0")
        self.assertNotIn("nfproto", script)
        self.assertIn("ip6 saddr { 2001:db8:5::/48 } ip6 daddr %s udp dport 5000-5001 accept" % PC6, script)
        self.assertIn("ip6 daddr %s meta l4proto tcp accept" % PC6, script)  # every port
        self.assertNotIn("192.168.1.10", script)


if __name__ == "__main__":
    unittest.main()
