"""The settings of an emulated Freebox and the `/api/v<N>/...` endpoints that read and change
them (no HTTP and no authentication here: freebox_auth.py and freebox_emulator.py).

Shapes come from the captures in tests/fixtures/freebox (the default state is built from
them) and from shared/vendor-api/freebox.md. A handler returns the `result` (None: no
`result` key, as the box answers an empty list) or raises ApiError; a write ends with
changed(), which rewrites the state file and runs `on_change(state)` (nftables, listeners,
WireGuard: the emulator decides). Never sends anything anywhere itself.
"""

import copy
import ipaddress
import json
import os
import re
import threading

import emu_http

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "fixtures", "freebox"))
VPN_POOL = ("192.168.27.65", "192.168.27.95")


class ApiError(Exception):
    """A `success:false` reply: error_code, French msg, HTTP status (functional errors: 200)."""

    def __init__(self, code, msg, http=200, extra=None):
        super().__init__(code)
        self.code, self.msg, self.http, self.extra = code, msg, http, extra or {}

    def body(self):
        out = {"msg": self.msg, "success": False, "error_code": self.code}
        out.update(self.extra)
        return out


def fixture(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return json.load(f)


def result(name):
    return fixture(name)["result"]


def default_vpn_servers(incoming):
    ports = {e["id"]: e for e in incoming}
    pool = {"ip_start": VPN_POOL[0], "ip_end": VPN_POOL[1], "ip6_start": "2001:db8:27::10",
            "ip6_end": "2001:db8:27::2f"}
    rng = {"min_port": 16384, "max_port": 32767}
    return {
        "pptp": dict(pool, id="pptp", type="pptp", enabled=False, enable_ipv4=True, enable_ipv6=False,
                     conf_pptp={"mppe": "require_128", "allowed_auth": {"pap": False, "chap": False,
                                                                         "mschapv2": True}}),
        "openvpn_routed": dict(pool, id="openvpn_routed", type="openvpn", enabled=False, enable_ipv4=True,
                               enable_ipv6=False, port=ports["openvpn_routed"]["in_port"],
                               conf_openvpn={"cipher": "aes256", "disable_fragment": False, "use_tcp": False},
                               **rng),
        "ipsec": dict(pool, id="ipsec", type="ipsec", enabled=False, enable_ipv4=True, enable_ipv6=False,
                      port_ike=500, port_nat=4500,
                      conf_ipsec={"ike_version": 2, "auth_modes": [{"id_source": "custom", "id_custom": ""}]}),
        "openvpn_bridge": dict(id="openvpn_bridge", type="openvpn", enabled=False,
                               port=ports["openvpn_bridge"]["in_port"],
                               conf_openvpn={"cipher": "aes256", "disable_fragment": False, "use_tcp": False},
                               **rng),
        "wireguard": dict(pool, id="wireguard", type="wireguard", enabled=False,
                          port=ports["wireguard"]["in_port"], conf_wireguard={"mtu": 1420}, **rng),
    }


def default_state():
    """The captured Freebox Ultra, with nothing exposed and no app registered."""
    incoming = result("fbxcli_fw_incoming.json")
    return {
        "api_version": fixture("fbxcli_api_version.json"),
        "system": result("fbxcli_system.json"),
        "lan_config": result("fbxcli_lan_config.json"),
        "connection": result("fbxcli_connection.json"),
        "connection_config": result("fbxcli_connection_config.json"),
        "connection_ftth": result("fbxcli_connection_ftth.json"),
        "ipv6_config": {"ipv6_enabled": True, "ipv6_firewall": True, "ipv6_prefix_firewall": False,
                        "ipv6ll": "fe80::1", "delegations": [{"prefix": "2001:db8:1::/64", "next_hop": ""}]},
        "domain_config": result("fbxcli_domain_config.json"),
        "vpn_client_status": result("fbxcli_vpn_client_status.json"),
        "dmz": result("fbxcli_fw_dmz.json"),
        "forwards": [],
        "next_forward_id": 1,
        "upnpigd": result("fbxcli_upnpigd_config.json"),
        "upnp_redirs": [],
        "incoming": incoming,
        "vpn": default_vpn_servers(incoming),
        "vpn_users": [],
        "wireguard_keys": {"server": None, "users": {}},
        "lan_hosts": {},
        "apps": [],
        "next_track_id": 1,
        # What a newly granted app may do: no "settings" (freebox.md 4.6: "usually not").
        "new_app_permissions": {"settings": False, "contacts": False, "calls": False, "explorer": True,
                                "downloader": True, "parental": False, "pvr": True, "profile": False,
                                "tv": True, "player": False, "home": False, "camera": False, "vm": False,
                                "wdo": False},
    }


MERGED = ("api_version", "system", "lan_config", "connection", "connection_config", "ipv6_config", "dmz",
          "upnpigd", "new_app_permissions", "lan_hosts", "domain_config")


def load_state(scenario_path=None, state_path=None):
    """The persisted state when it exists (a reboot), else defaults overlaid by the scenario."""
    return emu_http.load_state(scenario_path, state_path, default_state, apply_scenario)


def apply_scenario(state, scenario):
    unknown = set(scenario) - set(state)
    if unknown:
        raise SystemExit("freebox_emulator: unknown scenario keys: %s" % ", ".join(sorted(unknown)))
    # Merged sections first: forwards and mappings name their hosts from lan_hosts.
    for key, value in sorted(scenario.items(), key=lambda kv: kv[0] not in MERGED):
        if key in MERGED:
            state[key].update(value)
        elif key == "incoming" and isinstance(value, dict):
            for entry in state["incoming"]:
                entry.update(value.get(entry["id"], {}))
        elif key == "vpn":
            for sid, patch in value.items():
                state["vpn"][sid].update(patch)
        elif key == "forwards":
            state["forwards"] = []
            for rule in value:
                full = new_forward(state, rule)
                state["forwards"].append(full)
                state["next_forward_id"] = max(state["next_forward_id"], full["id"] + 1)
        elif key == "upnp_redirs":
            state["upnp_redirs"] = [upnp_redir(state, r) for r in value]
        elif key == "apps":
            state["apps"] = [new_app(state, a) for a in value]
        elif key == "vpn_users":
            state["vpn_users"] = [dict({"ip_reservation": "", "type": "standard", "password_set": False}, **u)
                                  for u in value]
        else:
            state[key] = value


def new_app(state, a):
    app = {"app_id": "fr.example.app", "app_name": "App", "app_version": "1", "device_name": "pc",
           "status": "granted", "app_token": "", "permissions": dict(state["new_app_permissions"]),
           "req_ip": "192.168.1.20", "req_date": 1770000000, "last_session": 0}
    app.update({k: v for k, v in a.items() if k != "permissions"})
    app["permissions"].update(a.get("permissions", {}))
    app["track_id"] = state["next_track_id"]
    state["next_track_id"] += 1
    return app


# -- LAN hosts: the captured LanHost object with another address and name -------------------------
HOST_TEMPLATE = result("fbxcli_upnpigd_redir.json")[0]["host"]


def lan_host(state, ip):
    name = state["lan_hosts"].get(ip, "host-" + ip.rsplit(".", 1)[-1])
    n = int(ip.rsplit(".", 1)[-1]) if ip.count(".") == 3 and ip.rsplit(".", 1)[-1].isdigit() else 0
    mac = "02:00:00:00:01:%02x" % (n % 256)
    host = copy.deepcopy(HOST_TEMPLATE)
    host["l2ident"]["id"] = mac
    host["id"] = "ether-" + mac
    host["names"] = [{"name": name, "source": "dhcp"}]
    host["primary_name"] = host["default_name"] = name
    host["domain_name"] = name
    host["info"] = {"dhcp": {"Host Name": name}}
    host["l3connectivities"] = [dict(host["l3connectivities"][0], addr=ip)]
    host["access_point"]["uid"] = state["api_version"]["uid"]
    return host, name


# -- validation ------------------------------------------------------------------------------------
def inval(what):
    return ApiError("inval", "Paramètre invalide: %s" % what)


def want_bool(body, key):
    if not isinstance(body[key], bool):
        raise inval(key)
    return body[key]


def want_port(value, key, lo=1, hi=65535):
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise inval(key)
    return value


def want_password(value):
    if not isinstance(value, str) or not 8 <= len(value) <= 32:
        raise inval("password")
    return value


def want_ipv4(value, key, allow_empty=False):
    if allow_empty and value == "":
        return value
    try:
        return str(ipaddress.IPv4Address(str(value)))
    except ValueError:
        raise inval(key) from None


def in_lan(state, ip):
    lan = ipaddress.IPv4Network(state["lan_config"]["ip"] + "/24", strict=False)
    return ipaddress.IPv4Address(ip) in lan


def lan_prefix(state):
    return str(ipaddress.IPv4Network(state["lan_config"]["ip"] + "/24", strict=False))


# -- port forwards ---------------------------------------------------------------------------------
FORWARD_RW = ("enabled", "comment", "lan_port", "wan_port_end", "wan_port_start", "lan_ip", "ip_proto", "src_ip")


def new_forward(state, body, fid=None):
    rule = {"enabled": True, "comment": "", "src_ip": "0.0.0.0"}
    rule.update({k: body[k] for k in FORWARD_RW if k in body})
    if "wan_port_end" not in rule and "wan_port_start" in rule:
        rule["wan_port_end"] = rule["wan_port_start"]
    check_forward(state, rule)
    if fid is None:
        fid = body.get("id") or state["next_forward_id"]
    host, name = lan_host(state, rule["lan_ip"])
    return dict(rule, id=fid, host=host, hostname=name)


def check_forward(state, rule):
    for key in ("lan_port", "wan_port_end", "wan_port_start", "lan_ip", "ip_proto"):
        if key not in rule:
            raise inval(key)
    if rule["ip_proto"] not in ("tcp", "udp"):
        raise inval("ip_proto")
    for key in ("lan_port", "wan_port_start", "wan_port_end"):
        want_port(rule[key], key)
    if rule["wan_port_end"] < rule["wan_port_start"] or \
            rule["lan_port"] + rule["wan_port_end"] - rule["wan_port_start"] > 65535:
        raise inval("wan_port_end")
    want_ipv4(rule["lan_ip"], "lan_ip")
    if not in_lan(state, rule["lan_ip"]):
        raise inval("lan_ip")
    want_ipv4(rule["src_ip"], "src_ip")
    if not isinstance(rule["enabled"], bool) or not isinstance(rule["comment"], str):
        raise inval("enabled")


def overlaps(a, b):
    return a["ip_proto"] == b["ip_proto"] and a["wan_port_start"] <= b["wan_port_end"] and \
        b["wan_port_start"] <= a["wan_port_end"]


# -- UPnP mappings ---------------------------------------------------------------------------------
def upnp_redir(state, r):
    """A stored mapping in the captured UPnPRedir shape."""
    out = {"enabled": True, "proto": "tcp", "desc": "", "remaining": 0, "ext_src_ip": "0.0.0.0"}
    out.update(r)
    out.setdefault("int_port", out["ext_port"])
    out["id"] = "%s-%d-%s" % (out["ext_src_ip"] or "0.0.0.0", out["ext_port"], out["proto"])
    out["host"] = lan_host(state, out["int_ip"])[0]
    return out


# -- the model -------------------------------------------------------------------------------------
class FreeboxModel:
    """Thread-safe state plus every settings endpoint. Routes are (METHOD, template): the
    template names the call in faults ("PUT fw/redir/{id}") and `write` marks what needs the
    app's "settings" permission."""

    def __init__(self, state, state_path=None, on_change=None, igd=None, keys=None):
        self.state = state
        self.state_path = state_path
        self.on_change = on_change
        self.igd = igd  # a freebox_igd-like mirror: its mappings are upnpigd/redir (the lab)
        self.keys = keys  # () -> (private, public) WireGuard keys (freebox_wg.keypair)
        self.vpn_runtime = {}  # server id -> "started"|"error" as the emulator's effects report
        self.lock = threading.RLock()
        r = self.routes = []
        add = lambda m, t, fn, write=False: r.append((m, t, re.compile("^" + re.sub(
            r"\{(\w+)\}", r"(?P<\1>[^/]+)", t) + "$"), fn, write))
        add("GET", "system/", lambda p, b: self.state["system"])
        add("GET", "lan/config/", lambda p, b: self.state["lan_config"])
        add("GET", "connection/", lambda p, b: self.state["connection"])
        add("GET", "connection/ftth/", lambda p, b: self.state["connection_ftth"])
        add("GET", "connection/xdsl/", self.xdsl)
        add("GET", "connection/aggregation", self.aggregation)
        add("GET", "connection/config/", self.connection_config)
        add("PUT", "connection/config/", self.put_connection_config, True)
        add("GET", "connection/ipv6/config/", lambda p, b: self.state["ipv6_config"])
        add("PUT", "connection/ipv6/config/", self.put_ipv6_config, True)
        add("GET", "domain/config/", lambda p, b: self.state["domain_config"])
        add("GET", "fw/redir/", lambda p, b: self.state["forwards"] or None)
        add("POST", "fw/redir/", self.post_forward, True)
        add("GET", "fw/redir/{id}", lambda p, b: self.forward(p["id"]))
        add("PUT", "fw/redir/{id}", self.put_forward, True)
        add("DELETE", "fw/redir/{id}", self.delete_forward, True)
        add("GET", "fw/dmz/", lambda p, b: self.state["dmz"])
        add("PUT", "fw/dmz/", self.put_dmz, True)
        add("GET", "fw/incoming/", lambda p, b: self.state["incoming"])
        add("GET", "fw/incoming/{id}", lambda p, b: self.incoming(p["id"]))
        add("PUT", "fw/incoming/{id}", self.put_incoming, True)
        add("GET", "upnpigd/config/", lambda p, b: self.state["upnpigd"])
        add("PUT", "upnpigd/config/", self.put_upnpigd, True)
        add("GET", "upnpigd/redir/", self.upnp_redirs)
        add("DELETE", "upnpigd/redir/{id}", self.delete_upnp_redir, True)
        add("GET", "vpn/", self.vpn_servers)
        add("GET", "vpn/ip_pool/", self.ip_pool)
        add("GET", "vpn/connection/", lambda p, b: None)
        add("GET", "vpn/user/", lambda p, b: self.public_users() or None)
        add("POST", "vpn/user/", self.post_user, True)
        add("GET", "vpn/user/{login}", lambda p, b: self.public_user(self.user(p["login"])))
        add("PUT", "vpn/user/{login}", self.put_user, True)
        add("DELETE", "vpn/user/{login}", self.delete_user, True)
        add("GET", "vpn/download_config/{server}/{login}/{fmt}", self.download_config, True)
        add("GET", "vpn/download_config/{server}/{login}", self.download_config, True)
        add("GET", "vpn/{id}/config/", lambda p, b: self.vpn_config(p["id"]))
        add("PUT", "vpn/{id}/config/", self.put_vpn_config, True)
        add("GET", "vpn_client/status", lambda p, b: self.state["vpn_client_status"])

    # -- persistence and dispatch --------------------------------------------------------------
    def snapshot(self):
        with self.lock:
            return copy.deepcopy(self.state)

    def changed(self):
        if self.state_path:
            tmp = self.state_path + ".tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds app tokens
            with os.fdopen(fd, "w") as f:
                json.dump(self.state, f, indent=1, sort_keys=True)
            os.replace(tmp, self.state_path)
        if self.on_change:
            self.on_change(self.state)

    def route(self, method, path):
        """(template, handler, params, write) for METHOD path, or None (invalid_request)."""
        for m, template, rx, fn, write in self.routes:
            match = rx.match(path)
            if match and m == method:
                return template, fn, match.groupdict(), write
        return None

    def call(self, fn, params, body):
        with self.lock:
            return fn(params, body if isinstance(body, dict) else {})

    # -- connection ----------------------------------------------------------------------------
    def xdsl(self, p, b):
        raise ApiError("service_down", "Impossible de récupérer l’état de la connexion: "
                                       "Ce service n’est pas disponible actuellement")

    def aggregation(self, p, b):
        raise ApiError("noent", "Aucun module 4G détecté")

    def connection_config(self, p=None, b=None):
        cfg = dict(self.state["connection_config"])
        api = self.state["api_version"]
        cfg.update(api_domain=api["api_domain"], https_port=api["https_port"],
                   https_available=api["https_available"], remote_access_ip=self.state["connection"]["ipv4"])
        return cfg

    def put_connection_config(self, p, b):
        cfg = self.state["connection_config"]
        new = dict(cfg)
        for key in ("remote_access", "allow_token_request", "ping", "wol", "adblock", "disable_guest"):
            if key in b:
                new[key] = want_bool(b, key)
        if "remote_access_port" in b:
            port = b["remote_access_port"]
            if isinstance(port, bool) or not isinstance(port, int) or \
                    not cfg["remote_access_min_port"] <= port <= cfg["remote_access_max_port"]:
                raise ApiError("invalid_port", "Port invalide")
            new["remote_access_port"] = port
        if "sip_alg" in b:
            if b["sip_alg"] not in ("disabled", "direct_media", "any_media"):
                raise inval("sip_alg")
            new["sip_alg"] = b["sip_alg"]
        if new["remote_access"] and not cfg["remote_access"] and not cfg["is_secure_pass"]:
            raise ApiError("insecure_password", "Le mot de passe administrateur est trop faible")
        cfg.update(new)
        self.changed()
        return self.connection_config()

    def put_ipv6_config(self, p, b):
        cfg = self.state["ipv6_config"]
        new = dict(cfg)
        for key in ("ipv6_enabled", "ipv6_firewall", "ipv6_prefix_firewall"):
            if key in b:
                new[key] = want_bool(b, key)
        cfg.update(new)
        self.changed()
        return cfg

    # -- forwards ------------------------------------------------------------------------------
    def forward(self, fid):
        for rule in self.state["forwards"]:
            if str(rule["id"]) == fid:
                return rule
        raise ApiError("noent", "Id de redirection invalide")

    def check_conflict(self, rule):
        for other in self.state["forwards"]:
            if other["id"] != rule["id"] and other["enabled"] and rule["enabled"] and overlaps(rule, other):
                raise ApiError("exist", "Cette redirection est en conflit avec une redirection existante")

    def post_forward(self, p, b):
        rule = new_forward(self.state, dict(b, id=None), fid=self.state["next_forward_id"])
        self.check_conflict(rule)
        self.state["forwards"].append(rule)
        self.state["next_forward_id"] = rule["id"] + 1  # a refused POST uses no id
        self.changed()
        return rule

    def put_forward(self, p, b):
        rule = self.forward(p["id"])
        new = dict(rule)
        new.update({k: b[k] for k in FORWARD_RW if k in b})
        check_forward(self.state, new)
        self.check_conflict(new)
        new["host"], new["hostname"] = lan_host(self.state, new["lan_ip"])
        rule.update(new)
        self.changed()
        return rule

    def delete_forward(self, p, b):
        rule = self.forward(p["id"])
        self.state["forwards"].remove(rule)
        self.changed()
        return None

    # -- DMZ, incoming ports ---------------------------------------------------------------------
    def put_dmz(self, p, b):
        dmz = self.state["dmz"]
        new = dict(dmz)
        if "enabled" in b:
            new["enabled"] = want_bool(b, "enabled")
        if "ip" in b:
            new["ip"] = want_ipv4(b["ip"], "ip", allow_empty=True)
        if new["enabled"] and (not new["ip"] or not in_lan(self.state, new["ip"])):
            raise inval("ip")
        dmz.update(new)
        self.changed()
        return dmz

    def incoming(self, pid):
        for entry in self.state["incoming"]:
            if entry["id"] == pid:
                return entry
        raise ApiError("noent", "Port entrant inconnu")

    def put_incoming(self, p, b):
        entry = self.incoming(p["id"])
        new = dict(entry)
        if "enabled" in b:
            new["enabled"] = want_bool(b, "enabled")
        if "in_port" in b:
            if entry["readonly"] and b["in_port"] != entry["in_port"]:
                raise inval("in_port")
            new["in_port"] = want_port(b["in_port"], "in_port", entry["min_port"], entry["max_port"]) \
                if not entry["readonly"] else entry["in_port"]
        entry.update(new)
        self.changed()
        return entry

    # -- UPnP IGD --------------------------------------------------------------------------------
    def put_upnpigd(self, p, b):
        cfg = self.state["upnpigd"]
        new = dict(cfg)
        if "enabled" in b:
            new["enabled"] = want_bool(b, "enabled")
        if "version" in b:
            if b["version"] not in (1, 2):
                raise inval("version")
            new["version"] = b["version"]
        cfg.update(new)
        self.changed()
        return cfg

    def all_redirs(self):
        if self.igd is not None:
            return self.igd.redirs(self.state)
        return self.state["upnp_redirs"]

    def upnp_redirs(self, p, b):
        if not self.state["upnpigd"]["enabled"]:
            raise ApiError("disabled", "Le service UPnP IGD est désactivé")
        return self.all_redirs() or None

    def delete_upnp_redir(self, p, b):
        if not self.state["upnpigd"]["enabled"]:
            raise ApiError("disabled", "Le service UPnP IGD est désactivé")
        for r in self.all_redirs():
            if r["id"] == p["id"]:
                if self.igd is not None:
                    self.igd.delete(r)
                else:
                    self.state["upnp_redirs"].remove(r)
                self.changed()
                return None
        raise ApiError("noent", "Redirection UPnP inconnue")

    # -- VPN server --------------------------------------------------------------------------------
    def vpn_config(self, sid):
        if sid not in self.state["vpn"]:
            raise ApiError("noent", "Serveur VPN inconnu")
        return self.state["vpn"][sid]

    def server_state(self, sid):
        if not self.state["vpn"][sid]["enabled"]:
            return "stopped"
        return self.vpn_runtime.get(sid, "started")

    def vpn_servers(self, p, b):
        return [{"state": self.server_state(sid), "type": cfg["type"], "name": sid, "connection_count": 0,
                 "auth_connection_count": 0} for sid, cfg in self.state["vpn"].items()]

    def put_vpn_config(self, p, b):
        cfg = self.vpn_config(p["id"])
        new = copy.deepcopy(cfg)
        for key in ("enabled", "enable_ipv4", "enable_ipv6"):
            if key in b:
                new[key] = want_bool(b, key)
        if "port" in b:
            if "min_port" not in cfg:
                raise inval("port")
            new["port"] = want_port(b["port"], "port", cfg["min_port"], cfg["max_port"])
        if "conf_wireguard" in b and cfg["type"] == "wireguard":
            mtu = (b["conf_wireguard"] or {}).get("mtu", cfg["conf_wireguard"]["mtu"])
            new["conf_wireguard"]["mtu"] = want_port(mtu, "mtu", 512, 1420)
        if "conf_openvpn" in b and cfg["type"] == "openvpn":
            conf = b["conf_openvpn"] or {}
            if "cipher" in conf and conf["cipher"] not in ("blowfish", "aes128", "aes256", "chacha20poly1305"):
                raise inval("cipher")
            new["conf_openvpn"].update({k: conf[k] for k in ("cipher", "disable_fragment", "use_tcp") if k in conf})
        if "conf_pptp" in b and cfg["type"] == "pptp":
            new["conf_pptp"].update(b["conf_pptp"] or {})
        if cfg["type"] == "wireguard" and new["enabled"] and self.keys and not self.state["wireguard_keys"]["server"]:
            priv, pub = self.keys()
            self.state["wireguard_keys"]["server"] = {"private": priv, "public": pub}
        cfg.update(new)
        self.changed()
        return cfg

    def user(self, login):
        for u in self.state["vpn_users"]:
            if u["login"] == login:
                return u
        raise ApiError("noent", "Utilisateur inconnu")

    @staticmethod
    def public_user(u):
        return {k: v for k, v in u.items() if k != "password"}

    def public_users(self):
        return [self.public_user(u) for u in self.state["vpn_users"]]

    def ip_pool(self, p, b):
        return {"ip_start": VPN_POOL[0], "ip_end": VPN_POOL[1],
                "reservations": [{"login": u["login"], "ip": u["ip_reservation"]}
                                 for u in self.state["vpn_users"] if u.get("ip_reservation")]}

    def check_reservation(self, ip, login):
        want_ipv4(ip, "ip_reservation")
        lo, hi = (ipaddress.IPv4Address(a) for a in VPN_POOL)
        if not lo <= ipaddress.IPv4Address(ip) <= hi:
            raise inval("ip_reservation")
        if any(u["ip_reservation"] == ip and u["login"] != login for u in self.state["vpn_users"]):
            raise ApiError("exist", "Cette adresse IP est déjà réservée")

    def post_user(self, p, b):
        login, kind = b.get("login"), b.get("type", "standard")
        if not isinstance(login, str) or not re.match(r"^[A-Za-z0-9._-]{1,32}$", login):
            raise inval("login")
        if kind not in ("standard", "wireguard"):
            raise inval("type")
        if any(u["login"] == login for u in self.state["vpn_users"]):
            raise ApiError("exist", "Cet utilisateur existe déjà")
        ip = b.get("ip_reservation", "")
        if ip or kind == "wireguard":
            self.check_reservation(ip, login)
        user = {"login": login, "type": kind, "ip_reservation": ip, "password_set": False}
        if kind == "standard":
            if b.get("password") is not None:
                user["password"], user["password_set"] = want_password(b["password"]), True
        else:
            conf = b.get("conf_wireguard") or {}
            keepalive = conf.get("keepalive", 0)
            want_port(keepalive, "keepalive", 0, 65535) if keepalive else None
            psk = conf.get("psk", False)
            if not isinstance(psk, bool):
                raise inval("psk")
            user["conf_wireguard"] = {"keepalive": keepalive, "psk": psk}
            self.new_user_keys(login, psk)
        self.state["vpn_users"].append(user)
        self.changed()
        return self.public_user(user)

    def new_user_keys(self, login, psk):
        if self.keys:
            priv, pub = self.keys()
            psk_value = self.keys(psk=True) if psk else None
            self.state["wireguard_keys"]["users"][login] = {"private": priv, "public": pub, "psk": psk_value}

    def put_user(self, p, b):
        user = self.user(p["login"])
        if "password" in b:
            user["password"], user["password_set"] = want_password(b["password"]), True
        if "ip_reservation" in b:
            self.check_reservation(b["ip_reservation"], user["login"])
            user["ip_reservation"] = b["ip_reservation"]
        self.changed()
        return self.public_user(user)

    def delete_user(self, p, b):
        user = self.user(p["login"])
        self.state["vpn_users"].remove(user)
        self.state["wireguard_keys"]["users"].pop(user["login"], None)
        self.changed()
        return None

    def download_config(self, p, b):
        """A wg-quick file for a WireGuard user: ("text/plain", bytes). Each download gives the
        user a fresh key pair (the previous file stops working, as OpenVPN's do)."""
        if p["server"] != "wireguard" or p.get("fmt", "plain") != "plain":
            raise ApiError("unsupp", "Format de configuration non supporté")
        user = self.user(p["login"])
        if user["type"] != "wireguard":
            raise inval("login")
        server = self.state["vpn"]["wireguard"]
        skeys = self.state["wireguard_keys"]["server"]
        if not server["enabled"] or not skeys:
            raise ApiError("inval", "Le serveur WireGuard n'est pas configuré")
        self.new_user_keys(user["login"], user["conf_wireguard"]["psk"])
        keys = self.state["wireguard_keys"]["users"][user["login"]]
        lines = ["[Interface]", "PrivateKey = %s" % keys["private"], "Address = %s/32" % user["ip_reservation"],
                 "MTU = %d" % server["conf_wireguard"]["mtu"], "", "[Peer]", "PublicKey = %s" % skeys["public"]]
        if keys["psk"]:
            lines.append("PresharedKey = %s" % keys["psk"])
        lines += ["Endpoint = %s:%d" % (self.state["connection"]["ipv4"], server["port"]),
                  "AllowedIPs = %s" % lan_prefix(self.state)]
        if user["conf_wireguard"]["keepalive"]:
            lines.append("PersistentKeepalive = %d" % user["conf_wireguard"]["keepalive"])
        self.changed()
        return ("text/plain", ("\n".join(lines) + "\n").encode())
