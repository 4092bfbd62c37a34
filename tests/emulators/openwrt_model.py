"""The settings of an emulated OpenWrt router: a UCI-like store (configs of ordered sections,
each with ordered options), rpcd's per-session staging, its apply-with-rollback timer, its ACL
check, as shared/vendor-api/openwrt-ubus.md describes rpcd (uci.c, session.c). No HTTP here:
openwrt_emulator.py. Configs start from the fixtures (tests/fixtures/openwrt: fw4's default
firewall file, miniupnpd's upnpd file) overlaid by a scenario."""

import copy
import json
import os
import shlex
import threading
import zlib

import emu_http

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "fixtures", "openwrt"))
ACL_FILE = os.path.normpath(os.path.join(HERE, "..", "..", "vendors", "openwrt", "boxwarden-acl.json"))

# ubus statuses
OK, INVALID_ARGUMENT, NOT_FOUND, NO_DATA, PERMISSION_DENIED, UNKNOWN_ERROR = 0, 2, 4, 5, 6, 9


class UbusStatus(Exception):
    def __init__(self, status):
        super().__init__(status)
        self.status = status


def parse_uci(text):
    """UCI file text -> [section]; a section is {"name", "type", "anonymous", "options": [[k, v]]}."""
    sections = []
    for raw in text.splitlines():
        try:
            words = shlex.split(raw, comments=True)
        except ValueError:
            continue
        if not words:
            continue
        if words[0] == "config":
            sections.append({"type": words[1], "name": words[2] if len(words) > 2 else None,
                             "anonymous": len(words) < 3, "options": []})
        elif words[0] in ("option", "list") and sections and len(words) >= 3:
            opts = sections[-1]["options"]
            if words[0] == "option":
                opts.append([words[1], words[2]])
            else:
                for kv in opts:
                    if kv[0] == words[1] and isinstance(kv[1], list):
                        kv[1].append(words[2])
                        break
                else:
                    opts.append([words[1], [words[2]]])
    for i, s in enumerate(sections):
        if s["name"] is None:
            s["name"] = anon_name(i, s)
    return sections


def anon_name(index, section):
    crc = zlib.crc32(json.dumps(section["options"], sort_keys=True).encode()) & 0xffff
    return "cfg%02x%04x" % (index & 0xff, crc)


def fixture_text(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return f.read()


def default_state():
    return {
        "configs": {
            "firewall": parse_uci(fixture_text("firewall4-default-etc-config-firewall")),
            "upnpd": parse_uci(fixture_text("miniupnpd-upnpd.config")),
            "uhttpd": parse_uci("config uhttpd main\n\tlist listen_http 0.0.0.0:80\n\tlist listen_http [::]:80\n"
                                "\tlist listen_https 0.0.0.0:443\n\tlist listen_https [::]:443\n"
                                "\toption redirect_https 0\n\toption home /www\n\toption ubus_prefix /ubus\n"),
            "dropbear": parse_uci("config dropbear\n\toption PasswordAuth on\n\toption RootPasswordAuth on\n"
                                  "\toption Port 22\n"),
            "network": parse_uci("config interface loopback\n\toption device lo\n\toption proto static\n"
                                 "config interface lan\n\toption device br-lan\n\toption proto static\n"
                                 "\toption ipaddr 192.168.1.1\n\toption netmask 255.255.255.0\n"
                                 "config interface wan\n\toption device eth1\n\toption proto dhcp\n"
                                 "config interface wan6\n\toption device eth1\n\toption proto dhcpv6\n"),
        },
        "users": {"root": {"password": "root-password-1", "acl": "*"}},
        "board": {"kernel": "5.15.150", "hostname": "OpenWrt", "system": "ARMv8 Processor rev 4",
                  "model": "Linksys E8450 (UBI)", "board_name": "linksys,e8450-ubi",
                  "release": {"distribution": "OpenWrt", "version": "23.05.3", "revision": "r23809-234f1a2efa",
                              "target": "mediatek/mt7622", "description": "OpenWrt 23.05.3 r23809-234f1a2efa"}},
    }


def apply_scenario(state, scenario):
    """A scenario: "configs" {name: UCI text (replaces) | {"append": UCI text, "set": [[section, option,
    value]]}}, "users" {name: {"password", "acl": "*" | "boxwarden"}} merged, "board" replaced."""
    for key, value in scenario.items():
        if key == "configs":
            for name, c in value.items():
                if isinstance(c, str):
                    state["configs"][name] = parse_uci(c)
                    continue
                secs = state["configs"].setdefault(name, [])
                for sec, opt, val in c.get("set", []):
                    for s in secs:
                        if s["name"] == sec or (sec.startswith("@") and s["type"] == sec[1:]):
                            set_option(s, opt, val)
                            break
                if c.get("append"):
                    extra = parse_uci(c["append"])
                    for i, s in enumerate(extra):
                        if s["anonymous"]:
                            s["name"] = anon_name(len(secs) + i, s)
                    secs.extend(extra)
        elif key == "users":
            state["users"].update(value)
        else:
            state[key] = value


def set_option(section, key, value):
    for kv in section["options"]:
        if kv[0] == key:
            kv[1] = value
            return
    section["options"].append([key, value])


def dump_section(s, index):
    d = {".anonymous": s["anonymous"], ".type": s["type"], ".name": s["name"], ".index": index}
    for k, v in s["options"]:
        d[k] = v
    return d


def load_acl(name):
    """An ACL group of vendors/openwrt/boxwarden-acl.json (the file shipped to technicians)."""
    with open(ACL_FILE, encoding="utf-8") as f:
        return json.load(f)[name]


class Session:
    def __init__(self, sid, user):
        self.sid, self.user = sid, user
        self.staged = {}  # config -> working copy of its sections
        self.changes = {}  # config -> [[command, section, option?, value?]]


class OpenwrtModel(emu_http.PersistedState):
    def __init__(self, state, state_path, on_change):
        self.state, self.state_path, self.on_change = state, state_path, on_change
        self.lock = threading.RLock()
        self.pending = None  # {"sid", "snapshot", "timer", "configs"}
        self.on_rollback = None  # called (outside the lock) after the timer rolled back

    # -- ACL ------------------------------------------------------------------------------------------
    def acl(self, user):
        u = self.state["users"].get(user, {})
        acl = u.get("acl", "boxwarden")
        if isinstance(acl, dict):
            return acl  # an ACL group written in the scenario
        return "*" if acl == "*" else load_acl(acl)

    def allowed(self, user, obj, method):
        if obj == "session" and method in ("access", "login"):
            return True
        acl = self.acl(user)
        if acl == "*":
            return True
        for mode in ("read", "write"):
            if method in acl.get(mode, {}).get("ubus", {}).get(obj, []):
                return True
        return False

    def uci_allowed(self, user, config, write):
        acl = self.acl(user)
        if acl == "*":
            return True
        modes = ("write",) if write else ("read", "write")
        return any(config in acl.get(m, {}).get("uci", []) for m in modes)

    def file_allowed(self, user, path):
        acl = self.acl(user)
        if acl == "*":
            return True
        return "read" in acl.get("read", {}).get("file", {}).get(path, [])

    # -- UCI ------------------------------------------------------------------------------------------
    def view(self, sess, config):
        if config in sess.staged:
            return sess.staged[config]
        if config not in self.state["configs"]:
            raise UbusStatus(NOT_FOUND)
        return self.state["configs"][config]

    def work(self, sess, config):
        if config not in sess.staged:
            sess.staged[config] = copy.deepcopy(self.view(sess, config))
        return sess.staged[config]

    @staticmethod
    def find(secs, ref):
        if ref and ref.startswith("@"):
            typ, _, idx = ref[1:].partition("[")
            of_type = [s for s in secs if s["type"] == typ]
            try:
                return of_type[int(idx.rstrip("]"))]
            except (ValueError, IndexError):
                return None
        for s in secs:
            if s["name"] == ref:
                return s
        return None

    def uci(self, sess, method, args):
        config = args.get("config")
        write = method in ("set", "delete", "add", "order", "revert", "commit")
        if method in ("apply", "confirm", "rollback"):
            return self.apply_call(sess, method, args)
        if not isinstance(config, str):
            raise UbusStatus(INVALID_ARGUMENT)
        if not self.uci_allowed(sess.user, config, write):
            raise UbusStatus(PERMISSION_DENIED)
        with self.lock:
            if method == "get":
                secs = self.view(sess, config)
                if "section" in args:
                    s = self.find(secs, args["section"])
                    if s is None:
                        raise UbusStatus(NOT_FOUND)
                    d = dump_section(s, secs.index(s))
                    if "option" in args:
                        if args["option"] not in d:
                            raise UbusStatus(NOT_FOUND)
                        return {"value": d[args["option"]]}
                    return {"values": d}
                out = {}
                for i, s in enumerate(secs):
                    if args.get("type") and s["type"] != args["type"]:
                        continue
                    out[s["name"]] = dump_section(s, i)
                return {"values": out}
            if method == "changes":
                return {"changes": sess.changes.get(config, [])}
            if method == "revert":
                if self.pending and self.pending["sid"] == sess.sid:
                    raise UbusStatus(PERMISSION_DENIED)
                sess.staged.pop(config, None)
                sess.changes.pop(config, None)
                return None
            if method == "commit":
                if self.pending:
                    raise UbusStatus(PERMISSION_DENIED)
                self.commit(sess, [config])
                return None
            secs = self.work(sess, config)
            log = sess.changes.setdefault(config, [])
            if method == "set":
                s = self.find(secs, args.get("section"))
                values = args.get("values")
                if s is None:
                    raise UbusStatus(NOT_FOUND)
                if not isinstance(values, dict):
                    raise UbusStatus(INVALID_ARGUMENT)
                for k, v in values.items():
                    if not isinstance(v, (str, list)):
                        raise UbusStatus(INVALID_ARGUMENT)
                    set_option(s, k, v)
                    log.append(["set", s["name"], k, v])
                return None
            if method == "delete":
                s = self.find(secs, args.get("section"))
                if s is None:
                    raise UbusStatus(NOT_FOUND)
                names = args.get("options") or ([args["option"]] if "option" in args else None)
                if names is None:
                    secs.remove(s)
                    log.append(["remove", s["name"]])
                else:
                    s["options"] = [kv for kv in s["options"] if kv[0] not in names]
                    for n in names:
                        log.append(["remove", s["name"], n])
                return None
            if method == "add":
                typ = args.get("type")
                if not isinstance(typ, str):
                    raise UbusStatus(INVALID_ARGUMENT)
                name = args.get("name")
                if name and self.find(secs, name):
                    raise UbusStatus(INVALID_ARGUMENT)
                s = {"type": typ, "name": name, "anonymous": not name, "options": []}
                for k, v in (args.get("values") or {}).items():
                    set_option(s, k, v)
                if not name:
                    s["name"] = anon_name(len(secs), s)
                secs.append(s)
                log.append(["add", s["name"], typ])
                return {"section": s["name"]}
            if method == "order":
                order = args.get("sections")
                if not isinstance(order, list):
                    raise UbusStatus(INVALID_ARGUMENT)
                listed = [self.find(secs, n) for n in order]
                listed = [s for s in listed if s is not None]
                rest = [s for s in secs if s not in listed]
                secs[:] = listed + rest
                log.append(["order", ",".join(order)])
                return None
        raise UbusStatus(INVALID_ARGUMENT)

    def commit(self, sess, configs):
        for c in configs:
            if c in sess.staged:
                self.state["configs"][c] = sess.staged.pop(c)
                sess.changes.pop(c, None)
        self.changed()

    def apply_call(self, sess, method, args):
        rollback_now = False
        with self.lock:
            if method == "apply":
                if self.pending:
                    raise UbusStatus(PERMISSION_DENIED)
                configs = list(sess.staged)
                if not configs:
                    raise UbusStatus(NO_DATA)
                snapshot = {c: copy.deepcopy(self.state["configs"][c]) for c in configs if c in self.state["configs"]}
                self.commit(sess, configs)
                if args.get("rollback"):
                    timeout = int(args.get("timeout", 60))
                    timer = threading.Timer(max(1, timeout), self.timer_fired)
                    timer.daemon = True
                    self.pending = {"sid": sess.sid, "snapshot": snapshot, "timer": timer, "timeout": timeout}
                    timer.start()
                return None
            if not self.pending:
                raise UbusStatus(NO_DATA)
            if self.pending["sid"] != sess.sid:
                raise UbusStatus(PERMISSION_DENIED)
            if method == "confirm":
                self.pending["timer"].cancel()
                self.pending = None
                return None
            rollback_now = True
        if rollback_now:
            self.roll_back()
        return None

    def timer_fired(self):
        self.roll_back()

    def roll_back(self):
        with self.lock:
            p = self.pending
            if not p:
                return
            p["timer"].cancel()
            self.pending = None
            self.state["configs"].update(copy.deepcopy(p["snapshot"]))
            self.changed()
        if self.on_rollback:
            self.on_rollback()
