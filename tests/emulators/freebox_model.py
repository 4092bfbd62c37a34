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
import re
import threading

import emu_http
import freebox_vpn
from freebox_common import ApiError, fixture, in_lan, inval, result, want_bool, want_ipv4, want_port


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
        "vpn": freebox_vpn.default_servers(incoming),
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
    return emu_http.load_state(scenario_path, state_path, default_state, apply_scenario, "freebox_emulator")


def apply_scenario(state, scenario):
    """A scenario is a JSON object over default_state()'s keys (any other key is refused):
      objects merged key by key: api_version, system, lan_config (its "ip" sets the LAN /24),
        connection (ipv4 = the WAN address), connection_config (remote_access,
        remote_access_port, allow_token_request, is_secure_pass...), ipv6_config, dmz
        {enabled, ip}, upnpigd {enabled, version}, new_app_permissions (what a newly granted
        app may do: {"settings": false, ...}), lan_hosts {ip: name}, domain_config;
      forwards: [PortForwardingConfig without host/hostname; id, enabled, comment, src_ip
        optional], upnp_redirs: [{proto, ext_port, int_ip, int_port?, desc?, ext_src_ip?}]
        (ignored with --igd-mirror: miniupnpd holds them), vpn_users: [VPNUser];
      incoming: {id: {field: value}} patches (or a whole list), vpn: {server id: {field: value}};
      apps: [{app_id, app_token, status ("granted"), permissions {...}, ...}] apps already paired.
    """
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


# -- IPv6 ------------------------------------------------------------------------------------------
def ipv6_delegations(current, wanted):
    """The delegations after a PUT: the same prefixes in the same order (read-only), each with
    the next_hop asked for ("" or an IPv6 address); anything else is inval."""
    if not isinstance(wanted, list) or len(wanted) != len(current):
        raise inval("delegations")
    out = []
    for have, want in zip(current, wanted):
        if not isinstance(want, dict) or want.get("prefix", have["prefix"]) != have["prefix"]:
            raise inval("delegations")
        hop = want.get("next_hop", have["next_hop"])
        if not isinstance(hop, str):
            raise inval("next_hop")
        if hop:
            try:
                hop = str(ipaddress.IPv6Address(hop))
            except ValueError:
                raise inval("next_hop") from None
        out.append(dict(have, next_hop=hop))
    return out


# -- the model -------------------------------------------------------------------------------------
class FreeboxModel(emu_http.PersistedState, freebox_vpn.VpnEndpoints):
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

    # -- dispatch --------------------------------------------------------------
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
        """A partial update (freebox.md 8): the three switches, and a delegation's next_hop
        (its prefix is the operator's: read-only). Everything is checked before anything is
        kept; ipv6ll is read-only and left as it is, like any key the box does not know."""
        cfg = self.state["ipv6_config"]
        new = dict(cfg)
        for key in ("ipv6_enabled", "ipv6_firewall", "ipv6_prefix_firewall"):
            if key in b:
                new[key] = want_bool(b, key)
        if "delegations" in b:
            new["delegations"] = ipv6_delegations(cfg["delegations"], b["delegations"])
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
