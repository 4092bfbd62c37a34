"""The VPN server endpoints of the emulated Freebox (freebox.md section 10), a part of
freebox_model.FreeboxModel: vpn/, vpn/{id}/config/, vpn/user/, vpn/ip_pool/ and
vpn/download_config/wireguard/{login}/plain (a wg-quick file, not the JSON envelope).
WireGuard keys come from `self.keys` (freebox_wg.keypair) and are kept in the state (the box
holds them); freebox_wg.py makes the server real in the lab.
"""

import copy
import ipaddress
import re

import freebox_common as fm


def default_servers(incoming):
    ports = {e["id"]: e for e in incoming}
    pool = {"ip_start": fm.VPN_POOL[0], "ip_end": fm.VPN_POOL[1], "ip6_start": "2001:db8:27::10",
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



class VpnEndpoints:
    """Mixed into FreeboxModel (self.state, self.keys, self.vpn_runtime, self.changed())."""

    # -- VPN server --------------------------------------------------------------------------------
    def vpn_config(self, sid):
        if sid not in self.state["vpn"]:
            raise fm.ApiError("noent", "Serveur VPN inconnu")
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
                new[key] = fm.want_bool(b, key)
        if "port" in b:
            if "min_port" not in cfg:
                raise fm.inval("port")
            new["port"] = fm.want_port(b["port"], "port", cfg["min_port"], cfg["max_port"])
        if "conf_wireguard" in b and cfg["type"] == "wireguard":
            mtu = (b["conf_wireguard"] or {}).get("mtu", cfg["conf_wireguard"]["mtu"])
            new["conf_wireguard"]["mtu"] = fm.want_port(mtu, "mtu", 512, 1420)
        if "conf_openvpn" in b and cfg["type"] == "openvpn":
            conf = b["conf_openvpn"] or {}
            if "cipher" in conf and conf["cipher"] not in ("blowfish", "aes128", "aes256", "chacha20poly1305"):
                raise fm.inval("cipher")
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
        raise fm.ApiError("noent", "Utilisateur inconnu")

    @staticmethod
    def public_user(u):
        return {k: v for k, v in u.items() if k != "password"}

    def public_users(self):
        return [self.public_user(u) for u in self.state["vpn_users"]]

    def ip_pool(self, p, b):
        return {"ip_start": fm.VPN_POOL[0], "ip_end": fm.VPN_POOL[1],
                "reservations": [{"login": u["login"], "ip": u["ip_reservation"]}
                                 for u in self.state["vpn_users"] if u.get("ip_reservation")]}

    def check_reservation(self, ip, login):
        fm.want_ipv4(ip, "ip_reservation")
        lo, hi = (ipaddress.IPv4Address(a) for a in fm.VPN_POOL)
        if not lo <= ipaddress.IPv4Address(ip) <= hi:
            raise fm.inval("ip_reservation")
        if any(u["ip_reservation"] == ip and u["login"] != login for u in self.state["vpn_users"]):
            raise fm.ApiError("exist", "Cette adresse IP est déjà réservée")

    def post_user(self, p, b):
        login, kind = b.get("login"), b.get("type", "standard")
        if not isinstance(login, str) or not re.match(r"^[A-Za-z0-9._-]{1,32}$", login):
            raise fm.inval("login")
        if kind not in ("standard", "wireguard"):
            raise fm.inval("type")
        if any(u["login"] == login for u in self.state["vpn_users"]):
            raise fm.ApiError("exist", "Cet utilisateur existe déjà")
        ip = b.get("ip_reservation", "")
        if ip or kind == "wireguard":
            self.check_reservation(ip, login)
        user = {"login": login, "type": kind, "ip_reservation": ip, "password_set": False}
        if kind == "standard":
            if b.get("password") is not None:
                user["password"], user["password_set"] = fm.want_password(b["password"]), True
        else:
            conf = b.get("conf_wireguard") or {}
            keepalive = conf.get("keepalive", 0)
            fm.want_port(keepalive, "keepalive", 0, 65535) if keepalive else None
            psk = conf.get("psk", False)
            if not isinstance(psk, bool):
                raise fm.inval("psk")
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
            user["password"], user["password_set"] = fm.want_password(b["password"]), True
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
            raise fm.ApiError("unsupp", "Format de configuration non supporté")
        user = self.user(p["login"])
        if user["type"] != "wireguard":
            raise fm.inval("login")
        server = self.state["vpn"]["wireguard"]
        skeys = self.state["wireguard_keys"]["server"]
        if not server["enabled"] or not skeys:
            raise fm.ApiError("fm.inval", "Le serveur WireGuard n'est pas configuré")
        self.new_user_keys(user["login"], user["conf_wireguard"]["psk"])
        keys = self.state["wireguard_keys"]["users"][user["login"]]
        lines = ["[Interface]", "PrivateKey = %s" % keys["private"], "Address = %s/32" % user["ip_reservation"],
                 "MTU = %d" % server["conf_wireguard"]["mtu"], "", "[Peer]", "PublicKey = %s" % skeys["public"]]
        if keys["psk"]:
            lines.append("PresharedKey = %s" % keys["psk"])
        lines += ["Endpoint = %s:%d" % (self.state["connection"]["ipv4"], server["port"]),
                  "AllowedIPs = %s" % fm.lan_prefix(self.state)]
        if user["conf_wireguard"]["keepalive"]:
            lines.append("PersistentKeepalive = %d" % user["conf_wireguard"]["keepalive"])
        self.changed()
        return ("text/plain", ("\n".join(lines) + "\n").encode())
