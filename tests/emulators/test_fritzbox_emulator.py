"""Tests of the FRITZ!Box emulator itself, on 127.0.0.1 with a free port (tests/cli/
fritzbox_emulator_test.py runs them under ctest): the digest check (RFC 2617, MD5, qop=auth),
the rights (606), the own-device rule (606 on a locked share), faults, and the state file.

Run: python3 -m unittest discover -s tests/emulators -p 'test_fritzbox_*.py'
"""

import hashlib
import json
import os
import re
import sys
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import livebox_client  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PREFIX = "urn:dslforum-org:service:"
PC = "192.168.1.10"
SCENARIO = {
    "users": {"boxadmin": {"password": "pw-1", "settings": True}, "nurse": {"password": "pw-2", "settings": False}},
    "last_user": "boxadmin",
    "shares": [{"remote_host": "", "ext": 104, "proto": "TCP", "int_port": 104, "client": PC, "enabled": 1,
                "desc": "DICOM", "lease": 0},
               {"remote_host": "", "ext": 8080, "proto": "TCP", "int_port": 80, "client": "192.168.1.30", "enabled": 1,
                "desc": "other", "lease": 0, "locked": True}],
    "hosts": [{"ip": PC, "name": "imaging-pc"}],
    "remote": {"enabled": 1, "port": 4443},
}


class FritzboxProcess(livebox_client.EmulatorProcess):
    script = os.path.join(HERE, "fritzbox_emulator.py")


def envelope(service, action, args):
    body = "".join("<%s>%s</%s>" % (k, v, k) for k, v in args.items())
    return ('<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
            '<u:%s xmlns:u="%s%s:1">%s</u:%s></s:Body></s:Envelope>' % (action, PREFIX, service, body, action)).encode()


class Emu(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = FritzboxProcess(SCENARIO).start()
        cls.base = "http://127.0.0.1:%d" % cls.emu.port

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def post(self, path, service, action, args=None, auth=None, tamper=None):
        """(status, body); auth = (user, password) answers the 401 challenge as RFC 2617 says."""
        data = envelope(service, action, args or {})
        headers = {"SOAPAction": '"%s%s:1#%s"' % (PREFIX, service, action), "Content-Type": "text/xml"}

        def send(h):
            req = urllib.request.Request(self.base + path, data=data, headers=h, method="POST")
            try:
                with urllib.request.urlopen(req, timeout=5) as r:
                    return r.status, r.read().decode(), r.headers
            except urllib.error.HTTPError as e:
                return e.code, e.read().decode(), e.headers

        status, body, hdrs = send(headers)
        if status != 401 or auth is None:
            return status, body
        chal = dict(re.findall(r'(\w+)="?([^",]*)"?', hdrs["WWW-Authenticate"][7:]))
        user, pw = auth
        md5 = lambda s: hashlib.md5(s.encode()).hexdigest()  # noqa: E731
        ha1 = md5("%s:%s:%s" % (user, chal["realm"], pw))
        ha2 = md5("POST:%s" % path)
        resp = md5("%s:%s:00000001:abcdef:auth:%s" % (ha1, chal["nonce"], ha2))
        if tamper:
            resp = tamper(resp)
        h = dict(headers, Authorization='Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", '
                                       'qop=auth, nc=00000001, cnonce="abcdef", algorithm=MD5'
                                       % (user, chal["realm"], chal["nonce"], path, resp))
        status, body, _ = send(h)
        return status, body

    def test_description_is_the_fixture(self):
        with urllib.request.urlopen(self.base + "/tr64desc.xml", timeout=5) as r:
            body = r.read()
        with open(os.path.join(HERE, "..", "fixtures", "fritzbox", "tr64desc.xml"), "rb") as f:
            self.assertEqual(body, f.read())

    def test_digest_is_checked(self):
        path = "/upnp/control/x_remote"
        self.assertEqual(self.post(path, "X_AVM-DE_RemoteAccess", "GetInfo")[0], 401)
        status, body = self.post(path, "X_AVM-DE_RemoteAccess", "GetInfo", auth=("boxadmin", "pw-1"))
        self.assertEqual(status, 200)
        self.assertIn("<NewPort>4443</NewPort>", body)
        self.assertEqual(self.post(path, "X_AVM-DE_RemoteAccess", "GetInfo", auth=("boxadmin", "wrong"))[0], 401)
        self.assertEqual(self.post(path, "X_AVM-DE_RemoteAccess", "GetInfo", auth=("boxadmin", "pw-1"),
                                   tamper=lambda r: r[:-1] + ("0" if r[-1] != "0" else "1"))[0], 401)

    def test_anonymous_user_list_names_the_last_user(self):
        status, body = self.post("/upnp/control/lanconfigsecurity", "LANConfigSecurity", "X_AVM-DE_GetUserList")
        self.assertEqual(status, 200)
        self.assertIn('last_user="1"&gt;boxadmin', body)

    def test_user_without_settings_right_gets_606(self):
        status, body = self.post("/upnp/control/wanpppconn1", "WANPPPConnection", "GetPortMappingNumberOfEntries",
                                 auth=("nurse", "pw-2"))
        self.assertEqual(status, 500)
        self.assertIn("<errorCode>606</errorCode>", body)

    def test_shares_walk_delete_and_add_back(self):
        path, svc, auth = "/upnp/control/wanpppconn1", "WANPPPConnection", ("boxadmin", "pw-1")
        status, body = self.post(path, svc, "GetGenericPortMappingEntry", {"NewPortMappingIndex": 5}, auth=auth)
        self.assertIn("<errorCode>713</errorCode>", body)
        status, body = self.post(path, svc, "DeletePortMapping",
                                 {"NewRemoteHost": "", "NewExternalPort": 8080, "NewProtocol": "TCP"}, auth=auth)
        self.assertIn("<errorCode>606</errorCode>", body)  # another device's share
        status, _ = self.post(path, svc, "DeletePortMapping",
                              {"NewRemoteHost": "", "NewExternalPort": 104, "NewProtocol": "TCP"}, auth=auth)
        self.assertEqual(status, 200)
        with open(self.emu.state_path) as f:
            self.assertEqual([s["ext"] for s in json.load(f)["shares"]], [8080])
        self.assertEqual(oct(os.stat(self.emu.state_path).st_mode & 0o777), "0o600")
        args = {"NewRemoteHost": "", "NewExternalPort": 104, "NewProtocol": "TCP", "NewInternalPort": 104,
                "NewInternalClient": PC, "NewEnabled": 1, "NewPortMappingDescription": "DICOM", "NewLeaseDuration": 0}
        self.assertEqual(self.post(path, svc, "AddPortMapping", args, auth=auth)[0], 200)
        status, body = self.post(path, svc, "GetPortMappingNumberOfEntries", auth=auth)
        self.assertIn("<NewPortMappingNumberOfEntries>2</NewPortMappingNumberOfEntries>", body)

    def test_fault_armed_on_a_write(self):
        self.emu.control("POST", "/_emu/fail", {"call": "X_AVM-DE_UPnP#SetConfig", "kind": "error"})
        status, body = self.post("/upnp/control/x_upnp", "X_AVM-DE_UPnP", "SetConfig",
                                 {"NewEnable": 1, "NewUPnPMediaServer": 0}, auth=("boxadmin", "pw-1"))
        self.assertEqual(status, 500)
        self.assertIn("<errorCode>820</errorCode>", body)
        calls = self.emu.control("GET", "/_emu/log")["calls"]
        self.assertTrue(any(c.get("fault") == "error" and c["call"] == "SetConfig" for c in calls))


if __name__ == "__main__":
    unittest.main()
