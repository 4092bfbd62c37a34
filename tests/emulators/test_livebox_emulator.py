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
import livebox_nft  # noqa: E402


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


if __name__ == "__main__":
    unittest.main()
