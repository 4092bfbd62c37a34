#!/usr/bin/env python3
"""A Freebox OS API emulator for boxwarden's tests (Python 3 standard library + openssl/wg).

Serves GET /api_version (bare JSON) and /api/v<major>/... (any major up to the box's, and
`latest`) with the {"success","result","error_code","msg"} envelope; an empty list is
{"success":true} without `result`; an unknown path is HTTP 404 invalid_request; auth errors
are HTTP 403. Pairing, HMAC-SHA1 challenge login, sessions: freebox_auth.py. Settings:
freebox_model.py. shared/vendor-api/freebox.md is the reference.

HTTPS: --tls-cert/--tls-key also serve everything over TLS on --tls-port (https_port and
https_available in /api_version follow); plain HTTP keeps working (--http-mode off: not).

Real effects (the lab's box namespace): --nft --wan-if IF puts the DMZ and enabled forwards
in the nftables table ip freebox_emu; --remote-bind ADDR listens on ADDR:remote_access_port
(the same API) while remote_access is on; --ipv6-chain CHAIN (with --nft) makes
ipv6_firewall:false an accept of everything from --wan-if to --lan-if over IPv6 in that chain of
table inet filter (the lab's box_ipv6, LAB_IPV6=1); --igd-mirror URL lists miniupnpd's mappings as
upnpigd/redir (DELETE removes them there) and --upnp-hook CMD runs `CMD on|off` when the
UPnP switch changes; --wg IFNAME runs the WireGuard server (wireguard-go) while it is enabled.

Control endpoints on the same ports (for tests):
  GET  /_emu/state    the stored state (holds app tokens: never print it)
  GET  /_emu/log      {"calls": [...]}: METHOD path, status, error_code, redacted body
  GET  /_emu/nft      {"script": ...}        GET /_emu/sessions  {"count": N}
  GET  /_emu/secrets  every app token, challenge, session token and session password handed
                      out or received (for secrets tests: look for them in outputs; never print)
  POST /_emu/fail     {"call": "PUT fw/dmz/", "kind": "error|reset|hang|http500|reboot"[+"-after"],
                       "count": 1|-1, "skip": N}; call = METHOD + path without /api/vN/, exact
                       ("DELETE fw/redir/3") or as the route names it ("DELETE fw/redir/{id}")
  POST /_emu/clear    faults and log          POST /_emu/expire  drop every session
  POST /_emu/authorize {"decision": "granted|denied|timeout"[, "track_id": N]}
  POST /_emu/revoke   {"app_id": ...}         POST /_emu/permissions {"app_id": ..., "settings": bool, ...}
  POST /_emu/tls      {"cert": FILE, "key": FILE}

Secrets (app tokens, passwords, challenges, session tokens, WireGuard keys) never go to the
log. Never point it anywhere but 127.0.0.1 or a lab namespace address.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emu_http  # noqa: E402
import freebox_auth  # noqa: E402
import freebox_model  # noqa: E402
import freebox_nft  # noqa: E402
import freebox_wg  # noqa: E402
from freebox_common import ApiError  # noqa: E402

SECRET_KEYS = {"app_token", "password", "session_token", "challenge", "private", "psk"}
JSON_TYPE = "application/json; charset=utf-8"
INVALID = ApiError("invalid_request", "Requête invalide (404)", http=404)


def redact(value):
    if isinstance(value, dict):
        return {k: ("(hidden)" if k in SECRET_KEYS else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def parse_fault(spec):
    """'METHOD PATH[:KIND[:COUNT]]' (the path has no ':'); default error, once."""
    call, _, rest = spec.partition(":")
    kind, _, count = rest.partition(":")
    return emu_http.Fault(call, kind or "error", -1 if count in ("always", "-1") else int(count or 1))


class IgdMirror:
    """miniupnpd's mappings (livebox_igd talks SOAP to it) as Freebox UPnPRedir objects."""

    def __init__(self, control_url):
        import livebox_igd
        self.igd = livebox_igd.IgdMirror(control_url)

    def redirs(self, state):
        out = []
        for rule in self.igd.rules().values():
            proto = "udp" if rule["Protocol"] == "17" else "tcp"
            r = freebox_model.upnp_redir(state, {
                "proto": proto, "ext_port": int(rule["ExternalPort"]), "int_port": int(rule["InternalPort"]),
                "int_ip": rule["DestinationIPAddress"], "desc": rule["Description"],
                "ext_src_ip": rule["SourcePrefix"] or "0.0.0.0", "remaining": rule["LeaseDuration"],
                "enabled": rule["Enable"]})
            r["_rule"] = rule
            out.append(r)
        return out

    def delete(self, redir):
        self.igd.delete(redir["_rule"])


class Emulator:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.faults = [parse_fault(spec) for spec in args.fail or []]
        self.calls = []
        self.nft_script = ""
        self.remote = None  # (port, server) while remote access listens
        self.upnp = None
        self.tls_port = 0
        self.tls_servers = []
        self.wg = None
        if args.wg:
            self.wg = freebox_wg.WgServer(args.wg, (args.state or "/tmp/freebox-emu") + ".wg.pid", log=self.log)
        state = freebox_model.load_state(args.scenario, args.state)
        for key, value in (("api_domain", args.api_domain), ("uid", args.uid)):
            if value:
                state["api_version"][key] = value
                if key == "api_domain":
                    state["domain_config"]["api_domain"] = value
        if args.wan_ip:
            state["connection"]["ipv4"] = args.wan_ip
        igd = IgdMirror(args.igd_mirror) if args.igd_mirror else None
        self.model = freebox_model.FreeboxModel(state, args.state, self.sync, igd=igd, keys=freebox_wg.keypair)
        self.auth = freebox_auth.Auth(self.model, auto_grant=args.auto_grant, max_bad=args.max_bad_logins,
                                      ratelimit_seconds=args.ratelimit_seconds, session_idle=args.session_idle)

    def log(self, msg):
        print(msg, file=sys.stderr, flush=True)

    def set_https(self, port):
        api = self.model.state["api_version"]
        api["https_available"] = bool(port)
        if port:
            api["https_port"] = port

    # -- outside effects ---------------------------------------------------------------------------
    def sync(self, state):
        self.nft_script = freebox_nft.render(state, self.args.wan_if, self.args.ipv6_chain, self.args.lan_if)
        if self.args.nft:
            freebox_nft.apply(self.nft_script)
        self.sync_remote(state)
        upnp = state["upnpigd"]["enabled"]
        if self.args.upnp_hook and self.upnp != upnp:  # at start too: the hook is idempotent
            subprocess.run([self.args.upnp_hook, "on" if upnp else "off"], check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.upnp = upnp
        if self.wg is not None:
            self.model.vpn_runtime["wireguard"] = self.wg.sync(state)

    def sync_remote(self, state):
        if not self.args.remote_bind:
            return
        cfg = state["connection_config"]
        want = cfg["remote_access_port"] if cfg["remote_access"] else None
        if self.remote and self.remote[0] != want:
            server = self.remote[1]
            server.shutdown()
            server.server_close()
            self.remote = None
        if want and not self.remote:
            server = emu_http.Server((self.args.remote_bind, want), Handler)
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
            self.remote = (want, server)

    def stop_effects(self):
        if self.args.nft:
            freebox_nft.remove(self.args.ipv6_chain)
        if self.wg is not None:
            self.wg.down()

    def record(self, entry):
        with self.lock:
            self.calls.append(entry)

    def load_tls(self, cert, key):
        ctx = emu_http.tls_context(cert, key)
        for server in self.tls_servers:
            server.ssl_context = ctx


class Handler(emu_http.BaseHandler):
    server_version = "nginx"
    log_prefix = "freebox-emu"
    emu = None  # set by main()

    def send_json(self, code, obj):
        self.send_body(code, json.dumps(obj, ensure_ascii=False).encode(), JSON_TYPE)

    def send_error_reply(self, e):
        self.send_json(e.http, e.body())

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return ValueError

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    # -- control endpoints ---------------------------------------------------------------------------
    def control(self, method, body):
        emu = self.emu
        path = self.path
        payload = body if isinstance(body, dict) else {}
        try:
            if method == "GET" and path == "/_emu/state":
                return self.send_json(200, emu.model.snapshot())
            if method == "GET" and path == "/_emu/log":
                with emu.lock:
                    return self.send_json(200, {"calls": list(emu.calls)})
            if method == "GET" and path == "/_emu/nft":
                return self.send_json(200, {"script": emu.nft_script})
            if method == "GET" and path == "/_emu/secrets":
                return self.send_json(200, emu.auth.secrets())
            if method == "GET" and path == "/_emu/sessions":
                return self.send_json(200, {"count": len(emu.auth.sessions)})
            if method != "POST":
                return self.send_json(404, {"error": "unknown control path"})
            out = {"ok": True}
            if path == "/_emu/fail":
                fault = emu_http.fault_from_json(payload)
                with emu.lock:
                    emu.faults.append(fault)
            elif path == "/_emu/clear":
                with emu.lock:
                    emu.faults.clear()
                    emu.calls.clear()
            elif path == "/_emu/expire":
                emu.auth.expire_all()
            elif path == "/_emu/authorize":
                out["decided"] = emu.auth.decide(payload.get("decision"), payload.get("track_id"))
            elif path == "/_emu/revoke":
                out["revoked"] = emu.auth.revoke(payload["app_id"])
            elif path == "/_emu/permissions":
                perms = payload.get("permissions") or {k: v for k, v in payload.items() if k != "app_id"}
                out["apps"] = emu.auth.set_permissions(payload["app_id"], perms)
            elif path == "/_emu/tls":
                emu.load_tls(payload["cert"], payload["key"])
            else:
                return self.send_json(404, {"error": "unknown control path"})
            return self.send_json(200, out)
        except (KeyError, ValueError, TypeError) as e:
            return self.send_json(400, {"error": "bad control request: %s" % e})

    # -- the API -------------------------------------------------------------------------------------
    def dispatch(self, method):
        body = self.read_body()
        path = self.path.split("?", 1)[0]
        if path.startswith("/_emu/"):
            return self.control(method, body)
        emu = self.emu
        if path == "/api_version" and method == "GET":
            emu.record({"call": "GET api_version", "status": 200, "tls": self.tls()})
            return self.send_json(200, emu.model.snapshot()["api_version"])
        major = int(emu.model.state["api_version"]["api_version"].split(".")[0])
        m = re.match(r"^/api/(v(\d+)|latest)/(.*)$", path)
        if not m or (m.group(2) and not 1 <= int(m.group(2)) <= major):
            emu.record({"call": "%s %s" % (method, path), "status": 404, "error_code": "invalid_request"})
            return self.send_error_reply(INVALID)
        rest = m.group(3)
        key = "%s %s" % (method, rest)
        route = emu.model.route(method, rest)
        template = "%s %s" % (method, route[0]) if route else key
        entry = {"call": key, "route": template, "tls": self.tls()}
        if isinstance(body, (dict, list)):
            entry["body"] = redact(body)
        emu.record(entry)
        fault = emu_http.take_fault(emu.faults, emu.lock, key) or \
            (template != key and emu_http.take_fault(emu.faults, emu.lock, template)) or None
        if fault and not fault.after:
            entry["fault"] = fault.kind
            return self.fail(fault)
        try:
            if body is ValueError:
                raise ApiError("invalid_request", "Requête invalide", http=400)
            code, reply = 200, self.answer(method, rest, route, body)
        except ApiError as e:
            code, reply = e.http, e.body()
        except Exception as e:  # the IGD behind upnpigd/redir went away, a bug: the box's 500 page
            emu.log("freebox-emu: %s %s: %r" % (method, rest, e))
            code, reply = 200, {"msg": "Erreur interne", "success": False, "error_code": "internal_error"}
        entry["status"] = code
        if isinstance(reply, dict) and reply.get("success") is False:
            entry["error_code"] = reply.get("error_code")
        if fault:
            entry["fault"] = fault.kind + "-after"
            return self.fail(fault)
        if isinstance(reply, tuple):  # a raw file (download_config)
            ctype, data = reply
            name = "config_wireguard_%s.conf" % re.sub(r"[^A-Za-z0-9._-]", "_", rest.split("/")[3])
            return self.send_body(code, data, ctype, [("Content-Disposition", 'attachment; filename="%s"' % name)])
        return self.send_json(code, reply)

    def tls(self):
        return getattr(self.server, "ssl_context", None) is not None

    def answer(self, method, rest, route, body):
        """The JSON reply of one API call (raises ApiError for success:false)."""
        auth = self.emu.auth
        token = self.headers.get("X-Fbx-App-Auth", "").strip()
        if rest == "login/authorize/" and method == "POST":
            return envelope(auth.authorize(body, self.client_address[0]))
        m = re.match(r"^login/authorize/(\d+)$", rest)
        if m and method == "GET":
            return envelope(auth.track(m.group(1)))
        if rest == "login/" and method == "GET":
            return envelope(auth.login_status(token))
        if rest == "login/session/" and method == "POST":
            return envelope(auth.open_session(body))
        special = {("POST", "login/logout/"), ("GET", "login/perms/"), ("GET", "authorization/"), ("GET", "rrd/")}
        if route is None and (method, rest) not in special:
            raise INVALID  # before the session check, as the box does for a path that does not exist
        session = auth.check(token)
        if rest == "login/logout/" and method == "POST":
            auth.logout(token)
            return envelope(None)
        if rest == "login/perms/" and method == "GET":
            return envelope(auth.perms(session))
        if rest == "authorization/" and method == "GET":
            return envelope(auth.authorizations())
        if rest == "rrd/":
            return {"msg": "invalid_db", "success": False}
        _, fn, params, write = route
        if write and not session["permissions"].get("settings"):
            raise ApiError("insufficient_rights", "Cette application n'est pas autorisée à accéder à cette fonction",
                           http=403, extra={"missing_right": "settings"})
        result = self.emu.model.call(fn, params, body)
        if isinstance(result, tuple):
            return result
        return envelope(strip_private(result))

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
        return self.send_json(200, {"msg": "Erreur interne", "success": False, "error_code": "internal_error"})


def strip_private(value):
    """Drops the emulator's own bookkeeping (keys starting with '_') from a reply."""
    if isinstance(value, list):
        return [strip_private(v) for v in value]
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if not k.startswith("_")}
    return value


def envelope(result):
    return {"success": True} if result is None else {"success": True, "result": result}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    emu_http.add_common_args(ap)
    ap.add_argument("--api-domain", help="api_domain to announce (default: the scenario's, fake-1.fbxos.fr)")
    ap.add_argument("--uid", help="the box's uid (default: the scenario's)")
    ap.add_argument("--wan-ip", help="the box's public IPv4 (connection/ ipv4, the WireGuard endpoint)")
    ap.add_argument("--auto-grant", type=int, nargs="?", const=1, default=None, metavar="POLLS",
                    help="grant a pending app after POLLS pending answers (default 1)")
    ap.add_argument("--max-bad-logins", type=int, default=5, help="bad session logins before ratelimited")
    ap.add_argument("--ratelimit-seconds", type=float, default=60.0)
    ap.add_argument("--session-idle", type=float, default=1800.0, help="idle seconds before a session expires")
    ap.add_argument("--nft", action="store_true", help="apply forwards and DMZ to this namespace's nftables")
    ap.add_argument("--wan-if", default="wan0", help="WAN interface name for the nft rules")
    ap.add_argument("--lan-if", default="br0", help="LAN interface name for the IPv6 rule")
    ap.add_argument("--ipv6-chain", metavar="CHAIN",
                    help="the regular chain of table inet filter that holds the IPv6 firewall's effect "
                         "(ipv6_firewall false: accept WAN to LAN over IPv6); the lab's box_ipv6")
    ap.add_argument("--remote-bind", metavar="ADDR", help="serve remote access on ADDR:remote_access_port while on")
    ap.add_argument("--igd-mirror", metavar="CONTROL_URL", help="the box's IGD: its mappings are upnpigd/redir")
    ap.add_argument("--upnp-hook", metavar="CMD", help="run CMD on|off when the UPnP IGD switch changes")
    ap.add_argument("--wg", metavar="IFNAME", help="run the WireGuard server as this wireguard-go interface")
    ap.add_argument("--fail", action="append", metavar="'METHOD PATH[:KIND[:COUNT]]'",
                    help="a fault armed from the start (as /_emu/fail), e.g. 'POST login/session/:reset:1';"
                         " COUNT always or -1: every time")
    args = ap.parse_args(argv)
    emu_http.check_common_args(ap, args)

    emu = Emulator(args)
    Handler.emu = emu
    Handler.verbose = args.verbose
    servers = emu_http.make_servers(args, Handler, emu)
    emu.set_https(emu.tls_port)
    with emu.model.lock:
        emu.model.changed()  # write the state file and make the effects real once at start
    emu_http.announce(servers, args.bind, "freebox-emu")
    emu_http.serve([s for s, _, _ in servers], emu.stop_effects)
    return 0


if __name__ == "__main__":
    sys.exit(main())
