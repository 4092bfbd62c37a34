#!/usr/bin/env python3
"""An SFR box "API REST" emulator for boxwarden's tests (Python 3 standard library).

Serves GET/POST /api/1.0/?method=NAMESPACE.METHOD as shared/vendor-api/bbox-sfr.md part B
describes it: XML <rsp stat="ok|fail" version="1.0">, errors <err code msg/> with HTTP 200.
system.getInfo comes from the captured fixture of --model (tests/fixtures/sfr), wan.getInfo and
lan.getInfo from theirs (the WAN address set by --wan-ip). auth.getToken + auth.checkToken with
the HMAC-SHA256 hash of login and password (--password); firewall.getInfo needs the token.
It also answers system.getWpaKey and ppp.getCredentials (they give secrets): a test checks in
the log that boxwarden never calls them. Any other method: error 112.

Control: GET /_emu/log {"calls": [{"method": ..., "token": bool}, ...]}, POST /_emu/clear,
GET /_emu/secrets {"secrets": [password, tokens handed out]} (never print).
Never point it anywhere but 127.0.0.1 or a lab namespace address.
"""

import argparse
import hashlib
import hmac
import json
import os
import re
import secrets
import sys
import threading
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emu_http  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "fixtures", "sfr"))
MODELS = {"nb6vac": "sfrbox-api_system.getInfo.xml", "nb6v": "sfrbox-api_system.getInfo.3_5_8.xml",
          "box8": "sfrbox-api_system.getInfo.3DCM020200r015.xml",
          "box10": "sfrbox-api_system.getInfo.BOX10H-XbSP-1.6.14.1.xml"}
PUBLIC = {"system.getInfo", "wan.getInfo", "lan.getInfo", "auth.getToken", "auth.checkToken", "dsl.getInfo",
          "ftth.getInfo"}


def fixture(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return f.read()


def ok(inner):
    return '<?xml version="1.0" encoding="UTF-8"?>\n<rsp stat="ok" version="1.0">\n%s\n</rsp>\n' % inner


def fail(code, msg):
    return ok('<err code="%s" msg="%s" />' % (code, msg)).replace('stat="ok"', 'stat="fail"')


def h(token, value):
    return hmac.new(token.encode(), hashlib.sha256(value.encode()).hexdigest().encode(), hashlib.sha256).hexdigest()


class Handler(emu_http.BaseHandler):
    server_version = "lighttpd"
    log_prefix = "sfr-emu"
    emu = None

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def reply(self, text):
        self.send_body(200, text.encode(), "text/xml; charset=utf-8")

    def dispatch(self):
        emu = self.emu
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        url = urllib.parse.urlsplit(self.path)
        if url.path.startswith("/_emu/"):
            with emu.lock:
                if url.path == "/_emu/log":
                    body = {"calls": list(emu.calls)}
                elif url.path == "/_emu/secrets":
                    body = {"secrets": [emu.args.password] + list(emu.handed)}
                elif url.path == "/_emu/clear":
                    emu.calls.clear()
                    body = {"ok": True}
                else:
                    return self.send_body(404, b"{}", "application/json")
            return self.send_body(200, json.dumps(body).encode(), "application/json")
        if url.path.rstrip("/") != "/api/1.0":
            return self.send_body(404, b"<html>404 Not Found</html>", "text/html")
        q = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
        method = q.get("method", "")
        with emu.lock:
            emu.calls.append({"method": method, "token": "token" in q, "hash": "hash" in q})
        self.reply(emu.answer(method, q))


class Emulator:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.calls = []
        self.handed = []
        self.pending = set()
        self.valid = set()
        system = fixture(MODELS[args.model])
        self.system = re.search(r"<system [^>]*/>", system).group(0)
        wan = re.search(r"<wan [^>]*/>", fixture("sfrbox-api_wan.getInfo.xml")).group(0)
        if args.wan_ip:
            wan = re.sub(r'ip_addr="[^"]*"', 'ip_addr="%s"' % args.wan_ip, wan)
        if args.ipv6:
            wan = wan.replace('infra6=""', 'infra6="Dual"').replace('status6="down"', 'status6="up"')
        self.wan = wan
        self.lan = re.search(r"<lan [^>]*/>", fixture("neufbox-client_lan.getInfo.xml")).group(0)

    def answer(self, method, q):
        if method == "system.getInfo":
            return ok(self.system)
        if method == "wan.getInfo":
            return ok(self.wan)
        if method == "lan.getInfo":
            return ok(self.lan)
        if method == "auth.getToken":
            token = secrets.token_hex(32)
            with self.lock:
                self.pending.add(token)
                self.handed.append(token)
            return ok('<auth token="%s" method="%s" />' % (token, self.args.auth_method))
        if method == "auth.checkToken":
            token, got = q.get("token", ""), q.get("hash", "")
            with self.lock:
                if token not in self.pending:
                    return fail("201", "Invalid session")
            want = h(token, "admin") + h(token, self.args.password)
            if not hmac.compare_digest(want, got):
                return fail("204", "Invalid login and/or password")
            with self.lock:
                self.pending.discard(token)
                self.valid.add(token)
            return ok('<auth token="%s" />' % token)
        if method not in PUBLIC:
            with self.lock:
                authed = q.get("token", "") in self.valid
            if method == "firewall.getInfo":
                if not authed:
                    return fail("115", "Authentication needed")
                return ok('<firewall mode="%s">\n<winsharedrop active="%s"/>\n<icmpdrop active="%s"/>\n'
                          '<smtpdrop active="%s"/>\n</firewall>' % (self.args.firewall_mode, self.args.smb,
                                                                    self.args.icmp, self.args.smtp))
            if method == "system.getWpaKey":
                return ok('<wpakey>%s</wpakey>' % self.args.password) if authed else fail("115", "Authentication needed")
            if method == "ppp.getCredentials":
                return ok('<ppp login="0123456789@neufpnp" password="%s" />' % self.args.password) \
                    if authed else fail("115", "Authentication needed")
        return fail("112", "Method not found")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    emu_http.add_common_args(ap)
    ap.add_argument("--model", choices=sorted(MODELS), default="nb6vac")
    ap.add_argument("--wan-ip", help="the box's public IPv4 (wan.getInfo ip_addr)")
    ap.add_argument("--ipv6", action="store_true", help="IPv6 up on the WAN (infra6 Dual, status6 up)")
    ap.add_argument("--password", default="sfr-admin-1", help="the admin password (login admin)")
    ap.add_argument("--auth-method", default="all", choices=["passwd", "button", "all"])
    ap.add_argument("--firewall-mode", default="simple")
    ap.add_argument("--smb", default="on", choices=["on", "off"])
    ap.add_argument("--icmp", default="off", choices=["on", "off"])
    ap.add_argument("--smtp", default="on", choices=["on", "off"])
    args = ap.parse_args(argv)
    emu_http.check_common_args(ap, args)
    Handler.emu = Emulator(args)
    Handler.verbose = args.verbose
    servers = emu_http.make_servers(args, Handler, Handler.emu)
    emu_http.announce(servers, args.bind, "sfr-emu")
    emu_http.serve([s for s, _, _ in servers])
    return 0


if __name__ == "__main__":
    sys.exit(main())
