#!/usr/bin/env python3
"""A Bouygues Telecom Bbox API emulator for boxwarden's tests (Python 3 standard library).

Serves /api/v1/... as shared/vendor-api/bbox-sfr.md part A describes it: every answer an array
with one object; errors in the {"exception": {"domain", "code", "errors": [{"name", "reason"}]}}
envelope. POST (or PUT) login with the form password=...&remember=0 sets the cookie BBOX_ID; a
wrong password is 401; after --max-bad-logins wrong ones every login is 429 "N attempts, retry
after S seconds" for --lock-seconds (each try meanwhile adds to the wait). Every other call needs the cookie (401 without), except GET device when the
scenario's device_public is true. GET device/token gives the write token; every PUT, POST and
DELETE needs ?btoken=<it> (403 without or stale). Settings: bbox_model.py.

Real effects (the lab's box namespace): --nft --wan-if IF puts the enabled IPv4 forwards and the
DMZ in the nftables table ip bbox_emu; --remote-bind ADDR serves the same API on
ADDR:<remote admin port> while remote access is on; --upnp-hook CMD runs `CMD on|off` when the
UPnP switch changes (the lab's miniupnpd).

Control endpoints on the same port (for tests):
  GET  /_emu/state    the stored state (holds the password: never print it)
  GET  /_emu/log      {"calls": [...]}: METHOD path, status, form (password and btoken hidden)
  GET  /_emu/nft      {"script": ...}
  GET  /_emu/secrets  {"secrets": [password, every cookie and btoken handed out]} (never print)
  POST /_emu/fail     {"call": "PUT nat/dmz", "kind": "error|reset|hang|http500|reboot"[+"-after"],
                       "count": 1|-1, "skip": N}; call = METHOD + path without /api/v1/, exact
                       ("PUT nat/rules/1") or as a route ("PUT nat/rules/{id}")
  POST /_emu/clear    faults and log          POST /_emu/expire  drop every session and token
Never point it anywhere but 127.0.0.1 or a lab namespace address.
"""

import argparse
import datetime
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bbox_model  # noqa: E402
import bbox_nft  # noqa: E402
import emu_http  # noqa: E402
from bbox_model import BboxError  # noqa: E402

JSON_TYPE = "application/json; charset=utf-8"


def route_of(method, path):
    return "%s %s" % (method, re.sub(r"^nat/rules/\d+$", "nat/rules/{id}", path))


class Emulator:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.faults = []
        self.calls = []
        self.sessions = set()
        self.tokens = {}  # btoken -> expiry (monotonic)
        self.handed = []  # every cookie and btoken handed out (secrets test)
        self.bad_logins = 0
        self.locked_until = 0.0
        self.nft_script = ""
        self.remote = None
        self.upnp = None
        state = emu_http.load_state(args.scenario, args.state, bbox_model.default_state, bbox_model.apply_scenario,
                                    "bbox_emulator")
        if args.wan_ip:
            state["wan"]["ip"]["address"] = args.wan_ip
        self.model = bbox_model.BboxModel(state, args.state, self.sync)

    def sync(self, state):
        self.nft_script = bbox_nft.render(state, self.args.wan_if)
        if self.args.nft:
            bbox_nft.apply(self.nft_script)
        self.sync_remote(state)
        upnp = bool(state["upnp"]["enable"])
        if self.args.upnp_hook and self.upnp != upnp:
            subprocess.run([self.args.upnp_hook, "on" if upnp else "off"], check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.upnp = upnp

    def sync_remote(self, state):
        if not self.args.remote_bind:
            return
        admin = state["services"]["remote"]["admin"]
        want = admin["port"] if admin.get("enable") else None
        if self.remote and self.remote[0] != want:
            self.remote[1].shutdown()
            self.remote[1].server_close()
            self.remote = None
        if want and not self.remote:
            server = emu_http.Server((self.args.remote_bind, want), Handler)
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
            self.remote = (want, server)

    def record(self, entry):
        with self.lock:
            self.calls.append(entry)


class Handler(emu_http.BaseHandler):
    server_version = "Bbox"
    log_prefix = "bbox-emu"
    emu = None

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def send_json(self, code, obj, headers=()):
        self.send_body(code, json.dumps(obj).encode(), JSON_TYPE, headers)

    def read_raw(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def cookie(self):
        for part in (self.headers.get("Cookie") or "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == "BBOX_ID":
                return value
        return ""

    def control(self, method, raw):
        emu = self.emu
        path = self.path
        try:
            payload = json.loads(raw) if raw else {}
            if method == "GET" and path == "/_emu/state":
                return self.send_json(200, emu.model.snapshot())
            if method == "GET" and path == "/_emu/log":
                with emu.lock:
                    return self.send_json(200, {"calls": list(emu.calls)})
            if method == "GET" and path == "/_emu/nft":
                return self.send_json(200, {"script": emu.nft_script})
            if method == "GET" and path == "/_emu/secrets":
                with emu.lock:
                    return self.send_json(200, {"secrets": [emu.model.state["password"]] + list(emu.handed)})
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
            elif path == "/_emu/expire":
                with emu.lock:
                    emu.sessions.clear()
                    emu.tokens.clear()
            else:
                return self.send_json(404, {"error": "unknown control path"})
            return self.send_json(200, {"ok": True})
        except (KeyError, ValueError, TypeError) as e:
            return self.send_json(400, {"error": "bad control request: %s" % e})

    def dispatch(self, method):
        raw = self.read_raw()
        url = urllib.parse.urlsplit(self.path)
        if url.path.startswith("/_emu/"):
            return self.control(method, raw)
        emu = self.emu
        query = urllib.parse.parse_qs(url.query)
        form = {k: v[-1] for k, v in urllib.parse.parse_qs(raw.decode("utf-8", "replace"),
                                                            keep_blank_values=True).items()}
        if not url.path.startswith("/api/v1/"):
            emu.record({"call": "%s %s" % (method, url.path), "status": 404})
            return self.send_body(404, b"<html>404</html>", "text/html")
        path = url.path[len("/api/v1/"):].rstrip("/")
        key = "%s %s" % (method, path)
        entry = {"call": key, "route": route_of(method, path),
                 "form": {k: ("(hidden)" if k == "password" else v) for k, v in form.items()},
                 "btoken": "btoken" in query}
        emu.record(entry)
        fault = emu_http.take_fault(emu.faults, emu.lock, key) or \
            (entry["route"] != key and emu_http.take_fault(emu.faults, emu.lock, entry["route"])) or None
        if fault and not fault.after:
            entry["fault"] = fault.kind
            return self.fail(fault, path)
        headers = []
        try:
            code, reply, headers = self.answer(method, path, form, query)
        except BboxError as e:
            code, reply = e.status, e.body()
        entry["status"] = code
        if fault:
            entry["fault"] = fault.kind + "-after"
            return self.fail(fault, path)
        if reply is None:
            return self.send_body(code, b"", JSON_TYPE, headers)
        return self.send_json(code, reply, headers)

    def answer(self, method, path, form, query):
        emu = self.emu
        domain = "v1/" + path
        if path == "login" and method in ("POST", "PUT"):
            return self.login(form)
        if path == "logout" and method == "POST":
            with emu.lock:
                emu.sessions.discard(self.cookie())
            return 200, None, []
        public = path == "device" and method == "GET" and emu.model.state.get("device_public")
        with emu.lock:
            logged = self.cookie() in emu.sessions
        if not public and not logged:
            raise BboxError(401, domain, "Operation requires authentication")
        if method == "GET":
            if path == "device/token":
                token = secrets.token_hex(20)
                now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
                with emu.lock:
                    emu.tokens[token] = time.monotonic() + emu.args.token_seconds
                    emu.handed.append(token)
                until = now + datetime.timedelta(seconds=emu.args.token_seconds)
                return 200, [{"device": {"token": token, "now": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                         "expires": until.strftime("%Y-%m-%dT%H:%M:%SZ")}}], []
            return 200, emu.model.get(path), []
        token = (query.get("btoken") or [""])[-1]
        with emu.lock:
            ok = emu.tokens.get(token, 0) > time.monotonic()
        if not ok:
            raise BboxError(403, domain, "Invalid token", "btoken")
        status, headers = emu.model.write(method, path, form)
        return status, None, headers

    def login(self, form):
        emu = self.emu
        with emu.lock:
            now = time.monotonic()
            if now < emu.locked_until:
                # Each try while locked out makes the wait longer (bbox-sfr.md A.2.1).
                emu.locked_until += emu.args.lock_seconds
                emu.bad_logins += 1
                raise BboxError(429, "v1/login", "%d attempts, retry after %d seconds"
                                % (emu.bad_logins, int(emu.locked_until - now)))
            if form.get("password", "") != emu.model.state["password"]:
                emu.bad_logins += 1
                if emu.bad_logins >= emu.args.max_bad_logins:
                    emu.locked_until = now + emu.args.lock_seconds
                raise BboxError(401, "v1/login", "Authentication failed", "password")
            emu.bad_logins = 0
            sid = secrets.token_hex(24)
            emu.sessions.add(sid)
            emu.handed.append(sid)
        return 200, None, [("Set-Cookie", "BBOX_ID=%s; Path=/; HttpOnly" % sid)]

    def fail(self, fault, path):
        if fault.kind == "reset":
            return self.reset()
        if fault.kind == "reboot":
            self.emu.record({"call": "(reboot)"})
            return self.reboot()
        if fault.kind == "hang":
            return self.hang(self.emu.args.hang_seconds)
        if fault.kind == "http500":
            return self.send_body(500, b"<html><body>500 Internal Server Error</body></html>", "text/html")
        return self.send_json(400, BboxError(400, "v1/" + path, "Cannot extract request parameters").body())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    emu_http.add_common_args(ap)
    ap.add_argument("--wan-ip", help="the box's public IPv4 (wan/ip address)")
    ap.add_argument("--max-bad-logins", type=int, default=3, help="wrong passwords before 429")
    ap.add_argument("--lock-seconds", type=float, default=60.0, help="how long logins are refused after that")
    ap.add_argument("--token-seconds", type=int, default=1200, help="life of a btoken")
    ap.add_argument("--nft", action="store_true", help="apply forwards and DMZ to this namespace's nftables")
    ap.add_argument("--wan-if", default="wan0")
    ap.add_argument("--remote-bind", metavar="ADDR", help="serve the API on ADDR:<remote admin port> while on")
    ap.add_argument("--upnp-hook", metavar="CMD", help="run CMD on|off when the UPnP IGD switch changes")
    args = ap.parse_args(argv)
    emu_http.check_common_args(ap, args)
    emu = Emulator(args)
    Handler.emu = emu
    Handler.verbose = args.verbose
    servers = emu_http.make_servers(args, Handler, emu)
    with emu.model.lock:
        emu.model.changed()
    emu_http.announce(servers, args.bind, "bbox-emu")
    emu_http.serve([s for s, _, _ in servers], bbox_nft.remove if args.nft else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
