"""The settings of an emulated Bouygues Telecom Bbox and its /api/v1 endpoints (no HTTP here:
bbox_emulator.py). Shapes come from the captures in tests/fixtures/bbox (the default state is
built from them) and shared/vendor-api/bbox-sfr.md part A. Every answer is an array with one
object, as the box sends it. A handler returns (status, body, headers) or raises BboxError; a
write ends with changed() (emu_http.PersistedState: the state file, then on_change)."""

import copy
import ipaddress
import json
import os
import threading

import emu_http

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "fixtures", "bbox"))


def fixture(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return json.load(f)


class BboxError(Exception):
    """A non-2xx reply with the Bbox's {"exception": ...} envelope."""

    def __init__(self, status, domain, reason, name=""):
        super().__init__(reason)
        self.status, self.domain, self.reason, self.name = status, domain, reason, name

    def body(self):
        return {"exception": {"domain": self.domain, "code": str(self.status),
                              "errors": [{"name": self.name, "reason": self.reason}]}}


def default_state():
    """The captured F@st5688b (bboxpy fixtures), nothing exposed."""
    services = fixture("bboxpy_services.json")[0]["services"]
    services["remote"]["admin"].update({"enable": 0, "status": 0})
    wan = fixture("bboxapi-router_wan_ip.json")[0]
    wan["wan"]["ip"].update({"address": "203.0.113.7", "gateway": "203.0.113.1", "dnsservers": "203.0.113.1",
                             "ip6state": "Down", "mac": "00:00:00:00:00:00"})
    return {
        "device": fixture("bboxpy_device.json")[0]["device"],
        "device_public": True,
        "wan": wan["wan"],
        "services": services,
        "nat": {"enable": 1, "rules": []},
        "next_rule_id": 1,
        "dmz": {"enable": 0, "ipaddress": "", "dnsprotect": 1},
        "upnp": {"enable": 1, "state": "Up", "friendlyname": "Bbox", "rules": []},
        "firewall_v6": {"enable": 1, "rules": []},
        "password": "admin-password-1",
    }


def apply_scenario(state, scenario):
    """A scenario is a JSON object over default_state()'s keys: device, wan, services, nat, dmz,
    upnp, firewall_v6 merged key by key (services.remote.admin too), the others replaced."""
    for key, value in scenario.items():
        if key == "services" and isinstance(value, dict):
            for k, v in value.items():
                if k == "remote" and isinstance(v, dict):
                    for kk, vv in v.items():
                        state["services"]["remote"].setdefault(kk, {}).update(vv)
                else:
                    state["services"][k] = v
        elif isinstance(state.get(key), dict) and isinstance(value, dict):
            state[key].update(value)
        else:
            state[key] = value
    for rule in state["nat"]["rules"]:
        state["next_rule_id"] = max(state["next_rule_id"], int(rule["id"]) + 1)


def wrap(name, obj):
    return [{name: obj}]


def flag(form, key, domain):
    v = form.get(key)
    if v not in ("0", "1"):
        raise BboxError(400, domain, "Invalid value", key)
    return int(v)


def lan_ip(form, key, domain, empty_ok=False):
    v = form.get(key, "")
    if v == "" and empty_ok:
        return ""
    try:
        a = ipaddress.IPv4Address(v)
    except ValueError:
        raise BboxError(400, domain, "Invalid IP address", key)
    if a not in ipaddress.IPv4Network("192.168.1.0/24"):
        raise BboxError(400, domain, "Invalid IP address", key)
    return str(a)


class BboxModel(emu_http.PersistedState):
    def __init__(self, state, state_path, on_change):
        self.state, self.state_path, self.on_change = state, state_path, on_change
        self.lock = threading.RLock()

    def services(self):
        s = copy.deepcopy(self.state["services"])
        st = self.state
        s["nat"].update({"enable": st["nat"]["enable"], "nbrules": len(st["nat"]["rules"])})
        s["upnp"]["igd"].update({"enable": st["upnp"]["enable"], "nbrules": len(st["upnp"]["rules"])})
        s["firewall"]["enable"] = st["firewall_v6"]["enable"]
        return s

    # -- reads ----------------------------------------------------------------------------------------
    def get(self, path):
        st = self.state
        with self.lock:
            if path == "device":
                return wrap("device", st["device"])
            if path == "device/summary":
                d = st["device"]
                return wrap("device", {k: d.get(k) for k in ("now", "status", "modelname", "serialnumber")})
            if path == "wan/ip":
                return wrap("wan", st["wan"])
            if path == "services":
                return wrap("services", self.services())
            if path == "nat/rules":
                return wrap("nat", st["nat"])
            if path.startswith("nat/rules/"):
                return wrap("nat", {"rules": [self.rule(path, "v1/nat/rules")]})
            if path == "nat/dmz":
                return wrap("nat", {"dmz": st["dmz"]})
            if path == "upnp/igd":
                return wrap("upnp", {"igd": {k: v for k, v in st["upnp"].items() if k != "rules"}})
            if path == "upnp/igd/rules":
                return wrap("upnp", {"igd": {"rules": st["upnp"]["rules"]}})
            if path == "firewall/v6/rules":
                return wrap("firewall", {"v6": st["firewall_v6"]})
        raise BboxError(404, "v1/" + path, "Not found")

    def rule(self, path, domain):
        try:
            rid = int(path.rsplit("/", 1)[1])
        except ValueError:
            raise BboxError(400, domain, "Invalid rule id", "id")
        for r in self.state["nat"]["rules"]:
            if r["id"] == rid:
                return r
        raise BboxError(404, domain, "Rule not found", "id")

    # -- writes ---------------------------------------------------------------------------------------
    def write(self, method, path, form):
        st = self.state
        domain = "v1/" + path
        with self.lock:
            status, headers = 200, []
            if method == "PUT" and path.startswith("nat/rules/"):
                r = self.rule(path, domain)
                if "enable" in form:
                    r["enable"] = flag(form, "enable", domain)
                if "description" in form:
                    r["description"] = form["description"][:64]
            elif method == "DELETE" and path.startswith("nat/rules/"):
                r = self.rule(path, domain)
                st["nat"]["rules"].remove(r)
            elif method == "PUT" and path == "nat/rules":
                st["nat"]["enable"] = flag(form, "enable", domain)
            elif method == "POST" and path == "nat/rules":
                rid = st["next_rule_id"]
                proto = form.get("protocol", "")
                if proto not in ("tcp", "udp", "all"):
                    raise BboxError(400, domain, "Invalid protocol", "protocol")
                st["nat"]["rules"].append({
                    "id": rid, "enable": flag(form, "enable", domain), "description": form.get("description", "")[:64],
                    "protocol": proto, "externalport": form.get("external_port", ""),
                    "internalport": form.get("internal_port", ""), "internalip": lan_ip(form, "ipaddress", domain),
                    "ipremote": form.get("ipremote", ""), "ipprotocol": form.get("ipprotocol", "IPv4")})
                st["next_rule_id"] = rid + 1
                status, headers = 201, [("Location", "/api/v1/nat/rules/%d" % rid)]
            elif method == "PUT" and path == "nat/dmz":
                on = flag(form, "enable", domain)
                ip = lan_ip(form, "ipaddress", domain, empty_ok=True)
                if on and not ip:
                    raise BboxError(400, domain, "Missing IP address", "ipaddress")
                st["dmz"].update({"enable": on, "ipaddress": ip})
                if "dnsprotect" in form:
                    st["dmz"]["dnsprotect"] = flag(form, "dnsprotect", domain)
            elif method == "PUT" and path == "upnp/igd":
                st["upnp"]["enable"] = flag(form, "enable", domain)
                st["upnp"]["state"] = "Up" if st["upnp"]["enable"] else "Down"
            elif method == "PUT" and path == "remote/admin":
                admin = st["services"]["remote"]["admin"]
                admin["enable"] = flag(form, "enable", domain)
                admin["status"] = 2 if admin["enable"] else 0
                if "port" in form:
                    try:
                        port = int(form["port"])
                    except ValueError:
                        raise BboxError(400, domain, "Invalid port", "port")
                    admin["port"] = port
            else:
                raise BboxError(404, domain, "Not found")
            self.changed()
            return status, headers
