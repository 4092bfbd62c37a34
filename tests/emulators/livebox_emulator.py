#!/usr/bin/env python3
"""An Orange Livebox `/ws` API emulator for boxwarden's tests (Python 3 standard library only).

Serves POST /ws with the real response shapes and quirks (shared/vendor-api/livebox.md):
createContext login with `Authorization: X-Sah-Login`, a session cookie whose name contains
'/', `Authorization: X-Sah <ctx>` or `X-Context` checked with the cookie, error 13 on a bad
or expired context, 401 + `waittime` after a bad password (and throttling), ws-1 replies
wrapped in {"result":...} and ws-4 bare, 196640 / 1114115 / 1114120 where the real box gives
them, and the origin-only bulk delete (logged loudly). Only the Host names the box allows
(and IP literals) get an answer.

HTTPS (livebox.md 2.1: some models answer on 443 with a self-signed certificate, and may send
port 80 there): --tls-cert/--tls-key also serve everything over TLS on --tls-port (0: a free
one, see --tls-port-file); --http-mode serve|redirect|off says what plain HTTP does with /ws:
answer, redirect to the HTTPS port (or to --redirect-to URL), or not listen at all.
POST /_emu/tls {"cert": FILE, "key": FILE} switches the certificate for new connections.

Control endpoints on the same port (for tests):
  GET  /_emu/state        the stored state (JSON)       GET  /_emu/log    calls and alerts
  POST /_emu/fail         {"call":"Firewall:deleteDMZ","kind":"error|reset|hang|http500|reboot"
                           [+"-after"], "count":1|-1[, "skip":N]}   POST /_emu/clear  faults and log
                           (skip: let the first N matching calls through; reboot: reset the
                           connection and exit with status 75, REBOOT_EXIT, at once: the
                           harness starts it again on the same port from the state file,
                           sessions lost, see EmulatorProcess(reboot_delay=...))
  POST /_emu/expire       drop every session context    GET  /_emu/nft    the nft scripts

IPv6 (livebox.md 6.3, 6.5): --nft6 refills chain box_ipv6 of table inet filter with the IPv6
level's and the pinholes' effect (livebox_nft.render6); --upnp6-mirror lists the pinholes of
the box's IGD (miniupnpd's rules in chain miniupnpd) as Origin "upnp" pinholes, and
deletePinhole of one deletes its rule (livebox_upnp6).

Never point it anywhere but 127.0.0.1 or a lab namespace address.
"""

import argparse
import json
import os
import secrets
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emu_http  # noqa: E402
import livebox_igd  # noqa: E402
import livebox_model  # noqa: E402
import livebox_nft  # noqa: E402
import livebox_upnp6  # noqa: E402

ANONYMOUS = {("DeviceInfo", "get"), ("NMC", "getWANStatus")}
ALLOWED_HOSTS = {"lan", "lan.home", "livebox", "livebox.home", "installation", "installation.home",
                 "liveboxipv4", "liveboxipv4.home", "liveboxipv6", "liveboxipv6.home", "hgw.local",
                 "livebox.local"}
FAULT_KINDS = emu_http.FAULT_KINDS
REBOOT_EXIT = emu_http.REBOOT_EXIT  # the process's status after a "reboot" fault
Fault = emu_http.Fault


def parse_fault(spec):
    """`Service:method[:kind[:count]]`; count -1 or "always" = every time. Default error, once."""
    parts = spec.rsplit(":", 3) if spec.count(":") >= 1 else [spec]
    call = parts[0] + ":" + parts[1]
    kind = parts[2] if len(parts) > 2 else "error"
    count = parts[3] if len(parts) > 3 else "1"
    return Fault(call, kind, -1 if count in ("always", "-1") else int(count))


class Emulator:
    def __init__(self, args):
        self.args = args
        self.etag = secrets.token_hex(4)
        self.contexts = {}  # ctx -> {"cookie": value, "last": time}
        self.failures = 0
        self.locked_until = 0.0
        self.faults = [parse_fault(s) for s in args.fail or []]
        self.calls = []
        self.lock = threading.Lock()
        self.nft_script = ""
        self.nft6_script = ""
        state = livebox_model.load_state(args.scenario, args.state)
        igd = livebox_igd.IgdMirror(args.igd_mirror) if args.igd_mirror else None
        igd6 = livebox_upnp6.Upnp6Mirror(refresh=igd.touch if igd else None) if args.upnp6_mirror else None
        self.model = livebox_model.LiveboxModel(state, args.state, self.sync, args.upnp_set_form, igd=igd,
                                                igd6=igd6)
        self.model.changed()  # write the state file and load nftables once at start
        self.tls_port = 0
        self.tls_context = None
        self.tls_servers = []

    def load_tls(self, cert, key):
        ctx = emu_http.tls_context(cert, key)
        self.tls_context = ctx
        for server in self.tls_servers:
            server.ssl_context = ctx

    # -- outside effects -----------------------------------------------------------------
    def sync(self, state):
        self.nft_script = livebox_nft.render(state, self.args.wan_if)
        if self.args.nft:
            livebox_nft.apply(self.nft_script)
        self.nft6_script = livebox_nft.render6(state, self.args.wan_if, self.args.lan_if)
        if self.args.nft6:
            livebox_nft.apply(self.nft6_script)
        upnp = state["upnp_igd"]["Enable"]
        if self.args.upnp_hook and getattr(self, "_upnp", None) not in (None, upnp):
            os.system("%s %s" % (self.args.upnp_hook, "on" if upnp else "off"))
        self._upnp = upnp

    # -- sessions ------------------------------------------------------------------------
    def login(self, params):
        """(http status, body, cookies) for createContext."""
        now = time.time()
        with self.lock:
            if now < self.locked_until:
                wait = int(self.locked_until - now) + 1
                return 401, self.refusal(wait), []
            st = self.model.state
            if params.get("username") != st["user"] or params.get("password") != st["password"]:
                self.failures += 1
                wait = min(self.args.throttle * self.failures, 3600)
                self.locked_until = now + wait
                return 401, self.refusal(wait), []
            self.failures = 0
            ctx = secrets.token_urlsafe(24)
            cookie = secrets.token_hex(16)
            self.contexts[ctx] = {"cookie": cookie, "last": now}
        body = {"status": 0, "data": {"contextID": ctx, "username": st["user"], "groups": "http,admin"}}
        cookies = ["%s/sessid=%s; path=/; HttpOnly" % (self.etag, cookie),
                   "%s/accept-language=fr,en; path=/" % self.etag]
        return 200, body, cookies

    @staticmethod
    def refusal(wait):
        return {"status": 1, "data": {},
                "errors": [{"error": 13, "description": "Permission denied", "info": "createContext",
                            "waittime": wait}]}

    def session_ok(self, headers):
        auth = headers.get("Authorization", "")
        ctx = auth[6:].strip() if auth.startswith("X-Sah ") else headers.get("X-Context", "").strip()
        cookies = {}
        for part in headers.get("Cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            cookies[name] = value
        with self.lock:
            entry = self.contexts.get(ctx)
            now = time.time()
            if entry is None or now - entry["last"] > self.args.session_idle:
                self.contexts.pop(ctx, None)
                return False
            if cookies.get("%s/sessid" % self.etag) != entry["cookie"]:
                return False
            entry["last"] = now
            return True

    def take_fault(self, call):
        return emu_http.take_fault(self.faults, self.lock, call)

    def record(self, entry):
        with self.lock:
            self.calls.append(entry)


class Handler(emu_http.BaseHandler):
    server_version = "Livebox-emulator"
    log_prefix = "livebox-emu"
    emu = None  # set by main()

    def redirected(self):
        """True when plain HTTP must not answer /ws (--http-mode redirect): sends the 301."""
        args = self.emu.args
        if getattr(self.server, "ssl_context", None) is not None or args.http_mode != "redirect":
            return False
        target = args.redirect_to or "https://%s:%d/ws" % (args.bind, self.emu.tls_port)
        self.send_response(301)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.emu.record({"call": "(redirected)", "params": {}, "ws1": False, "tls": False, "result": target})
        return True

    def send_json(self, code, obj, content_type, cookies=()):
        self.send_body(code, json.dumps(obj).encode(), content_type, [("Set-Cookie", c) for c in cookies])

    def host_allowed(self):
        host = self.headers.get("Host", "").strip().lower()
        if host.startswith("["):
            return True
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        parts = name.split(".")
        return name in ALLOWED_HOSTS or (len(parts) == 4 and all(p.isdigit() for p in parts))

    # -- control endpoints ----------------------------------------------------------------
    def do_GET(self):
        emu = self.emu
        if self.path == "/_emu/state":
            return self.send_json(200, emu.model.snapshot(), "application/json")
        if self.path == "/_emu/log":
            with emu.lock:
                log = {"calls": list(emu.calls), "alerts": list(emu.model.alerts)}
            return self.send_json(200, log, "application/json")
        if self.path == "/_emu/nft":
            return self.send_json(200, {"script": emu.nft_script, "script6": emu.nft6_script}, "application/json")
        body = b"<html><head><title>Livebox</title></head><body></body></html>"
        self.send_response(200 if self.path == "/" else 404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def control(self, payload):
        emu = self.emu
        if self.path == "/_emu/fail":
            fault = emu_http.fault_from_json(payload)
            with emu.lock:
                emu.faults.append(fault)
        elif self.path == "/_emu/clear":
            with emu.lock:
                emu.faults.clear()
                emu.calls.clear()
                emu.model.alerts.clear()
        elif self.path == "/_emu/expire":
            with emu.lock:
                emu.contexts.clear()
        elif self.path == "/_emu/tls":
            emu.load_tls(payload["cert"], payload["key"])
        else:
            return self.send_json(404, {"error": "unknown control path"}, "application/json")
        return self.send_json(200, {"ok": True}, "application/json")

    # -- /ws ----------------------------------------------------------------------------------
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path.startswith("/_emu/"):
            return self.control(json.loads(raw or b"{}"))
        if not self.host_allowed():
            return self.reset()  # real boxes close the connection without a reply
        if self.redirected():
            return None
        if self.path != "/ws":
            return self.send_json(404, {"error": "not found"}, "text/html")
        ctype = self.headers.get("Content-Type", "")
        ws1 = "ws-1" in ctype
        reply_type = "application/x-sah-ws-1-call+json" if ws1 else "application/x-sah-ws-4-call+json"
        try:
            req = json.loads(raw)
            service = str(req["service"])
            method = str(req["method"])
            params = req.get("parameters") or {}
        except (ValueError, KeyError, TypeError):
            return self.send_json(400, {"error": "bad request"}, reply_type)
        if service.startswith("sysbus."):
            service = service[len("sysbus."):]
        call = "%s:%s" % (service, method)
        shown = {k: ("(hidden)" if k == "password" else v) for k, v in params.items()} \
            if isinstance(params, dict) else params
        entry = {"call": call, "params": shown, "ws1": ws1, "tls": self.server.ssl_context is not None}
        self.emu.record(entry)

        fault = self.emu.take_fault(call)
        if fault and not fault.after:
            entry["fault"] = fault.kind
            return self.fail(fault, method, reply_type)

        if call == "sah.Device.Information:createContext":
            if self.headers.get("Authorization", "") != "X-Sah-Login":
                entry["result"] = [13]
                return self.send_json(401, Emulator.refusal(0), reply_type)
            code, body, cookies = self.emu.login(params)
            entry["result"] = "login %d" % code
            return self.send_json(code, body, reply_type, cookies)  # never wrapped
        if call == "sah.Device.Information:releaseContext":
            auth = self.headers.get("Authorization", "")
            with self.emu.lock:
                self.emu.contexts.pop(auth.split(" ", 1)[-1].strip(), None)
            return self.send_json(401, {"status": 1}, reply_type)

        authed = self.emu.session_ok(self.headers)
        entry["authenticated"] = authed
        if not authed and (service, method) not in ANONYMOUS:
            status, data, errors = None, None, [livebox_model.err(13, "Permission denied", service)]
        else:
            status, data, errors = self.emu.model.invoke(service, method, params)
            if call == "DeviceInfo:get" and not authed and isinstance(status, dict):
                status = dict(status, DeviceStatus=None)  # partial when anonymous
        entry["result"] = [e["error"] for e in errors] if errors else "ok"
        if fault:
            entry["fault"] = fault.kind + "-after"
            return self.fail(fault, method, reply_type)
        out = {"status": status}
        if data is not None:
            out["data"] = data
        if errors:
            out["errors"] = errors
        return self.send_json(200, {"result": out} if ws1 else out, reply_type)

    def fail(self, fault, method, reply_type):
        if fault.kind == "reset":
            return self.reset()
        if fault.kind == "reboot":
            # The box goes away mid-call: the connection drops, the process ends (the state
            # file is already written: every change rewrites it before replying).
            self.emu.record({"call": "(reboot)", "params": {}, "ws1": False, "tls": False, "result": "exit"})
            self.reboot()
        if fault.kind == "hang":
            return self.hang(self.emu.args.hang_seconds)
        if fault.kind == "http500":
            return self.send_json(500, {"error": "internal"}, "text/plain")
        errors = [{"error": 1, "description": "Function execution failed", "info": method}]
        out = {"status": None, "errors": errors}
        return self.send_json(200, {"result": out} if "ws-1" in reply_type else out, reply_type)


Server = emu_http.Server


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    emu_http.add_common_args(ap, http_modes=("serve", "redirect", "off"))
    ap.add_argument("--fail", action="append", metavar="SERVICE:METHOD[:KIND[:COUNT]]",
                    help="inject a fault: KIND error|reset|hang|http500|reboot, with -after to apply the change first")
    ap.add_argument("--throttle", type=int, default=3, help="waittime step after each bad password (s)")
    ap.add_argument("--session-idle", type=float, default=300.0, help="idle seconds before a context expires")
    ap.add_argument("--upnp-set-form", choices=["both", "nested", "flat"], default="both",
                    help="which UPnP-IGD:set parameter form this firmware honours")
    ap.add_argument("--nft", action="store_true", help="apply forwards and DMZ to this namespace's nftables")
    ap.add_argument("--wan-if", default="wan0", help="WAN interface name for the nft rules")
    ap.add_argument("--nft6", action="store_true",
                    help="apply the IPv6 level and pinholes to chain box_ipv6 of table inet filter")
    ap.add_argument("--lan-if", default="br0", help="LAN interface name for the IPv6 nft rules")
    ap.add_argument("--upnp6-mirror", action="store_true",
                    help="the IGD's IPv6 pinholes (nft chain miniupnpd here) are the upnp-origin pinholes")
    ap.add_argument("--igd-mirror", metavar="CONTROL_URL",
                    help="the box's IGD (WANIPConnection control URL): its mappings are the upnp-origin rules")
    ap.add_argument("--upnp-hook", help="command run with on/off when UPnP IGD is switched")
    ap.add_argument("--redirect-to", metavar="URL", help="with --http-mode redirect: send /ws here instead")
    args = ap.parse_args(argv)
    emu_http.check_common_args(ap, args)

    emu = Emulator(args)
    Handler.emu = emu
    servers = emu_http.make_servers(args, Handler, emu)
    emu_http.announce(servers, args.bind, "livebox-emu")
    Handler.verbose = args.verbose
    def cleanup():
        if args.nft:
            livebox_nft.remove()
        if args.nft6:
            livebox_nft.flush6()

    emu_http.serve([server for server, _, _ in servers], cleanup)
    return 0


if __name__ == "__main__":
    sys.exit(main())
