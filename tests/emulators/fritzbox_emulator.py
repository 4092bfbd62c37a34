#!/usr/bin/env python3
"""An AVM FRITZ!Box TR-064 emulator for boxwarden's tests (Python 3 standard library).

Serves what shared/vendor-api/fritzbox-tr064.md describes: /tr64desc.xml (and with --igddesc
/igddesc.xml: the captured 7590 files in tests/fixtures/fritzbox; the IGD itself is the lab's
real miniupnpd, so it is off by default, or boxwarden's UPnP plugin would find an IGD here whose
control URLs do not answer), SOAP actions on the control URLs of
tr64desc.xml with HTTP Digest authentication (RFC 2617, MD5, qop=auth: the Authorization
header is checked, the nonce must be one this emulator gave), TR-064 faults (HTTP 500 with
UPnPError errorCode), and the host list file at Hosts:X_AVM-DE_GetHostListPath's path.
Rights: a user whose "settings" is false gets fault 606 on every action that needs the
"FRITZ!Box settings" right. A share with "locked": true is another device's: DeletePortMapping
answers 606 (FRITZ!OS's own-host rule).

Real effects (the lab's box namespace): --nft --wan-if IF puts the enabled shares in the
nftables table ip fritz_emu (DNAT), --remote-bind ADDR listens on ADDR:<remote access port>
while remote access is on, --upnp-hook CMD runs `CMD on|off` when the UPnP switch changes (the
lab's real miniupnpd). --ctl-port (80) serves the control endpoints too.

Control endpoints (every port):
  GET  /_emu/state    the stored state (holds the passwords: never print it)
  GET  /_emu/log      {"calls": [...]}: action, service, user, status, fault
  GET  /_emu/nft      {"script": ...}
  GET  /_emu/secrets  {"secrets": [every password, every host list sid]} (never print)
  POST /_emu/fail     {"call": "DeletePortMapping", "kind": "error|reset|hang|http500|reboot"[+"-after"],
                       "count": 1|-1, "skip": N}; call = the action's name, or SERVICE#ACTION
                       ("X_AVM-DE_UPnP#SetConfig")
  POST /_emu/clear    faults and log
Never point it anywhere but 127.0.0.1 or a lab namespace address.
"""

import argparse
import copy
import hashlib
import html
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emu_http  # noqa: E402
import livebox_nft  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "fixtures", "fritzbox"))
TABLE = "fritz_emu"
REALM = "HTTPS Access"
PREFIX = "urn:dslforum-org:service:"
XML_TYPE = 'text/xml; charset="utf-8"'
# Actions anyone may call (rights "-"): no digest.
ANONYMOUS = {("DeviceInfo", "GetSecurityPort"), ("LANConfigSecurity", "X_AVM-DE_GetUserList")}
# Actions that need no "FRITZ!Box settings" right (reading remote access and MyFRITZ!).
ANY_RIGHT = {("X_AVM-DE_RemoteAccess", "GetInfo"), ("X_AVM-DE_MyFritz", "GetInfo")}


class Fault(Exception):
    def __init__(self, code, text):
        super().__init__(text)
        self.code, self.text = code, text


def fixture_bytes(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


def default_state():
    return {
        "device": {"model": "FRITZ!Box 7590", "firmware": "154.07.29", "serial": "989BCB2B93B0"},
        "users": {"boxadmin": {"password": "fritz-password-1", "settings": True}},
        "last_user": "boxadmin",
        "wan": {"service": "WANPPPConnection", "ip": "203.0.113.7"},
        "shares": [],
        "upnp": {"enable": 1, "media_server": 0},
        "remote": {"enabled": 0, "port": 4443, "username": ""},
        "myfritz": {"enabled": 0, "registered": 0},
        "exposed_host": "",
        "hosts": [],
        "tls_port": 0,
    }


def apply_scenario(state, scenario):
    for key, value in scenario.items():
        if isinstance(state.get(key), dict) and key not in ("users",):
            state[key].update(value)
        else:
            state[key] = value


def envelope(inner):
    return ('<?xml version="1.0"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
            's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>%s</s:Body></s:Envelope>\n'
            % inner).encode()


def response(service, action, values):
    body = "".join("<%s>%s</%s>" % (k, html.escape(str(v), quote=False), k) for k, v in values.items())
    return envelope('<u:%sResponse xmlns:u="%s%s:1">%s</u:%sResponse>' % (action, PREFIX, service, body, action))


def fault_body(code, text):
    return envelope('<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>'
                    '<UPnPError xmlns="urn:dslforum-org:control-1-0"><errorCode>%d</errorCode>'
                    '<errorDescription>%s</errorDescription></UPnPError></detail></s:Fault>' % (code, html.escape(text)))


def control_map():
    """control path -> service short name ("WANPPPConnection"), from the fixture."""
    out = {}
    root = ET.fromstring(fixture_bytes("tr64desc.xml"))
    for svc in root.iter():
        if svc.tag.endswith("}service"):
            fields = {c.tag.split("}")[-1]: (c.text or "") for c in svc}
            t = fields.get("serviceType", "")
            if t.startswith(PREFIX):
                out[fields.get("controlURL", "")] = t[len(PREFIX):].rsplit(":", 1)[0]
    return out


def render_nft(state, wan_if):
    remote = state["remote"]
    own = ['iifname "%s" tcp dport %d return' % (wan_if, remote["port"])] if remote.get("enabled") else []
    forwards = []
    for s in state["shares"]:
        forwards += livebox_nft.forward_rules({
            "Enable": bool(s.get("enabled")), "DestinationIPAddress": s["client"],
            "ExternalPort": str(s["ext"]), "InternalPort": str(s["int_port"]),
            "SourcePrefix": "" if s.get("remote_host") in ("", "0.0.0.0") else s["remote_host"],
            "Protocol": {"TCP": "6", "UDP": "17"}.get(s["proto"], "")}, wan_if)
    dmz = livebox_nft.dmz_rules({"Enable": bool(state.get("exposed_host")),
                                 "DestinationIPAddress": state.get("exposed_host")}, wan_if)
    return livebox_nft.render_table(TABLE, own + forwards, own + dmz)


class Emulator:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.faults = []
        self.calls = []
        self.nonces = set()
        self.sids = []
        self.nft_script = ""
        self.remote = None
        self.upnp = None
        self.controls = control_map()
        self.tls_servers = []
        self.tls_port = 0
        self.state = emu_http.load_state(args.scenario, args.state, default_state, apply_scenario, "fritzbox_emulator")
        if args.wan_ip:
            self.state["wan"]["ip"] = args.wan_ip

    def load_tls(self, cert, key):
        """HTTPS on --tls-port (self-signed, as the box's): DeviceInfo:GetSecurityPort names it."""
        for server in self.tls_servers:
            server.ssl_context = emu_http.tls_context(cert, key)

    def changed(self):
        """The state file (0600: it holds the passwords), then the real effects."""
        if self.args.state:
            tmp = self.args.state + ".tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump(self.state, f, indent=1, sort_keys=True)
            os.replace(tmp, self.args.state)
        self.sync()

    def sync(self):
        self.nft_script = render_nft(self.state, self.args.wan_if)
        if self.args.nft:
            livebox_nft.apply(self.nft_script)
        if self.args.remote_bind:
            want = self.state["remote"]["port"] if self.state["remote"].get("enabled") else None
            if self.remote and self.remote[0] != want:
                self.remote[1].shutdown()
                self.remote[1].server_close()
                self.remote = None
            if want and not self.remote:
                server = emu_http.Server((self.args.remote_bind, want), Handler)
                threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
                self.remote = (want, server)
        upnp = bool(self.state["upnp"]["enable"])
        if self.args.upnp_hook and self.upnp != upnp:
            subprocess.run([self.args.upnp_hook, "on" if upnp else "off"], check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.upnp = upnp

    def record(self, entry):
        with self.lock:
            self.calls.append(entry)

    # ---- digest (RFC 2617, MD5, qop=auth)
    def challenge(self):
        nonce = secrets.token_hex(8).upper()
        with self.lock:
            self.nonces.add(nonce)
        return 'Digest realm="%s",nonce="%s",algorithm=MD5,qop="auth"' % (REALM, nonce)

    def check_digest(self, header, method, uri):
        """The user name when the Authorization header is a valid digest for a known user."""
        if not header or not header.startswith("Digest "):
            return None
        fields = dict((k, v1 if v1 else v2) for k, v1, v2 in
                      re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]*))', header[7:]))
        user = fields.get("username", "")
        account = self.state["users"].get(user)
        if not account or fields.get("realm") != REALM or fields.get("qop") != "auth":
            return None
        if fields.get("algorithm", "MD5").upper() != "MD5" or fields.get("uri") != uri:
            return None
        with self.lock:
            if fields.get("nonce") not in self.nonces:
                return None
        md5 = lambda s: hashlib.md5(s.encode()).hexdigest()  # noqa: E731
        ha1 = md5("%s:%s:%s" % (user, REALM, account["password"]))
        ha2 = md5("%s:%s" % (method, uri))
        want = md5("%s:%s:%s:%s:auth:%s" % (ha1, fields.get("nonce"), fields.get("nc", ""), fields.get("cnonce", ""), ha2))
        return user if secrets.compare_digest(want, fields.get("response", "")) else None

    # ---- the actions
    def share_index(self, remote, ext, proto):
        for i, s in enumerate(self.state["shares"]):
            if s["ext"] == ext and s["proto"] == proto and (s.get("remote_host") or "") == (remote or ""):
                return i
        return None

    def action(self, service, action, args, user):
        st = self.state
        if service == "DeviceInfo":
            if action == "GetSecurityPort":
                if not st.get("tls_port"):
                    raise Fault(401, "Invalid Action")
                return {"NewSecurityPort": st["tls_port"]}
            if action == "GetInfo":
                d = st["device"]
                return {"NewManufacturerName": "AVM", "NewModelName": d["model"], "NewSoftwareVersion": d["firmware"],
                        "NewSerialNumber": d["serial"], "NewUpTime": 4242, "NewDeviceLog": ""}
        if service == "LANConfigSecurity" and action == "X_AVM-DE_GetUserList":
            users = "".join('<Username last_user="%d">%s</Username>' % (int(u == st.get("last_user")), html.escape(u))
                            for u in sorted(st["users"]))
            return {"NewX_AVM-DE_UserList": "<List>%s</List>" % users}
        if service == "Layer3Forwarding" and action == "GetDefaultConnectionService":
            return {"NewDefaultConnectionService": "1.%s.1" % st["wan"]["service"]}
        if service in ("WANPPPConnection", "WANIPConnection"):
            active = service == st["wan"]["service"]
            shares = st["shares"] if active else []
            if action == "GetExternalIPAddress":
                return {"NewExternalIPAddress": st["wan"]["ip"] if active else "0.0.0.0"}
            if action == "GetPortMappingNumberOfEntries":
                return {"NewPortMappingNumberOfEntries": len(shares)}
            if action == "GetGenericPortMappingEntry":
                i = int(args.get("NewPortMappingIndex", "-1"))
                if not 0 <= i < len(shares):
                    raise Fault(713, "SpecifiedArrayIndexInvalid")
                s = shares[i]
                return {"NewRemoteHost": s.get("remote_host", ""), "NewExternalPort": s["ext"], "NewProtocol": s["proto"],
                        "NewInternalPort": s["int_port"], "NewInternalClient": s["client"],
                        "NewEnabled": int(bool(s["enabled"])), "NewPortMappingDescription": s.get("desc", ""),
                        "NewLeaseDuration": s.get("lease", 0)}
            if not active and action in ("AddPortMapping", "DeletePortMapping"):
                raise Fault(501, "Action Failed")
            if action == "DeletePortMapping":
                i = self.share_index(args.get("NewRemoteHost", ""), int(args.get("NewExternalPort", "0")),
                                     args.get("NewProtocol", ""))
                if i is None:
                    raise Fault(714, "NoSuchEntryInArray")
                if st["shares"][i].get("locked"):
                    raise Fault(606, "Action Not Authorized")
                del st["shares"][i]
                return {}
            if action == "AddPortMapping":
                try:
                    share = {"remote_host": args.get("NewRemoteHost", ""), "ext": int(args["NewExternalPort"]),
                             "proto": args["NewProtocol"], "int_port": int(args["NewInternalPort"]),
                             "client": args["NewInternalClient"], "enabled": int(args["NewEnabled"]),
                             "desc": args.get("NewPortMappingDescription", ""),
                             "lease": int(args.get("NewLeaseDuration", "0"))}
                except (KeyError, ValueError):
                    raise Fault(402, "Invalid Args")
                if share["proto"] not in ("TCP", "UDP") or not 1 <= share["ext"] <= 65535:
                    raise Fault(600, "Argument Value Invalid")
                i = self.share_index(share["remote_host"], share["ext"], share["proto"])
                if i is None:
                    st["shares"].append(share)
                else:
                    share["locked"] = st["shares"][i].get("locked", False)
                    st["shares"][i] = share
                return {}
        if service == "X_AVM-DE_UPnP":
            if action == "GetInfo":
                return {"NewEnable": st["upnp"]["enable"], "NewUPnPMediaServer": st["upnp"]["media_server"]}
            if action == "SetConfig":
                try:
                    st["upnp"]["enable"] = int(args["NewEnable"])
                    st["upnp"]["media_server"] = int(args["NewUPnPMediaServer"])
                except (KeyError, ValueError):
                    raise Fault(402, "Invalid Args")
                return {}
        if service == "X_AVM-DE_RemoteAccess":
            if action == "GetInfo":
                r = st["remote"]
                return {"NewEnabled": r["enabled"], "NewPort": r["port"], "NewUsername": r.get("username", "")}
            if action == "SetEnable":
                if args.get("NewEnabled") not in ("0", "1"):
                    raise Fault(402, "Invalid Args")
                st["remote"]["enabled"] = int(args["NewEnabled"])
                return {"NewPort": st["remote"]["port"]}
        if service == "X_AVM-DE_MyFritz" and action == "GetInfo":
            m = st["myfritz"]
            return {"NewEnabled": m["enabled"], "NewDeviceRegistered": m["registered"], "NewDynDNSName": "",
                    "NewPort": 0}
        if service == "Hosts":
            if action == "GetHostNumberOfEntries":
                return {"NewHostNumberOfEntries": len(st["hosts"])}
            if action == "X_AVM-DE_GetHostListPath":
                sid = secrets.token_hex(8)
                with self.lock:
                    self.sids.append(sid)
                return {"NewX_AVM-DE_HostListPath": "/devicehostlist.lua?sid=%s" % sid}
        raise Fault(401, "Invalid Action")

    def host_list(self):
        items = []
        for i, h in enumerate(self.state["hosts"]):
            items.append("<Item><Index>%d</Index><IPAddress>%s</IPAddress><MACAddress>%s</MACAddress><Active>%d</Active>"
                         "<HostName>%s</HostName><InterfaceType>%s</InterfaceType></Item>"
                         % (i + 1, html.escape(h["ip"]), html.escape(h.get("mac", "")), int(h.get("active", 1)),
                            html.escape(h.get("name", "")), html.escape(h.get("iface", "Ethernet"))))
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<List>%s</List>\n' % "".join(items)).encode()


class Handler(emu_http.BaseHandler):
    server_version = "FRITZ!Box"
    log_prefix = "fritzbox-emu"
    emu = None

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def send_json(self, code, obj):
        self.send_body(code, json.dumps(obj).encode(), "application/json")

    def unauthorized(self):
        self.send_body(401, b"<HTML><HEAD><TITLE>401 Unauthorized</TITLE></HEAD><BODY>Unauthorized</BODY></HTML>",
                       "text/html", [("WWW-Authenticate", self.emu.challenge())])

    def control(self, method, raw):
        emu = self.emu
        path = urllib.parse.urlsplit(self.path).path
        try:
            payload = json.loads(raw) if raw else {}
            if method == "GET" and path == "/_emu/state":
                with emu.lock:
                    return self.send_json(200, copy.deepcopy(emu.state))
            if method == "GET" and path == "/_emu/log":
                with emu.lock:
                    return self.send_json(200, {"calls": list(emu.calls)})
            if method == "GET" and path == "/_emu/nft":
                return self.send_json(200, {"script": emu.nft_script})
            if method == "GET" and path == "/_emu/secrets":
                with emu.lock:
                    pw = [u["password"] for u in emu.state["users"].values()]
                    return self.send_json(200, {"secrets": pw + list(emu.sids)})
            if method != "POST":
                return self.send_json(404, {"error": "unknown control path"})
            if path == "/_emu/fail":
                fault = emu_http.fault_from_json(payload)
                with emu.lock:
                    emu.faults.append(fault)
            elif path == "/_emu/clear":
                with emu.lock:
                    emu.faults.clear()
                    emu.calls.clear()
            else:
                return self.send_json(404, {"error": "unknown control path"})
            return self.send_json(200, {"ok": True})
        except (KeyError, ValueError, TypeError) as e:
            return self.send_json(400, {"error": "bad control request: %s" % e})

    def dispatch(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        if length > 1 << 20:
            return self.send_body(413, b"", "text/plain")
        raw = self.rfile.read(length) if length else b""
        emu = self.emu
        url = urllib.parse.urlsplit(self.path)
        if url.path.startswith("/_emu/"):
            return self.control(method, raw)
        if method == "GET" and (url.path == "/tr64desc.xml" or (
                emu.args.igddesc and emu.state["upnp"]["enable"] and url.path in ("/igddesc.xml", "/igdconnSCPD.xml"))):
            return self.send_body(200, fixture_bytes(url.path[1:]), XML_TYPE)
        if method == "GET" and url.path == "/devicehostlist.lua":
            if emu.check_digest(self.headers.get("Authorization"), "GET", self.path) is None:
                return self.unauthorized()
            sid = urllib.parse.parse_qs(url.query).get("sid", [""])[-1]
            with emu.lock:
                known = sid in emu.sids
            if not known:
                return self.send_body(403, b"", "text/plain")
            with emu.lock:
                body = emu.host_list()
            return self.send_body(200, body, XML_TYPE)
        service = emu.controls.get(url.path)
        if method != "POST" or service is None:
            emu.record({"call": "%s %s" % (method, url.path), "status": 404})
            return self.send_body(404, b"<html>404 Not Found</html>", "text/html")
        soap_action = (self.headers.get("SOAPAction") or "").strip().strip('"')
        stype, _, action = soap_action.partition("#")
        if stype != "%s%s:1" % (PREFIX, service) or not action:
            return self.send_body(500, fault_body(401, "Invalid Action"), XML_TYPE)
        entry = {"call": action, "service": service}
        user = None
        if (service, action) not in ANONYMOUS:
            # libcurl's first leg of a digest exchange has no body: authenticate before parsing it.
            user = emu.check_digest(self.headers.get("Authorization"), "POST", self.path)
            if user is None:
                return self.unauthorized()
            entry["user"] = user
        args = {}
        try:
            root = ET.fromstring(raw)
            for el in root.iter():
                if el.tag.split("}")[-1] == action:
                    args = {c.tag.split("}")[-1]: (c.text or "") for c in el}
        except ET.ParseError:
            return self.send_body(500, fault_body(402, "Invalid Args"), XML_TYPE)
        emu.record(entry)
        fault = emu_http.take_fault(emu.faults, emu.lock, action) or \
            emu_http.take_fault(emu.faults, emu.lock, "%s#%s" % (service, action)) or None
        if fault and not fault.after:
            entry["fault"] = fault.kind
            return self.fail(fault)
        try:
            if user is not None and not emu.state["users"][user].get("settings") and (service, action) not in ANY_RIGHT:
                raise Fault(606, "Action Not Authorized")
            before = json.dumps(emu.state, sort_keys=True)
            values = emu.action(service, action, args, user)
            if json.dumps(emu.state, sort_keys=True) != before:
                emu.changed()
            code, body = 200, response(service, action, values)
        except Fault as f:
            entry["fault_code"] = f.code
            code, body = 500, fault_body(f.code, f.text)
        entry["status"] = code
        if fault:
            entry["fault"] = fault.kind + "-after"
            return self.fail(fault)
        return self.send_body(code, body, XML_TYPE)

    def fail(self, fault):
        if fault.kind == "reset":
            return self.reset()
        if fault.kind == "reboot":
            self.emu.record({"call": "(reboot)"})
            return self.reboot()
        if fault.kind == "hang":
            return self.hang(self.emu.args.hang_seconds)
        if fault.kind == "http500":
            return self.send_body(500, b"<html><body>500 Internal Server Error</body></html>", "text/html")
        return self.send_body(500, fault_body(820, "Internal Error"), XML_TYPE)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    emu_http.add_common_args(ap)
    ap.add_argument("--wan-ip", help="the box's public IPv4")
    ap.add_argument("--nft", action="store_true", help="apply the shares to this namespace's nftables")
    ap.add_argument("--wan-if", default="wan0")
    ap.add_argument("--remote-bind", metavar="ADDR", help="listen on ADDR:<remote access port> while it is on")
    ap.add_argument("--upnp-hook", metavar="CMD", help="run CMD on|off when the UPnP switch changes")
    ap.add_argument("--igddesc", action="store_true",
                    help="also serve the captured /igddesc.xml while UPnP is on (its IGD control URLs answer 404: "
                         "in the lab the IGD is the real miniupnpd)")
    ap.add_argument("--ctl-port", type=int, default=0, help="also serve (control endpoints included) on this port")
    args = ap.parse_args(argv)
    emu_http.check_common_args(ap, args)
    emu = Emulator(args)
    Handler.emu = emu
    Handler.verbose = args.verbose
    servers = emu_http.make_servers(args, Handler, emu)
    if args.tls_cert:
        emu.state["tls_port"] = emu.tls_port
    if args.ctl_port:
        servers.append((emu_http.Server((args.bind, args.ctl_port), Handler), None, "http"))
    with emu.lock:
        emu.changed()
    emu_http.announce(servers, args.bind, "fritzbox-emu")
    emu_http.serve([s for s, _, _ in servers], (lambda: livebox_nft.remove(TABLE)) if args.nft else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
