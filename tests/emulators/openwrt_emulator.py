#!/usr/bin/env python3
"""An OpenWrt (rpcd + uhttpd-mod-ubus) emulator for boxwarden's tests (Python 3 standard library).

Serves POST /ubus, classic JSON-RPC ({"jsonrpc":"2.0","id":N,"method":"call","params":[SID, OBJECT,
METHOD, ARGS]}) as shared/vendor-api/openwrt-ubus.md describes it: session.login/access/destroy,
uci get/set/delete/add/order/changes/revert/commit/apply/confirm/rollback (per-session staging,
apply with rollback and its timer), file.read (the upnpd lease file only), network.interface dump,
system board. An ACL check per user: "*" or the group of vendors/openwrt/boxwarden-acl.json;
the all-zero session may only call session.access/login; -32002 when the ACL lacks a method.

Real effects (the lab's box namespace): --nft puts the enabled IPv4 redirects from wan in the
nftables table ip owrt_emu (a redirect without src_dport: every port); --remote-bind ADDR listens
on ADDR:PORT for each admin port (uhttpd 80/443, dropbear 22) a wan ACCEPT rule (or the wan zone's
input ACCEPT) opens; --upnp-hook CMD runs `CMD on|off` when upnpd.enabled changes (the lab's real
miniupnpd); --lease-file FILE is what file.read answers for upnpd's upnp_lease_file.

Control endpoints on the same port (for tests):
  GET  /_emu/state    the stored state (holds passwords: never print it)
  GET  /_emu/log      {"calls": [...]}: "object method", args (password hidden), status, fault
  GET  /_emu/secrets  {"secrets": [passwords, every session id handed out]} (never print)
  GET  /_emu/pending  {"pending": bool, "rollbacks": N}
  POST /_emu/fail     {"call": "uci apply", "kind": "error|reset|hang|reboot|drop-after-apply"[+"-after"],
                       "count": 1, "skip": N}; drop-after-apply ("the connection drops after apply"):
                       on uci apply, the apply is made and answered, then every /ubus request is reset
                       until rpcd's own rollback timer ran; on a staging call (set, delete, ...) the
                       same happens at the apply that follows; on uci confirm, the confirm is lost
                       (reset, not made) and the same follows
  POST /_emu/clear    faults and log
Never point it anywhere but 127.0.0.1 or a lab namespace address.
"""

import argparse
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emu_http  # noqa: E402
import livebox_nft  # noqa: E402
import openwrt_model  # noqa: E402
from openwrt_model import UbusStatus  # noqa: E402

JSON_TYPE = "application/json"
TABLE = "owrt_emu"
ZERO_SID = "0" * 32
PROTO_NUMBERS = {"tcp": "6", "udp": "17"}


def options(s):
    return {k: v for k, v in s["options"]}


def words(v):
    if isinstance(v, list):
        return [w for item in v for w in str(item).split()]
    return str(v or "").split()


def enabled(s):
    return str(options(s).get("enabled", "1")).lower() not in ("0", "no", "off", "false", "disabled")


def render_nft(configs, wan_if, own_ports):
    forwards, dmz = [], []
    own = ['iifname "%s" tcp dport %d return' % (wan_if, p) for p in sorted(own_ports)]
    for s in configs.get("firewall", []):
        o = options(s)
        if s["type"] != "redirect" or not enabled(s) or o.get("src") != "wan":
            continue
        if str(o.get("target", "DNAT")).upper() != "DNAT" or o.get("family") == "ipv6":
            continue
        protos = words(o.get("proto")) or ["tcp", "udp"]
        numbers = sorted({PROTO_NUMBERS[p] for p in protos if p in PROTO_NUMBERS} |
                         ({"6", "17"} if any(p in ("tcpudp", "all") for p in protos) else set()))
        if "src_dport" not in o:
            dmz += livebox_nft.dmz_rules({"Enable": True, "DestinationIPAddress": o.get("dest_ip"),
                                          "SourcePrefix": o.get("src_ip", "")}, wan_if)
            continue
        ext = str(o["src_dport"]).replace(":", "-")
        forwards += livebox_nft.forward_rules({"Enable": True, "DestinationIPAddress": o.get("dest_ip"),
                                               "ExternalPort": ext,
                                               "InternalPort": str(o.get("dest_port", ext.split("-")[0])),
                                               "SourcePrefix": o.get("src_ip", ""), "Protocol": ",".join(numbers)},
                                              wan_if)
    return livebox_nft.render_table(TABLE, own + forwards, own + dmz)


def admin_ports(configs):
    ports = set()
    for s in configs.get("uhttpd", []):
        for key in ("listen_http", "listen_https"):
            for w in words(options(s).get(key)):
                p = w.rsplit(":", 1)[-1]
                if p.isdigit():
                    ports.add(int(p))
    for s in configs.get("dropbear", []):
        p = str(options(s).get("Port", "22"))
        if p.isdigit() and enabled(s) and str(options(s).get("enable", "1")) != "0":
            ports.add(int(p))
    return ports


def open_admin_ports(configs):
    """The admin ports the firewall lets in from the wan zone."""
    ports = admin_ports(configs)
    fw = configs.get("firewall", [])
    for s in fw:
        if s["type"] == "zone" and options(s).get("name") == "wan" and str(options(s).get("input")).upper() == "ACCEPT":
            return ports
    out = set()
    for s in fw:
        o = options(s)
        if s["type"] != "rule" or not enabled(s) or o.get("src") not in ("wan", "*") or o.get("dest"):
            continue
        if str(o.get("target")).upper() != "ACCEPT":
            continue
        protos = words(o.get("proto")) or ["tcp", "udp"]
        if not any(p in ("tcp", "tcpudp", "all") for p in protos):
            continue
        dports = words(o.get("dest_port"))
        for p in ports:
            if not dports:
                out.add(p)
            for d in dports:
                lo, _, hi = d.replace(":", "-").partition("-")
                if lo.isdigit() and int(lo) <= p <= int(hi or lo):
                    out.add(p)
    return out


def upnp_on(configs):
    for s in configs.get("upnpd", []):
        if s["type"] == "upnpd":
            return enabled(s)
    return False


class Listener:
    """A TCP listener standing for one of the router's own services on its WAN address."""

    def __init__(self, addr, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((addr, port))
        self.sock.listen(16)
        self.port = port
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            try:
                conn.sendall(b"openwrt-router-service %d\n" % self.port)
            except OSError:
                pass
            conn.close()

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


class Emulator:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.faults = []
        self.calls = []
        self.sessions = {}
        self.handed = []
        self.dropped = False
        self.drop_next_apply = False
        self.rollbacks = 0
        self.listeners = {}
        self.upnp = None
        self.want_upnp = None
        self.hook_lock = threading.Lock()
        self.nft_script = ""
        state = emu_http.load_state(args.scenario, args.state, openwrt_model.default_state,
                                    openwrt_model.apply_scenario, "openwrt_emulator")
        self.model = openwrt_model.OpenwrtModel(state, args.state, self.sync)
        self.model.on_rollback = self.rolled_back

    def rolled_back(self):
        with self.lock:
            self.rollbacks += 1
            self.dropped = False

    def sync(self, state):
        configs = state["configs"]
        own = open_admin_ports(configs) if self.args.remote_bind else set()
        self.nft_script = render_nft(configs, self.args.wan_if, own)
        if self.args.nft:
            livebox_nft.apply(self.nft_script)
        if self.args.remote_bind:
            for p in list(self.listeners):
                if p not in own:
                    self.listeners.pop(p).close()
            for p in own:
                if p not in self.listeners:
                    self.listeners[p] = Listener(self.args.remote_bind, p)
        self.want_upnp = upnp_on(configs)
        if self.args.upnp_hook:
            # procd reloads miniupnpd after rpcd answered (a commit's reload is asynchronous):
            # in the background, one at a time, always towards the latest setting.
            threading.Thread(target=self.sync_upnp, daemon=True).start()

    def sync_upnp(self):
        with self.hook_lock:
            want = self.want_upnp
            if self.upnp != want:
                subprocess.run([self.args.upnp_hook, "on" if want else "off"], check=False,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                self.upnp = want

    def record(self, entry):
        with self.lock:
            self.calls.append(entry)


def hide(args):
    if isinstance(args, dict):
        return {k: ("(hidden)" if k in ("password", "ubus_rpc_session") else v) for k, v in args.items()}
    return args


class Handler(emu_http.BaseHandler):
    server_version = "uhttpd"
    log_prefix = "openwrt-emu"
    emu = None

    def do_GET(self):
        raw = b""
        if self.path.startswith("/_emu/"):
            return self.control("GET", raw)
        return self.send_body(404, b"Not Found", "text/plain")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path.startswith("/_emu/"):
            return self.control("POST", raw)
        if self.path.rstrip("/") != "/ubus":
            return self.send_body(404, b"Not Found", "text/plain")
        return self.ubus(raw)

    def send_json(self, code, obj):
        self.send_body(code, json.dumps(obj).encode(), JSON_TYPE)

    def control(self, method, raw):
        emu = self.emu
        try:
            payload = json.loads(raw) if raw else {}
            if method == "GET" and self.path == "/_emu/state":
                return self.send_json(200, emu.model.snapshot())
            if method == "GET" and self.path == "/_emu/log":
                with emu.lock:
                    return self.send_json(200, {"calls": list(emu.calls)})
            if method == "GET" and self.path == "/_emu/secrets":
                with emu.lock:
                    pw = [u.get("password", "") for u in emu.model.state["users"].values()]
                    return self.send_json(200, {"secrets": pw + list(emu.handed)})
            if method == "GET" and self.path == "/_emu/pending":
                with emu.lock:
                    return self.send_json(200, {"pending": emu.model.pending is not None,
                                                "rollbacks": emu.rollbacks, "dropped": emu.dropped})
            if method == "GET" and self.path == "/_emu/nft":
                return self.send_json(200, {"script": emu.nft_script})
            if method != "POST":
                return self.send_json(404, {"error": "unknown control path"})
            if self.path == "/_emu/fail":
                kind = str(payload.get("kind", "error"))
                drop = kind == "drop-after-apply"
                fault = emu_http.fault_from_json(dict(payload, kind="error" if drop else kind))
                fault.drop = drop
                with emu.lock:
                    emu.faults.append(fault)
            elif self.path == "/_emu/clear":
                with emu.lock:
                    emu.faults.clear()
                    emu.calls.clear()
                    emu.drop_next_apply = False
            else:
                return self.send_json(404, {"error": "unknown control path"})
            return self.send_json(200, {"ok": True})
        except (KeyError, ValueError, TypeError) as e:
            return self.send_json(400, {"error": "bad control request: %s" % e})

    def ubus(self, raw):
        emu = self.emu
        with emu.lock:
            dropped = emu.dropped
        if dropped:
            emu.record({"call": "(dropped)"})
            return self.reset()
        if len(raw) > 65536:
            return self.send_json(200, {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error"}})
        try:
            req = json.loads(raw)
            rid = req.get("id")
            params = req["params"]
            if req.get("method") != "call":
                return self.send_json(200, {"jsonrpc": "2.0", "id": rid,
                                            "error": {"code": -32601, "message": "Method not found"}})
            sid, obj, method = str(params[0]), str(params[1]), str(params[2])
            args = params[3] if len(params) > 3 else {}
            if not isinstance(args, dict):
                raise TypeError("args")
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            return self.send_json(200, {"jsonrpc": "2.0", "id": None,
                                        "error": {"code": -32600, "message": "Invalid request"}})
        key = "%s %s" % (obj, method)
        entry = {"call": key, "args": hide(args)}
        emu.record(entry)
        fault = emu_http.take_fault(emu.faults, emu.lock, key)
        drop = bool(fault and getattr(fault, "drop", False))
        if fault and not fault.after and not drop:
            entry["fault"] = fault.kind
            return self.fail(fault, rid)
        if drop and key == "uci confirm":
            # The link went down between the apply and the confirm: the confirm never arrives.
            entry["fault"] = "drop-after-apply"
            with emu.lock:
                emu.dropped = emu.model.pending is not None
            return self.reset()
        reply = self.answer(rid, sid, obj, method, args)
        entry["status"] = reply.get("result", [None])[0] if "result" in reply else reply["error"]["code"]
        with emu.lock:
            drop_now = key == "uci apply" and (drop or emu.drop_next_apply)
            if drop and key != "uci apply":
                emu.drop_next_apply = True  # a staging call: the drop comes after the apply that follows
            elif drop_now:
                emu.drop_next_apply = False
        if drop_now:
            entry["fault"] = "drop-after-apply"
            self.send_json(200, reply)
            with emu.lock:
                emu.dropped = emu.model.pending is not None
            return None
        if fault and not drop:
            entry["fault"] = fault.kind + "-after"
            return self.fail(fault, rid)
        return self.send_json(200, reply)

    def fail(self, fault, rid):
        if fault.kind == "reset":
            return self.reset()
        if fault.kind == "reboot":
            self.emu.record({"call": "(reboot)"})
            return self.reboot()
        if fault.kind == "hang":
            return self.hang(self.emu.args.hang_seconds)
        if fault.kind == "http500":
            return self.send_body(500, b"Internal Server Error", "text/plain")
        return self.send_json(200, {"jsonrpc": "2.0", "id": rid, "result": [openwrt_model.UNKNOWN_ERROR]})

    def answer(self, rid, sid, obj, method, args):
        emu = self.emu

        def result(status, data=None):
            return {"jsonrpc": "2.0", "id": rid, "result": [status] if data is None else [status, data]}

        def error(code, message):
            return {"jsonrpc": "2.0", "id": rid, "error": {"code": code, "message": message}}

        if "ubus_rpc_session" in args:
            return error(-32602, "Invalid parameters")
        if obj == "session" and method == "login":
            user, password = args.get("username"), args.get("password")
            if not isinstance(user, str) or not isinstance(password, str):
                return result(openwrt_model.INVALID_ARGUMENT)
            u = emu.model.state["users"].get(user)
            if not u or u.get("password") != password:
                return result(openwrt_model.PERMISSION_DENIED)
            with emu.lock:
                pending = emu.model.pending
                # rpcd hands back the session of a pending apply to its user (rpc_reclaim_apply_session)
                if pending and pending["sid"] in emu.sessions and emu.sessions[pending["sid"]].user == user:
                    s = emu.sessions[pending["sid"]]
                else:
                    s = openwrt_model.Session(secrets.token_hex(16), user)
                    emu.sessions[s.sid] = s
                    emu.handed.append(s.sid)
            timeout = int(args.get("timeout", 300))
            return result(0, {"ubus_rpc_session": s.sid, "timeout": timeout, "expires": timeout,
                              "acls": {}, "data": {"username": user}})
        if obj == "session" and method == "access":
            with emu.lock:
                s = emu.sessions.get(sid)
            user = s.user if s else None
            ok = user is not None and args.get("scope", "ubus") == "ubus" and \
                emu.model.allowed(user, args.get("object", ""), args.get("function", ""))
            if sid == ZERO_SID:
                ok = args.get("object") == "session" and args.get("function") in ("access", "login")
            return result(0, {"access": bool(ok)})
        with emu.lock:
            s = emu.sessions.get(sid)
        if s is None:
            return error(-32002, "Access denied")
        if not emu.model.allowed(s.user, obj, method):
            return error(-32002, "Access denied")
        try:
            if obj == "session" and method == "destroy":
                with emu.lock:
                    emu.sessions.pop(sid, None)
                return result(0)
            if obj == "uci":
                data = emu.model.uci(s, method, args)
                return result(0, data)
            if obj == "system" and method == "board":
                return result(0, emu.model.state["board"])
            if obj == "network.interface" and method == "dump":
                return result(0, self.interface_dump())
            if obj == "file" and method == "read":
                return result(0, self.read_file(s, args.get("path")))
        except UbusStatus as e:
            return result(e.status)
        return error(-32000, "Object not found")

    def interface_dump(self):
        with open(os.path.join(openwrt_model.FIXTURES, "ubus-network.interface-dump.json")) as f:
            dump = json.load(f)
        for i in dump["interface"]:
            if i["interface"] == "wan" and self.emu.args.wan_ip:
                i["ipv4-address"] = [{"address": self.emu.args.wan_ip, "mask": 24}]
            if i["interface"] == "wan6" and not self.emu.args.ipv6:
                i["ipv6-address"] = []
        return dump

    def read_file(self, sess, path):
        lease = None
        for s in self.emu.model.state["configs"].get("upnpd", []):
            if s["type"] == "upnpd":
                lease = options(s).get("upnp_lease_file")
        if not isinstance(path, str) or not self.emu.model.file_allowed(sess.user, path):
            raise UbusStatus(openwrt_model.PERMISSION_DENIED)
        if path != lease or not self.emu.args.lease_file or not os.path.exists(self.emu.args.lease_file):
            raise UbusStatus(openwrt_model.NOT_FOUND)
        with open(self.emu.args.lease_file, encoding="utf-8", errors="replace") as f:
            return {"data": f.read(65536)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    emu_http.add_common_args(ap)
    ap.add_argument("--wan-ip", help="the router's public IPv4 (network.interface dump, wan)")
    ap.add_argument("--ipv6", action="store_true", help="keep wan6's global IPv6 address in the dump")
    ap.add_argument("--nft", action="store_true", help="apply the redirects to this namespace's nftables")
    ap.add_argument("--wan-if", default="wan0")
    ap.add_argument("--remote-bind", metavar="ADDR", help="listen on ADDR for each admin port the firewall opens")
    ap.add_argument("--upnp-hook", metavar="CMD", help="run CMD on|off when upnpd.enabled changes")
    ap.add_argument("--lease-file", help="miniupnpd's lease file (what file.read gives for upnp_lease_file)")
    args = ap.parse_args(argv)
    emu_http.check_common_args(ap, args)
    emu = Emulator(args)
    Handler.emu = emu
    Handler.verbose = args.verbose
    servers = emu_http.make_servers(args, Handler, emu)
    with emu.model.lock:
        emu.model.changed()
    emu_http.announce(servers, args.bind, "openwrt-emu")
    emu_http.serve([s for s, _, _ in servers], (lambda: livebox_nft.remove(TABLE)) if args.nft else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
